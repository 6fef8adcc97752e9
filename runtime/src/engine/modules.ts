import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { evaluateApplicability } from "../definition/applicability";
import { checkModuleDefinition } from "../definition/check";
import { CODES } from "../definition/codes";
import { isForeignModuleDefinitionText } from "../definition/foreign";
import type { ModuleDefinition, QueuedTaskDecl, ScheduledTaskDecl, TargetRef } from "../definition/model";
import { parseModuleDefinition } from "../definition/parse";
import { nodeModuleFs } from "../definition/node-fs";
import type { QueueStore } from "../queue/store";
import type { TaskImpl, TaskTypeInfo } from "../queue/task-types";
import type { Finding } from "../text/finding";
import type { TimedTask } from "../scheduler/timed-scheduler";

export interface ModuleInfo {
  name: string;
  dir: string;
  file: string;
}

/** A `<task>` as the scheduler needs it (resolved paths; problems already checked). */
export type ScheduledTaskInfo = TimedTask;

export interface LoadedModules {
  modules: ModuleInfo[];
  types: TaskTypeInfo[];
  clusters: { name: string; workers: number }[];
  scheduled: ScheduledTaskInfo[];
  /** Errors that made declarations unusable, and declarations that do not apply here. */
  problems: { file: string; line: number; message: string }[];
}

const SKIP_DIRS = new Set(["node_modules", ".git", "dist", ".modtasks"]);

/**
 * Finds module folders: a path that holds moduledefinition.xml is a module; any other folder is
 * searched (not into node_modules, .git, dist). A path that does not exist is an error.
 */
export function findModules(paths: string[]): ModuleInfo[] {
  const found = new Map<string, ModuleInfo>();
  const visit = (dir: string, depth: number) => {
    const file = join(dir, "moduledefinition.xml");
    // Another tool's moduledefinition.xml is no module: its folder is searched like any other.
    if (existsSync(file) && !isForeign(file)) {
      const real = realpathSync(dir);
      if (!found.has(real)) found.set(real, { name: basename(real), dir: real, file: join(real, "moduledefinition.xml") });
      return;
    }
    if (depth > 8) return;
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries.sort()) {
      if (SKIP_DIRS.has(e) || e.startsWith(".")) continue;
      const p = join(dir, e);
      try {
        if (statSync(p).isDirectory()) visit(p, depth + 1);
      } catch {
        // unreadable: skip
      }
    }
  };
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new Error(`no such folder: ${p}`);
    if (statSync(abs).isFile()) {
      if (basename(abs) !== "moduledefinition.xml") throw new Error(`${p} is not a moduledefinition.xml or a folder`);
      visit(dirname(abs), 0);
    } else visit(abs, 0);
  }
  return [...found.values()];
}

function isForeign(file: string): boolean {
  try {
    return isForeignModuleDefinitionText(readFileSync(file, "utf8"));
  } catch {
    return false; // unreadable: loading it reports why
  }
}

function lineOf(def: ModuleDefinition, offset: number): number {
  return def.lines.positionAt(offset).line + 1;
}

/** The first error the checker reports inside a declaration's element, if any. */
function firstError(findings: Finding[], el: { span: { start: number; end: number } }): Finding | undefined {
  return findings.find((f) => f.severity === "error" && f.span.start >= el.span.start && f.span.end <= el.span.end);
}

function languageOf(path: string): TaskImpl["language"] {
  const ext = extname(path).toLowerCase();
  if ([".ts", ".mts", ".cts", ".tsx"].includes(ext)) return "typescript";
  if ([".js", ".mjs", ".cjs"].includes(ext)) return "javascript";
  if ([".whlib", ".whscr", ".shtml"].includes(ext)) return "harescript";
  return "other";
}

/** The folder a target's path is relative to: this module, or a sibling module for `mod::other/`. */
function targetFile(mod: ModuleInfo, ref: TargetRef): string {
  const base = ref.module && ref.module !== mod.name ? join(dirname(mod.dir), ref.module) : mod.dir;
  return join(base, ref.path);
}

