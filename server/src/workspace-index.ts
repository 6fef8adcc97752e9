/**
 * Everything the server knows about the workspace beyond the open documents: every module
 * definition (with its parsed model), every crontab, every code file that calls the scheduling
 * API or names a backend service, and the services `modtasks.json` files declare. Built by one
 * scan of the workspace folders at start-up, then kept current from open buffers (their text
 * wins) and from `workspace/didChangeWatchedFiles`.
 */
import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { moduleNameFromPath, parseModuleDefinition } from "../../runtime/src/definition/parse";
import { CODES } from "../../runtime/src/definition/codes";
import { parseServiceConfig } from "../../runtime/src/services/config";
import { normalizeName, scanServiceCalls, type FileServiceSites, type ServiceCallSite } from "../../runtime/src/services/scan-calls";
import type { Declaration, ModuleDefinition } from "../../runtime/src/definition/model";
import type { Range } from "../../runtime/src/text/span";
import type { DeclaredTask, TaskLookup } from "./analysis/check-calls";
import { findScheduleCalls, type ScheduleCall } from "./analysis/schedule-calls";
import { serviceKeySpans, type ConfiguredService, type ServiceLookup } from "./analysis/service-calls";
import { LineIndex } from "../../runtime/src/text/line-index";
import { fileKind, type FileKind } from "./paths";

/** What a code file calls: scheduling functions and backend services, with the lines to locate them. */
export interface CallSites {
  calls: ScheduleCall[];
  services: ServiceCallSite[];
  lines: LineIndex;
}

/** The services of one modtasks.json, with its lines to locate their keys. */
interface ServiceConfigEntry {
  services: ConfiguredService[];
  lines: LineIndex;
}

function* mapIterator<A, B>(it: IterableIterator<A>, f: (a: A) => B): IterableIterator<B> {
  for (const a of it) yield f(a);
}

/**
 * What the workspace features need of one declaration, without its XML tree: a module's whole
 * parsed model costs ~20 bytes per byte of XML, too much to keep for every module of a large
 * workspace when a few dozen numbers and strings answer every question.
 */
export interface DeclarationSummary {
  kind: Declaration["kind"];
  /** `module:tag`, `module:type`, or `module:<script>` for `<runatstartup>`. */
  fullName: string;
  /** The element's name. */
  nameRange: Range;
  /** The `type`/`tag` value (the element's name when there is none). */
  keyRange: Range;
  /** 1-based line of the element, for messages. */
  line: number;
  /** `objectname`/`taskrunner` as written. */
  target?: string;
  priorityName?: string;
  timeoutMs?: number;
  maxFailures?: number;
  cluster?: string;
  runat?: string;
  runtz?: string;
}

export interface ModuleEntry {
  /** Path of moduledefinition.xml. */
  file: string;
  name: string;
  tasks: DeclaredTask[];
  declarations: DeclarationSummary[];
}

export function summarize(def: ModuleDefinition): DeclarationSummary[] {
  return def.declarations.map((d) => {
    const key = d.kind === "managedtask" || d.kind === "ephemeraltask" ? d.element.attr("type") : d.kind === "runatstartup" ? undefined : d.element.attr("tag");
    const s: DeclarationSummary = {
      kind: d.kind,
      fullName: d.kind === "runatstartup" ? `${def.moduleName}:${d.script}` : d.fullName,
      nameRange: def.lines.rangeOf(d.element.nameSpan),
      keyRange: def.lines.rangeOf(key ? key.valueSpan : d.element.nameSpan),
      line: def.lines.positionAt(d.element.span.start).line + 1,
    };
    if (d.kind === "managedtask" || d.kind === "ephemeraltask") {
      const t = d.objectname ?? d.taskrunner;
      if (t) s.target = `${d.objectname ? "objectname" : "taskrunner"} \`${t.raw}\``;
      s.priorityName = d.priorityName;
      s.timeoutMs = d.timeoutMs;
      if (d.maxFailures !== undefined) s.maxFailures = d.maxFailures;
      s.cluster = d.cluster;
    } else if (d.kind === "task") {
      s.runat = d.runat;
      s.runtz = d.runtz;
    }
    return s;
  });
}

/** The kinds of file the index reads. */
const INDEXED = new Set<FileKind>(["moduledefinition", "crontab", "code", "serviceconfig"]);

