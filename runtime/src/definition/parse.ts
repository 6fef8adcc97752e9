import type { Finding } from "../text/finding";
import { LineIndex } from "../text/line-index";
import { parseXml } from "../xml/parser";
import type { XmlAttribute, XmlElement } from "../xml/types";
import { readApplicability } from "./applicability";
import { CODES } from "./codes";
import { isForeignRoot } from "./foreign";
import type {
  Declaration,
  ModuleDefinition,
  QueuedTaskDecl,
  RunAtStartupDecl,
  RunOnceDecl,
  RunOnceWhen,
  ScheduledTaskDecl,
  TaskClusterDecl,
} from "./model";
import { type EnumValue, MODULEDEFINITION_NAMESPACE, PRIORITIES, RUNONCE_WHEN } from "./schema";
import { parseTargetRef } from "./target-ref";
import { parseBoolean, parseInteger } from "./values";

export interface ParseOptions {
  /** The module's name; by default the name of the folder that holds `file`. */
  moduleName?: string;
  /** Path of moduledefinition.xml (also the base for resolving the paths it declares). */
  file?: string;
}

/** The module name for a moduledefinition.xml path: the name of its folder. */
export function moduleNameFromPath(file: string): string {
  const parts = file.split(/[\\/]+/).filter((p) => p !== "");
  return parts.length >= 2 ? parts[parts.length - 2]! : "";
}

/**
 * Builds the model of a moduledefinition.xml text. Never throws: a broken or half-typed file
 * yields the declarations that can be read, plus findings for what could not.
 */
export function parseModuleDefinition(text: string, opts: ParseOptions = {}): ModuleDefinition {
  const xml = parseXml(text);
  const moduleName = (opts.moduleName ?? (opts.file ? moduleNameFromPath(opts.file) : "")) || "module";
  const findings: Finding[] = [...xml.findings];
  let lines: LineIndex | undefined;
  const def: ModuleDefinition = {
    moduleName,
    text,
    // Built on first use: a check that finds nothing never needs line numbers.
    get lines() {
      return (lines ??= new LineIndex(text));
    },
    xml,
    declarations: [],
    scheduledTasks: [],
    queuedTasks: [],
    clusters: [],
    runOnce: [],
    runAtStartup: [],
    findings,
  };
  if (opts.file !== undefined) def.file = opts.file;

  const root = xml.root;
  if (!root) return def;
  if (root.localName !== "module") {
    const foreign = isForeignRoot(root);
    findings.push(
      foreign
        ? {
            span: root.nameSpan,
            severity: "info",
            code: CODES.foreignModuleDefinition,
            message: `Not a WebHare module definition (its root is <${root.name}>, not <module>, and it does not use WebHare's namespace): modtasks does not check it`,
          }
        : {
            span: root.nameSpan,
            severity: "error",
            code: CODES.notAModuleDefinition,
            message: `The root element of a module definition must be <module>, not <${root.name}>`,
          },
    );
    return def;
  }
  def.module = root;
  const ns = root.attr("xmlns");
  if (!ns || ns.value !== MODULEDEFINITION_NAMESPACE) {
    findings.push({
      span: ns ? ns.valueSpan : root.nameSpan,
      severity: "warning",
      code: CODES.wrongNamespace,
      message: `<module> should declare xmlns="${MODULEDEFINITION_NAMESPACE}"; WebHare does not recognise the file otherwise`,
      data: ns
        ? { replacement: MODULEDEFINITION_NAMESPACE, fixTitle: "Use the module definition namespace" }
        : { edits: [{ span: { start: root.nameSpan.end, end: root.nameSpan.end }, newText: ` xmlns="${MODULEDEFINITION_NAMESPACE}"` }], fixTitle: "Add the module definition namespace" },
    });
  }

  const managers = root.elements().filter((e) => e.name === "servicemanager");
  const sm = managers[0];
  if (!sm) return def;
  def.servicemanager = sm;
  for (const extra of managers.slice(1)) {
    findings.push({
      span: extra.nameSpan,
      severity: "error",
      code: CODES.duplicateServicemanager,
      message: "A module definition has at most one <servicemanager>; merge its declarations into the first one",
      data: { related: [{ span: sm.nameSpan, message: "the first <servicemanager>" }] },
    });
  }

  const picked = new Picked();
  for (const el of sm.children) {
    if (el.type !== "element") continue;
    const decl = readDeclaration(el, moduleName, picked);
    if (!decl) continue;
    def.declarations.push(decl);
    switch (decl.kind) {
      case "task":
        def.scheduledTasks.push(decl);
        break;
      case "managedtask":
      case "ephemeraltask":
        def.queuedTasks.push(decl);
        break;
      case "taskcluster":
        def.clusters.push(decl);
        break;
      case "runonce":
        def.runOnce.push(decl);
        break;
      case "runatstartup":
        def.runAtStartup.push(decl);
        break;
    }
  }
  return def;
}

