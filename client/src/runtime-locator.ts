/**
 * Which modtasks runtime the extension starts, and with which command line. The runtime is always
 * a separate Node process: the extension host never loads better-sqlite3 or pg.
 *
 * Order: the `modtasks.runtime.path` setting; the workspace's `node_modules/modtasks` (what
 * `npm install modtasks` gives); the folder the extension was loaded from when it holds the
 * runtime (development, the e2e suite); else `modtasks` on PATH, which is followed to its package
 * (npm links `bin/modtasks` to `<package>/runtime/bin/modtasks.js`) so that it too runs with the
 * `modtasks.runtime.nodePath` Node. No `vscode` import (unit-tested without VS Code).
 */
import { existsSync, realpathSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve, sep } from "node:path";

export const RUNTIME_BIN = join("runtime", "bin", "modtasks.js");
const RUNTIME_BUNDLE = join("dist", "runtime", "cli.js");

export interface RuntimeCommand {
  /** The executable: the Node path, or `modtasks` on PATH. */
  command: string;
  /** Leading arguments (the modtasks.js script when run by Node). */
  prefix: string[];
  source: "setting" | "workspace" | "extension" | "path";
  /** The modtasks package folder, when known. */
  packageDir?: string;
  /** Something the user should know about this choice (for the output channel). */
  note?: string;
}

export type Located = { ok: true; runtime: RuntimeCommand } | { ok: false; message: string };

export interface LocateOptions {
  /** `modtasks.runtime.path` (may be relative to the first workspace folder). */
  settingPath?: string;
  /** `modtasks.runtime.nodePath`. */
  nodePath?: string;
  workspaceFolders: string[];
  extensionPath: string;
  exists?: (path: string) => boolean;
  /** The search path for `modtasks` (default: process.env.PATH). */
  pathEnv?: string;
  /** Resolves symbolic links (default: fs.realpathSync). */
  realpath?: (path: string) => string;
}

export function locateRuntime(o: LocateOptions): Located {
  const exists = o.exists ?? existsSync;
  const node = o.nodePath?.trim() || "node";
  const viaNode = (dir: string, source: RuntimeCommand["source"]): Located => {
    if (!exists(join(dir, RUNTIME_BUNDLE))) {
      return { ok: false, message: `The modtasks runtime in ${dir} is not built yet: run \`npm run build\` there.` };
    }
    return { ok: true, runtime: { command: node, prefix: [join(dir, RUNTIME_BIN)], source, packageDir: dir } };
  };
  const setting = o.settingPath?.trim();
  if (setting) {
    const dir = isAbsolute(setting) ? setting : resolve(o.workspaceFolders[0] ?? ".", setting);
    if (!exists(join(dir, RUNTIME_BIN))) {
      return { ok: false, message: `modtasks.runtime.path is ${setting}, but ${join(dir, RUNTIME_BIN)} does not exist. Point it at the folder of the modtasks package.` };
    }
    return viaNode(dir, "setting");
  }
  for (const folder of o.workspaceFolders) {
    const dir = join(folder, "node_modules", "modtasks");
    if (exists(join(dir, RUNTIME_BIN))) return viaNode(dir, "workspace");
  }
  if (exists(join(o.extensionPath, RUNTIME_BIN))) return viaNode(o.extensionPath, "extension");
  return onPath(o, node, exists);
}

/**
 * `modtasks` on PATH, run by the configured Node when it leads to a built modtasks package;
 * otherwise the binary itself (its `#!` line picks the interpreter), saying so when a Node path
 * was configured, since that setting then does not apply.
 */
function onPath(o: LocateOptions, node: string, exists: (p: string) => boolean): Located {
  const realpath = o.realpath ?? realpathSync;
  const dirs = (o.pathEnv ?? process.env.PATH ?? "").split(delimiter).filter(Boolean);
  const bin = dirs.map((d) => join(d, "modtasks")).find((p) => exists(p));
  const configured = node !== "node";
  const direct = (why: string): Located => ({
    ok: true,
    runtime: { command: bin ?? "modtasks", prefix: [], source: "path", ...(configured ? { note: `modtasks.runtime.nodePath (${node}) is not applied: ${why}, so it runs with the Node its first line names.` } : {}) },
  });
  if (!bin) {
    return { ok: false, message: "No modtasks runtime found: run `npm install modtasks` in the workspace, set modtasks.runtime.path to a modtasks package, or put `modtasks` on PATH." };
  }
  let target: string;
  try {
    target = realpath(bin);
  } catch (e) {
    return direct(`${bin} cannot be followed (${(e as Error).message})`);
  }
  const suffix = sep + RUNTIME_BIN;
  if (!target.endsWith(suffix)) return direct(`${bin} leads to ${target}, not to a modtasks package's ${RUNTIME_BIN}`);
  const dir = target.slice(0, -suffix.length);
  if (!exists(join(dir, RUNTIME_BUNDLE))) return direct(`the modtasks package ${dir} (from ${bin}) is not built`);
  return { ok: true, runtime: { command: node, prefix: [target], source: "path", packageDir: dir } };
}

export interface RunSettings {
  database?: string;
  workers?: number | null;
  /** The editor's cron choices: the runtime must run what the editor previews. */
  cronDialect?: string;
  maintenanceOffset?: number | null;
  crontabTimeZone?: string;
}

/**
 * `modtasks run <folders> [--db X] [--workers N] [cron choices]`: the runtime searches the
 * folders for modules. Defaults are left out so the runtime's own defaults (and environment,
 * like WEBHARE_MAINTENANCE_OFFSET) apply exactly as they do for the language server.
 */
export function runArguments(runtime: RuntimeCommand, moduleDirs: string[], s: RunSettings): string[] {
  const args = [...runtime.prefix, "run", ...moduleDirs];
  if (s.database?.trim()) args.push("--db", s.database.trim());
  if (typeof s.workers === "number" && Number.isInteger(s.workers) && s.workers > 0) args.push("--workers", String(s.workers));
  if (s.cronDialect && s.cronDialect !== "webhare") args.push("--dialect", s.cronDialect);
  if (typeof s.maintenanceOffset === "number" && Number.isFinite(s.maintenanceOffset)) args.push("--maintenance-offset", String(s.maintenanceOffset));
  if (s.crontabTimeZone?.trim()) args.push("--crontab-tz", s.crontabTimeZone.trim());
  return args;
}

/** A command line for the output channel (quotes arguments with spaces). */
export function displayCommand(command: string, args: string[]): string {
  return [command, ...args].map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(" ");
}