const SKIP_DIRS = new Set(["node_modules", ".git", "dist", ".modtasks", "out", "coverage"]);
/** Code files larger than this are not read (generated bundles, not application code). */
const MAX_CODE_FILE = 1_000_000;
const MAX_FILES = 50_000;

export function declaredTasks(def: ModuleDefinition): DeclaredTask[] {
  const out: DeclaredTask[] = [];
  for (const d of def.declarations) {
    if (d.kind === "task" && d.tag) out.push({ fullName: d.fullName, module: def.moduleName, name: d.tag, kind: "scheduled" });
    else if ((d.kind === "managedtask" || d.kind === "ephemeraltask") && d.type) {
      out.push({ fullName: d.fullName, module: def.moduleName, name: d.type, kind: d.kind === "managedtask" ? "managed" : "ephemeral" });
    }
  }
  return out;
}

export class WorkspaceIndex implements TaskLookup, ServiceLookup {
  private readonly modules = new Map<string, ModuleEntry>();
  private readonly byName = new Map<string, ModuleEntry[]>();
  /** Code files with at least one scheduling call or service site. */
  private readonly code = new Map<string, CallSites>();
  /** modtasks.json files (beside a moduledefinition.xml) that declare services. */
  private readonly configs = new Map<string, ServiceConfigEntry>();
  /** How many registrations (runBackendService calls, modtasks.json entries) each service name has. */
  private readonly registered = new Map<string, number>();
  private serviceSitesCache: FileServiceSites[] | undefined;
  private configuredCache: ConfiguredService[] | undefined;
  readonly crontabs = new Set<string>();
  /** Sequence number of the latest disk read started per file. */
  private readonly reads = new Map<string, number>();
  /** Paths whose content comes from an open editor buffer: disk events do not override them. */
  private readonly open = new Set<string>();
  /**
   * Bumped when anything code files are checked against may have changed: a task declaration,
   * or the set of service names the workspace registers (code diagnostics depend on it).
   */
  declarationGeneration = 0;
  /** Bumped when any call may have changed (references, workspace diagnostics). */
  callGeneration = 0;
  private allTasksCache: DeclaredTask[] | undefined;
  scanned: Promise<void> = Promise.resolve();

  // ---- TaskLookup

  tasksOf(module: string): readonly DeclaredTask[] | undefined {
    const entries = this.byName.get(module.toLowerCase());
    if (!entries) return undefined;
    return entries.length === 1 ? entries[0]!.tasks : entries.flatMap((e) => e.tasks);
  }

  allTasks(): readonly DeclaredTask[] {
    this.allTasksCache ??= [...this.modules.values()].flatMap((m) => m.tasks);
    return this.allTasksCache;
  }

  hasModules(): boolean {
    return this.modules.size > 0;
  }

  // ---- queries

  moduleEntries(): IterableIterator<ModuleEntry> {
    return this.modules.values();
  }

  module(file: string): ModuleEntry | undefined {
    return this.modules.get(file);
  }

  modulesNamed(name: string): ModuleEntry[] {
    return this.byName.get(name.toLowerCase()) ?? [];
  }

  /** Every code file with scheduling calls, and its calls. */
  *callSites(): IterableIterator<[string, ScheduleCall[]]> {
    for (const [p, c] of this.code) if (c.calls.length > 0) yield [p, c.calls];
  }

  /** Every code file that names a backend service. */
  serviceFiles(): IterableIterator<string> {
    return mapIterator(this.serviceSites().values(), (f) => f.file);
  }

  /** Calls and service sites of one file with the line index to locate them. */
  callsIn(file: string): CallSites | undefined {
    return this.code.get(file);
  }

  // ---- ServiceLookup

  serviceSites(): readonly FileServiceSites[] {
    this.serviceSitesCache ??= [...this.code].filter(([, c]) => c.services.length > 0).map(([file, c]) => ({ file, sites: c.services }));
    return this.serviceSitesCache;
  }

  configuredServices(): readonly ConfiguredService[] {
    this.configuredCache ??= [...this.configs.values()].flatMap((c) => c.services);
    return this.configuredCache;
  }

  /** The lines of a modtasks.json the index read (to locate a service's key). */
  configLines(file: string): LineIndex | undefined {
    return this.configs.get(file)?.lines;
  }