/**
 * The attributes a declaration is read from, each the first of its name (as `el.attr(name)`
 * finds it), gathered in one pass over the element's attributes instead of one search per name.
 * One instance per parse, reset per declaration: declarations are read by the thousand on every
 * edit. (Not one for all parses: it would keep the last document's attributes alive.)
 */
class Picked {
  tag?: XmlAttribute;
  type?: XmlAttribute;
  script?: XmlAttribute;
  runat?: XmlAttribute;
  runtz?: XmlAttribute;
  runatstartup?: XmlAttribute;
  timeout?: XmlAttribute;
  description?: XmlAttribute;
  runtime?: XmlAttribute;
  runinterval?: XmlAttribute;
  priority?: XmlAttribute;
  cluster?: XmlAttribute;
  failreschedule?: XmlAttribute;
  maxfailures?: XmlAttribute;
  objectname?: XmlAttribute;
  taskrunner?: XmlAttribute;
  harescriptworkers?: XmlAttribute;
  harescriptworkerthreads?: XmlAttribute;
  when?: XmlAttribute;

  read(el: XmlElement): this {
    this.tag = this.type = this.script = this.runat = this.runtz = this.runatstartup = this.timeout = undefined;
    this.description = this.runtime = this.runinterval = this.priority = this.cluster = this.failreschedule = undefined;
    this.maxfailures = this.objectname = this.taskrunner = this.harescriptworkers = this.harescriptworkerthreads = this.when = undefined;
    const attrs = el.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i]!;
      switch (a.name) {
        case "tag":
          this.tag ??= a;
          break;
        case "type":
          this.type ??= a;
          break;
        case "script":
          this.script ??= a;
          break;
        case "runat":
          this.runat ??= a;
          break;
        case "runtz":
          this.runtz ??= a;
          break;
        case "runatstartup":
          this.runatstartup ??= a;
          break;
        case "timeout":
          this.timeout ??= a;
          break;
        case "description":
          this.description ??= a;
          break;
        case "runtime":
          this.runtime ??= a;
          break;
        case "runinterval":
          this.runinterval ??= a;
          break;
        case "priority":
          this.priority ??= a;
          break;
        case "cluster":
          this.cluster ??= a;
          break;
        case "failreschedule":
          this.failreschedule ??= a;
          break;
        case "maxfailures":
          this.maxfailures ??= a;
          break;
        case "objectname":
          this.objectname ??= a;
          break;
        case "taskrunner":
          this.taskrunner ??= a;
          break;
        case "harescriptworkers":
          this.harescriptworkers ??= a;
          break;
        case "harescriptworkerthreads":
          this.harescriptworkerthreads ??= a;
          break;
        case "when":
          this.when ??= a;
          break;
      }
    }
    return this;
  }
}

/** A non-negative integer attribute, or the default when absent or invalid (the checker reports it). */
function nonNegative(a: XmlAttribute | undefined, dflt: number): number {
  const n = parseInteger(a?.value ?? "");
  return n !== undefined && n >= 0 ? n : dflt;
}

const NORMAL = PRIORITIES.find((p) => p.value === "normal")!;

/** The priority named `v` (loops, not `find` with a closure: this runs per declaration). */
function priorityNamed(v: string): EnumValue | undefined {
  for (let i = 0; i < PRIORITIES.length; i++) if (PRIORITIES[i]!.value === v) return PRIORITIES[i];
  return undefined;
}

function isRunOnceWhen(v: string | undefined): v is RunOnceWhen {
  for (let i = 0; i < RUNONCE_WHEN.length; i++) if (RUNONCE_WHEN[i]!.value === v) return true;
  return false;
}

