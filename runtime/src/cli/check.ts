/**
 * `modtasks check [paths...] [--json] [--dialect webhare|prudence|extended] [--quiet]`
 *
 * Walks the paths (default: the current folder) for the files modtasks understands and prints
 * every finding as `file:line:col: severity: message [code]` (1-based, like compilers), then a
 * summary. Exit code 1 when any error was found, 0 otherwise, 2 for usage errors.
 * `--json` prints an array of `{file, range, severity, message, code}` with 0-based LSP positions.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import type { CronDialect } from "../cron/index";
import { checkModuleDefinition } from "../definition/check";
import { nodeFs } from "../definition/node-fs";
import { parseModuleDefinition } from "../definition/parse";
import type { Finding } from "../text/finding";
import { LineIndex } from "../text/line-index";
import { checkCrontab } from "../crontab/check";
import { parseArgs } from "./args";
import { CliError } from "./command";

export interface CheckRunOptions {
  dialect: CronDialect;
}

/** A kind of file `check` understands: which names it takes, and how to check one. */
export interface CheckedFileKind {
  name: string;
  matches(fileName: string): boolean;
  check(file: string, text: string, opts: CheckRunOptions): { findings: Finding[]; lines: LineIndex };
}

const moduleDefinitionKind: CheckedFileKind = {
  name: "module definition",
  matches: (name) => name === "moduledefinition.xml",
  check(file, text, opts) {
    const def = parseModuleDefinition(text, { file });
    return { findings: checkModuleDefinition(def, { fs: nodeFs, runatDialect: opts.dialect }), lines: def.lines };
  },
};

const crontabKind: CheckedFileKind = {
  name: "crontab",
  matches: (name) => name === "crontab" || name === "crontab.system",
  check(file, text) {
    const { findings } = checkCrontab(text, file, nodeFs, basename(file) === "crontab.system");
    return { findings, lines: new LineIndex(text) };
  },
};

/** Every file kind the walk picks up. */
export const FILE_KINDS: CheckedFileKind[] = [moduleDefinitionKind, crontabKind];

const SKIP_DIRS = new Set(["node_modules", ".git", "dist"]);

/** The files under `paths` that some kind matches, sorted, each once. A missing path is a usage error. */
export function findCheckableFiles(paths: string[], kinds: CheckedFileKind[] = FILE_KINDS): { file: string; kind: CheckedFileKind }[] {
  const out: { file: string; kind: CheckedFileKind }[] = [];
  const seen = new Set<string>();
  const add = (file: string, kind: CheckedFileKind) => {
    let real = file;
    try {
      real = realpathSync(file);
    } catch {
      // keep the path as given
    }
    if (seen.has(real)) return;
    seen.add(real);
    out.push({ file, kind });
  };
  const walk = (dir: string, visited: Set<string>) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    if (visited.has(real)) return; // a symlink loop
    visited.add(real);
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      const p = join(dir, name);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(name)) walk(p, visited);
      } else {
        const kind = kinds.find((k) => k.matches(name));
        if (kind) add(p, kind);
      }
    }
  };
  for (const p of paths) {
    const abs = resolve(p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      throw new CliError(`no such file or folder: ${p}`);
    }
    if (st.isDirectory()) walk(abs, new Set());
    else {
      const kind = kinds.find((k) => k.matches(basename(abs)));
      if (!kind) throw new CliError(`${p} is not a file modtasks checks (expected ${kinds.map((k) => k.name).join(" or ")}, e.g. moduledefinition.xml)`);
      add(abs, kind);
    }
  }
  return out;
}

const HELP = `usage: modtasks check [paths...] [--json] [--dialect webhare|prudence|extended] [--quiet]

Checks every moduledefinition.xml under the given files and folders (default: the current
folder; node_modules, .git and dist are skipped).

  --json      print the findings as JSON (0-based LSP positions)
  --dialect   cron dialect for runat masks (default: webhare)
  --quiet     do not print info findings

Exit code: 1 if any error was found, 0 otherwise, 2 for usage errors.`;

export async function run(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  const { positionals, options } = parseArgs(args, {
    json: { type: "boolean" },
    quiet: { type: "boolean", short: "q" },
    dialect: { type: "string", choices: ["webhare", "prudence", "extended"] },
  });
  const opts: CheckRunOptions = { dialect: (options.dialect as CronDialect | undefined) ?? "webhare" };
  const files = findCheckableFiles(positionals.length > 0 ? positionals : ["."]);
  const cwd = process.cwd();
  const display = (file: string) => {
    const rel = relative(cwd, file);
    return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
  };

  let errors = 0;
  let warnings = 0;
  let infos = 0;
  const json: unknown[] = [];
  const lines: string[] = [];
  for (const { file, kind } of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      errors++;
      lines.push(`${display(file)}:1:1: error: cannot read the file: ${(e as Error).message} [read-error]`);
      json.push({ file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: "error", message: `cannot read the file: ${(e as Error).message}`, code: "read-error" });
      continue;
    }
    const { findings, lines: index } = kind.check(file, text, opts);
    for (const f of findings) {
      if (f.severity === "error") errors++;
      else if (f.severity === "warning") warnings++;
      else if (f.severity === "info") infos++;
      const range = index.rangeOf(f.span);
      json.push({ file, range, severity: f.severity, message: f.message, code: f.code });
      if (options.quiet && (f.severity === "info" || f.severity === "hint")) continue;
      lines.push(`${display(file)}:${range.start.line + 1}:${range.start.character + 1}: ${f.severity}: ${f.message} [${f.code}]`);
    }
  }
  if (files.length === 0 && !options.json) process.stderr.write(`modtasks check: no moduledefinition.xml found under ${positionals.length > 0 ? positionals.join(", ") : "the current folder"}\n`);
  if (options.json) process.stdout.write(JSON.stringify(json, null, 2) + "\n");
  else {
    // Infos are counted where they are printed (not with --quiet), so the summary matches the lines above it.
    const infoCount = !options.quiet && infos > 0 ? `, ${infos} info${infos === 1 ? "" : "s"}` : "";
    const summary = `${files.length} file${files.length === 1 ? "" : "s"}, ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}${infoCount}`;
    process.stdout.write([...lines, summary].join("\n") + "\n");
  }
  return errors > 0 ? 1 : 0;
}