  /** The declaration a task name (`module:type`/`module:tag`) of a kind refers to, with its module. */
  findDeclaration(module: string, name: string, kind: DeclaredTask["kind"]): { entry: ModuleEntry; decl: DeclarationSummary } | undefined {
    const element = kind === "scheduled" ? "task" : kind === "managed" ? "managedtask" : "ephemeraltask";
    for (const entry of this.modulesNamed(module)) {
      for (const d of entry.declarations) {
        if (d.kind !== element) continue;
        const declared = d.fullName.slice(d.fullName.indexOf(":") + 1);
        if (kind === "scheduled" ? declared === name : declared === name.toLowerCase()) return { entry, decl: d };
      }
    }
    return undefined;
  }

  // ---- updates

  /**
   * A definition's model. From an open buffer (`lazy`), the summaries are made when first asked
   * for (the model stays alive in the document's analysis anyway), so typing in a large
   * definition does not rebuild them on every keystroke; from the disk they are made at once and
   * the model is let go.
   */
  setDefinition(file: string, def: ModuleDefinition, lazy = false): void {
    // Another tool's moduledefinition.xml is no module, as the runtime's discovery sees it.
    if (def.findings.some((f) => f.code === CODES.foreignModuleDefinition)) {
      this.removeDefinition(file);
      return;
    }
    const old = this.modules.get(file);
    // Not one closure for both: an eager entry must not keep the model alive.
    const entry: ModuleEntry = lazy ? lazyEntry(file, def) : { file, name: def.moduleName, tasks: declaredTasks(def), declarations: summarize(def) };
    this.modules.set(file, entry);
    if (old && old.name !== entry.name) this.unlinkName(old);
    const list = this.byName.get(entry.name.toLowerCase()) ?? [];
    const i = list.findIndex((e) => e.file === file);
    if (i >= 0) list[i] = entry;
    else list.push(entry);
    this.byName.set(entry.name.toLowerCase(), list);
    if (!old || !sameTasks(old.tasks, entry.tasks)) {
      this.declarationGeneration++;
      this.allTasksCache = undefined;
    }
  }

  private removeDefinition(file: string): void {
    const old = this.modules.get(file);
    if (!old) return;
    this.modules.delete(file);
    this.unlinkName(old);
    this.declarationGeneration++;
    this.allTasksCache = undefined;
  }

  private unlinkName(entry: ModuleEntry): void {
    const list = this.byName.get(entry.name.toLowerCase());
    if (!list) return;
    const rest = list.filter((e) => e.file !== entry.file);
    if (rest.length) this.byName.set(entry.name.toLowerCase(), rest);
    else this.byName.delete(entry.name.toLowerCase());
  }

  setCode(file: string, text: string): void {
    const calls = findScheduleCalls(text);
    const services = scanServiceCalls(text);
    this.setCalls(file, calls, services, calls.length || services.length ? new LineIndex(text) : undefined);
  }

  /** The calls and service sites of a code file, found by the caller (an open document's analysis). */
  setCalls(file: string, calls: ScheduleCall[], services: ServiceCallSite[], lines: LineIndex | undefined): void {
    const old = this.code.get(file);
    if ((calls.length === 0 && services.length === 0) || !lines) {
      if (this.code.delete(file)) this.callGeneration++;
    } else {
      this.code.set(file, { calls, services, lines });
      this.callGeneration++;
    }
    if (old?.services.length || services.length) {
      this.serviceSitesCache = undefined;
      this.reregister(runNames(old?.services), lines ? runNames(services) : []);
    }
  }

  /** A modtasks.json changed (undefined: deleted): the services it declares, when a module definition is beside it. */
  setServiceConfig(file: string, text: string | undefined): void {
    const old = this.configs.get(file);
    const dir = dirname(file);
    const definition = join(dir, "moduledefinition.xml");
    let entry: ServiceConfigEntry | undefined;
    if (text !== undefined && (this.modules.has(definition) || existsSync(definition))) {
      const parsed = parseServiceConfig(text, dir, moduleNameFromPath(definition), file).services;
      const keys = parsed.map((s) => s.name.slice(s.name.indexOf(":") + 1));
      const spans = serviceKeySpans(text, keys);
      const services = parsed.map((s, i) => ({ name: s.name, file, keySpan: spans.get(keys[i]!) ?? { start: 0, end: 0 }, script: s.script, onDemand: s.onDemand }));
      if (services.length) entry = { services, lines: new LineIndex(text) };
    }
    if (entry) this.configs.set(file, entry);
    else this.configs.delete(file);
    if (old || entry) {
      this.configuredCache = undefined;
      this.reregister(old?.services.map((s) => s.name) ?? [], entry?.services.map((s) => s.name) ?? []);
    }
  }

