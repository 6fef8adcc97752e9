/**
 * The timeline's inputs from disk: the module folders the runtime would load (the same
 * `findModules`, so nested folders are found alike), their `<task>` declarations, and the
 * Prudence crontab files (`crontab`, `crontab.system`) under the same paths.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { CronDialect } from "../cron";
import type { ApplicabilityContext } from "../definition/applicability";
import { parseModuleDefinition } from "../definition/parse";
import { findModules } from "../engine/modules";
import { tasksFromCrontab, tasksFromModuleDefinition, type SkippedTask, type TimelineTask } from "./sources";

const SKIP_DIRS = new Set(["node_modules", ".git", "dist", ".modtasks"]);
export const CRONTAB_FILES = new Set(["crontab", "crontab.system"]);

export interface LoadedTimelineTasks {
  tasks: TimelineTask[];
  skipped: SkippedTask[];
  /** Module definitions read, and crontab files read. */
  files: string[];
}

/** Crontab files under the paths (a path may also name one directly), sorted, each once. */
export function findCrontabs(paths: string[]): string[] {
  const found = new Set<string>();
  const visit = (p: string, depth: number, seen: Set<string>) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isFile()) {
      if (CRONTAB_FILES.has(basename(p))) found.add(realpathSync(p));
      return;
    }
    if (!st.isDirectory() || depth > 8) return;
    const real = realpathSync(p);
    if (seen.has(real)) return;
    seen.add(real);
    let entries: string[];
    try {
      entries = readdirSync(p).sort();
    } catch {
      return;
    }
    for (const e of entries) if (!SKIP_DIRS.has(e) && !e.startsWith(".")) visit(join(p, e), depth + 1, seen);
  };
  for (const p of paths) visit(resolve(p), 0, new Set());
  return [...found].sort();
}

export interface LoadOptions {
  dialect?: CronDialect;
  /** The crontabs' zone as a runtz ("" = UTC). */
  crontabZone: string;
  applicability?: ApplicabilityContext;
}

/**
 * Reads every module and crontab under the paths. A missing path throws (as `findModules` does);
 * a path that is a crontab file is read as one.
 */
export function loadTimelineTasks(paths: string[], o: LoadOptions): LoadedTimelineTasks {
  const out: LoadedTimelineTasks = { tasks: [], skipped: [], files: [] };
  const crontabs = findCrontabs(paths);
  const dirPaths = paths.filter((p) => !CRONTAB_FILES.has(basename(p)));
  const modules = findModules(dirPaths).sort((a, b) => a.name.localeCompare(b.name));
  const ctx = o.applicability ? { ...o.applicability, modules: o.applicability.modules ?? modules.map((m) => m.name) } : undefined;
  for (const mod of modules) {
    let text: string;
    try {
      text = readFileSync(mod.file, "utf8");
    } catch (e) {
      out.skipped.push({ id: mod.name, file: mod.file, reason: `cannot read: ${(e as Error).message}` });
      continue;
    }
    out.files.push(mod.file);
    const def = parseModuleDefinition(text, { file: mod.file, moduleName: mod.name });
    const r = tasksFromModuleDefinition(def, { ...(o.dialect ? { dialect: o.dialect } : {}), ...(ctx ? { applicability: ctx } : {}) });
    out.tasks.push(...r.tasks);
    out.skipped.push(...r.skipped);
  }
  for (const file of crontabs) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      out.skipped.push({ id: file, file, reason: `cannot read: ${(e as Error).message}` });
      continue;
    }
    out.files.push(file);
    out.tasks.push(...tasksFromCrontab(text, file, { system: basename(file) === "crontab.system", zone: o.crontabZone }));
  }
  return out;
}
