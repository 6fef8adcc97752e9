/**
 * Which modtasks runtime the extension starts, and with which command line. The runtime is always
 * a separate Node process: the extension host never loads better-sqlite3 or pg.
 *
 * Order: the `modtasks.runtime.path` setting; the workspace's `node_modules/modtasks` (what
 * `npm install modtasks` gives); the folder the extension was loaded from when it holds the
 * runtime (development, the e2e suite); else `modtasks` on PATH.
 * No `vscode` import (unit-tested without VS Code).
 */
import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

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
  return { ok: true, runtime: { command: "modtasks", prefix: [], source: "path" } };
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