  /** Moves registration counts from `before` to `after`; a name appearing or disappearing re-checks code. */
  private reregister(before: readonly string[], after: readonly string[]): void {
    if (before.length === 0 && after.length === 0) return;
    const touched = new Map<string, boolean>();
    for (const n of [...before, ...after]) touched.set(n, this.registered.has(n));
    for (const n of before) {
      const k = (this.registered.get(n) ?? 0) - 1;
      if (k > 0) this.registered.set(n, k);
      else this.registered.delete(n);
    }
    for (const n of after) this.registered.set(n, (this.registered.get(n) ?? 0) + 1);
    for (const [n, had] of touched) {
      if (had !== this.registered.has(n)) {
        this.declarationGeneration++;
        return;
      }
    }
  }

  /** A file's text changed (from an open buffer or the disk); undefined = deleted. */
  update(file: string, text: string | undefined): void {
    const kind = fileKind(file);
    if (kind === "moduledefinition") {
      if (text === undefined) this.removeDefinition(file);
      else this.setDefinition(file, parseModuleDefinition(text, { file }));
    } else if (kind === "crontab") {
      if (text === undefined) this.crontabs.delete(file);
      else this.crontabs.add(file);
    } else if (kind === "code") {
      if (text === undefined) this.setCalls(file, [], [], undefined);
      else this.setCode(file, text);
    } else if (kind === "serviceconfig") this.setServiceConfig(file, text);
  }

  setOpen(file: string, open: boolean): void {
    if (open) this.open.add(file);
    else this.open.delete(file);
  }

  isOpen(file: string): boolean {
    return this.open.has(file);
  }

  /**
   * A file changed on disk: re-read it unless an open buffer owns it. Reads of one file may
   * overlap (a close and a watcher event); only the last one started is applied, so an older
   * read can never overwrite a newer one.
   */
  async refreshFromDisk(file: string, deleted: boolean): Promise<void> {
    const seq = (this.reads.get(file) ?? 0) + 1;
    this.reads.set(file, seq);
    const latest = () => this.reads.get(file) === seq && !this.open.has(file);
    if (!latest()) return;
    if (deleted) {
      this.update(file, undefined);
      return;
    }
    const kind = fileKind(file);
    if (!INDEXED.has(kind)) return;
    try {
      const st = await stat(file);
      if (!st.isFile() || (kind === "code" && st.size > MAX_CODE_FILE)) return;
      const text = await readFile(file, "utf8");
      if (latest()) this.update(file, text);
    } catch {
      if (latest()) this.update(file, undefined);
    }
  }

  /** Scans folders for module definitions, crontabs and code with scheduling calls. Yields to the event loop between files. */
  scan(roots: string[]): Promise<void> {
    this.scanned = this.scanRoots(roots).catch(() => {});
    return this.scanned;
  }

  private async scanRoots(roots: string[]): Promise<void> {
    let files = 0;
    const visit = async (dir: string, depth: number): Promise<void> => {
      if (depth > 16 || files > MAX_FILES) return;
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (files > MAX_FILES) return;
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name) && !e.name.startsWith(".")) await visit(p, depth + 1);
          continue;
        }
        if (!e.isFile()) continue;
        if (!INDEXED.has(fileKind(p))) continue;
        files++;
        if (this.open.has(p)) continue;
        await this.refreshFromDisk(p, false);
      }
    };
    for (const r of roots) await visit(r, 0);
  }
}

function lazyEntry(file: string, def: ModuleDefinition): ModuleEntry {
  let summaries: DeclarationSummary[] | undefined;
  return {
    file,
    name: def.moduleName,
    tasks: declaredTasks(def),
    get declarations() {
      return (summaries ??= summarize(def));
    },
  };
}

function sameTasks(a: DeclaredTask[], b: DeclaredTask[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.fullName !== b[i]!.fullName || a[i]!.kind !== b[i]!.kind) return false;
  return true;
}

/** The names a file's runBackendService calls register (normalized). */
function runNames(sites: readonly ServiceCallSite[] | undefined): string[] {
  return sites ? sites.filter((s) => s.kind === "run").map((s) => normalizeName(s.name)) : [];
}
