import { existsSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { findModules } from "../engine/modules";
import { type DbConfig, parseDbUrl } from "../queue/db-config";

/**
 * Which task database a command or application uses when none is given:
 *  1. `MODTASKS_DB` (same syntax as --db);
 *  2. an existing `.modtasks/tasks.db` in the folder or one of its parents;
 *  3. `.modtasks/tasks.db` beside the module(s) found below the folder: the module's own folder,
 *     or the nearest folder that holds all of them;
 *  4. the module the folder is inside of; else the folder itself.
 * `modtasks run`, `modtasks schedule`, openRuntime() and the VS Code extension all use this,
 * so they meet on one file. Driver-free: the extension bundles it.
 */
export function defaultDb(cwd = process.cwd(), moduleDirs?: string[], env: NodeJS.ProcessEnv = process.env): DbConfig {
  if (env.MODTASKS_DB) return parseDbUrl(env.MODTASKS_DB, cwd);
  const start = resolve(cwd);
  for (let d = start; ; d = dirname(d)) {
    const candidate = join(d, ".modtasks", "tasks.db");
    if (existsSync(candidate)) return { kind: "sqlite", path: candidate };
    if (dirname(d) === d) break;
  }
  let dirs = moduleDirs;
  if (!dirs) {
    try {
      dirs = findModules([start]).map((m) => m.dir);
    } catch {
      dirs = [];
    }
  }
  if (dirs.length) return { kind: "sqlite", path: join(commonAncestor(dirs), ".modtasks", "tasks.db") };
  for (let d = start; ; d = dirname(d)) {
    if (existsSync(join(d, "moduledefinition.xml"))) return { kind: "sqlite", path: join(d, ".modtasks", "tasks.db") };
    if (dirname(d) === d) break;
  }
  return { kind: "sqlite", path: join(start, ".modtasks", "tasks.db") };
}

export function commonAncestor(dirs: string[]): string {
  const split = dirs.map((d) => resolve(d).split(sep));
  const first = split[0]!;
  let n = first.length;
  for (const parts of split.slice(1)) {
    let i = 0;
    while (i < n && i < parts.length && parts[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join(sep) || sep;
}