/** The `<arg>` children of a task (most tasks have none, and no children at all). */
function readArgs(el: XmlElement): { value: string; element: XmlElement }[] {
  const args: { value: string; element: XmlElement }[] = [];
  for (const c of el.children) if (c.type === "element" && c.localName === "arg") args.push({ value: c.textContent(), element: c });
  return args;
}

function readDeclaration(el: XmlElement, moduleName: string, picked: Picked): Declaration | undefined {
  switch (el.name) {
    case "task":
    case "managedtask":
    case "ephemeraltask":
    case "taskcluster":
    case "runonce":
    case "runatstartup":
      break;
    default:
      return undefined;
  }
  const applicability = readApplicability(el);
  const p = picked.read(el);
  switch (el.name) {
    case "task": {
      const tag = p.tag?.value ?? "";
      const timeoutRaw = p.timeout?.value;
      const timeout = timeoutRaw === undefined ? undefined : parseInteger(timeoutRaw);
      const d: ScheduledTaskDecl = {
        kind: "task",
        element: el,
        applicability,
        tag,
        fullName: `${moduleName}:${tag}`,
        script: p.script?.value ?? "",
        runat: p.runat?.value ?? "",
        runtz: p.runtz?.value ?? "",
        runAtStartup: parseBoolean(p.runatstartup?.value ?? "") ?? false,
        timeoutMinutes: timeout !== undefined && timeout > 0 ? timeout : 60,
        description: p.description?.value ?? "",
        args: readArgs(el),
      };
      const ref = p.script && parseTargetRef(p.script);
      if (ref) d.scriptRef = ref;
      if (timeoutRaw !== undefined) d.timeoutRaw = timeoutRaw;
      const runtime = p.runtime?.value;
      if (runtime !== undefined) d.runtime = runtime;
      const runinterval = p.runinterval?.value;
      if (runinterval !== undefined) d.runinterval = runinterval;
      return d;
    }
    case "managedtask":
    case "ephemeraltask": {
      const type = (p.type?.value ?? "").toLowerCase();
      const pv = p.priority?.value.trim();
      const priority = (pv !== undefined && priorityNamed(pv)) || NORMAL;
      const clusterRaw = (p.cluster?.value ?? "").trim();
      const d: QueuedTaskDecl = {
        kind: el.name,
        element: el,
        applicability,
        type,
        fullName: `${moduleName}:${type}`,
        priority: priority.number!,
        priorityName: priority.value as QueuedTaskDecl["priorityName"],
        timeoutMs: nonNegative(p.timeout, 0),
        failRescheduleMs: nonNegative(p.failreschedule, 900_000),
        cluster: clusterRaw === "" ? "system:default" : clusterRaw.includes(":") ? clusterRaw : `${moduleName}:${clusterRaw}`,
      };
      if (el.name === "managedtask") d.maxFailures = nonNegative(p.maxfailures, -1);
      const objRef = p.objectname && parseTargetRef(p.objectname);
      if (objRef) d.objectname = objRef;
      const runnerRef = p.taskrunner && parseTargetRef(p.taskrunner);
      if (runnerRef) d.taskrunner = runnerRef;
      return d;
    }
    case "taskcluster": {
      const tag = p.tag?.value ?? "";
      const workers = parseInteger(p.harescriptworkers?.value ?? "");
      const threads = parseInteger(p.harescriptworkerthreads?.value ?? "");
      const d: TaskClusterDecl = {
        kind: "taskcluster",
        element: el,
        applicability,
        tag,
        fullName: `${moduleName}:${tag}`,
        workers: workers !== undefined && workers >= 1 ? workers : 1,
      };
      if (threads !== undefined && threads >= 1) d.threads = threads;
      return d;
    }
    case "runonce": {
      const tag = p.tag?.value ?? "";
      const when = p.when?.value.trim();
      const d: RunOnceDecl = {
        kind: "runonce",
        element: el,
        applicability,
        tag,
        fullName: `${moduleName}:${tag}`,
        script: p.script?.value ?? "",
        when: isRunOnceWhen(when) ? when : "aftertablecreation",
      };
      const ref = p.script && parseTargetRef(p.script);
      if (ref) d.scriptRef = ref;
      return d;
    }
    case "runatstartup": {
      const d: RunAtStartupDecl = { kind: "runatstartup", element: el, applicability, script: p.script?.value ?? "", when: "afterlaunch" };
      const ref = p.script && parseTargetRef(p.script);
      if (ref) d.scriptRef = ref;
      return d;
    }
  }
  return undefined;
}