function taskType(mod: ModuleInfo, def: ModuleDefinition, d: QueuedTaskDecl, error: Finding | undefined): TaskTypeInfo {
  const ref = d.objectname ?? d.taskrunner;
  const info: TaskTypeInfo = {
    name: d.fullName.toLowerCase(),
    kind: d.kind === "managedtask" ? "managed" : "ephemeral",
    moduleName: def.moduleName,
    moduleDir: mod.dir,
    priority: d.priority,
    timeoutMs: d.timeoutMs,
    failRescheduleMs: d.failRescheduleMs,
    maxFailures: d.kind === "managedtask" ? (d.maxFailures ?? -1) : 0,
    cluster: d.cluster,
  };
  if (ref) {
    const file = targetFile(mod, ref);
    info.impl = { file, exportName: ref.exportName ?? "default", form: d.objectname ? "class" : "function", language: languageOf(file) };
    if (info.impl.language === "harescript") info.unrunnable = "HareScript tasks need a WebHare server";
    else if (info.impl.language === "other") info.unrunnable = `cannot run '${ref.path}': task code must be TypeScript or JavaScript`;
  }
  // A class that is no task: WebHare's run-time wording (the editor shows the checker's advice).
  if (error?.code === CODES.exportNotTaskClass && ref) info.unrunnable = `Objecttype '${ref.exportName ?? "default"}' does not extend from ManagedTaskBase`;
  else if (error) info.unrunnable = `${error.message} (${def.file}:${lineOf(def, error.span.start)})`;
  else if (!ref) info.unrunnable = "the declaration names neither objectname nor taskrunner";
  return info;
}

function scheduledTask(mod: ModuleInfo, def: ModuleDefinition, d: ScheduledTaskDecl, error: Finding | undefined): ScheduledTaskInfo {
  const t: ScheduledTaskInfo = {
    name: d.fullName,
    moduleName: def.moduleName,
    moduleDir: mod.dir,
    tag: d.tag,
    runat: d.runat,
    runtz: d.runtz,
    runAtStartup: d.runAtStartup,
    timeoutMinutes: d.timeoutMinutes,
    description: d.description,
    args: d.args.map((a) => a.value),
  };
  if (d.scriptRef) t.script = targetFile(mod, d.scriptRef);
  if (error) t.unrunnable = `${error.message} (${def.file}:${lineOf(def, error.span.start)})`;
  else if (t.script && languageOf(t.script) === "harescript") t.unrunnable = "HareScript scripts need a WebHare server";
  return t;
}

/**
 * Loads the modules' declarations the way the editor checks them: the same parser and checker,
 * so a declaration the editor marks as an error is one the runtime refuses (it is registered as
 * unrunnable with that error, and its runs fail with it instead of doing something else).
 */
export async function loadModules(paths: string[], opts: { serverType?: string | undefined; env?: NodeJS.ProcessEnv } = {}): Promise<LoadedModules> {
  const out: LoadedModules = { modules: [], types: [], clusters: [], scheduled: [], problems: [] };
  const modules = findModules(paths);
  const names = modules.map((m) => m.name);
  for (const mod of modules) {
    let text: string;
    try {
      text = readFileSync(mod.file, "utf8");
    } catch (e) {
      out.problems.push({ file: mod.file, line: 1, message: `cannot read: ${(e as Error).message}` });
      continue;
    }
    out.modules.push(mod);
    const def = parseModuleDefinition(text, { file: mod.file, moduleName: mod.name });
    const findings = checkModuleDefinition(def, { fs: nodeModuleFs(mod.dir) });
    for (const f of findings) if (f.severity === "error") out.problems.push({ file: mod.file, line: lineOf(def, f.span.start), message: f.message });
    const ctx = { env: opts.env ?? process.env, serverType: opts.serverType ?? "development", modules: names };
    for (const d of def.declarations) {
      const applies = evaluateApplicability(d, ctx);
      if (!applies.applies) {
        out.problems.push({ file: mod.file, line: lineOf(def, d.element.span.start), message: `<${d.kind}> does not apply here: ${applies.reason ?? "conditions not met"}` });
        continue;
      }
      const error = firstError(findings, d.element);
      if (d.kind === "managedtask" || d.kind === "ephemeraltask") out.types.push(taskType(mod, def, d, error));
      else if (d.kind === "task") out.scheduled.push(scheduledTask(mod, def, d, error));
      else if (d.kind === "taskcluster") out.clusters.push({ name: d.fullName, workers: d.workers });
    }
  }
  return out;
}

/** Records the declared types in the database, so application code can validate `module:type`. */
export async function publishTypes(store: QueueStore, types: TaskTypeInfo[]): Promise<void> {
  const now = Date.now();
  await store.transaction(async (tx) => {
    for (const t of types) {
      await tx.execute(
        `INSERT INTO modtasks_types (name, kind, info, updated) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, info = excluded.info, updated = excluded.updated`,
        [t.name, t.kind, JSON.stringify(t), now],
      );
    }
  });
}

/** The declared types as the runtimes published them. */
export async function readPublishedTypes(db: Pick<QueueStore, "query">): Promise<TaskTypeInfo[]> {
  const rows = await db.query<{ info: string }>(`SELECT info FROM modtasks_types ORDER BY name`);
  return rows.map((r) => JSON.parse(r.info) as TaskTypeInfo);
}
