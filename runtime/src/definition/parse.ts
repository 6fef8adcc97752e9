import type { Finding } from "../text/finding";
import { LineIndex } from "../text/line-index";
import { parseXml } from "../xml/parser";
import type { XmlElement } from "../xml/types";
import { readApplicability } from "./applicability";
import { CODES } from "./codes";
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
import { MODULEDEFINITION_NAMESPACE, PRIORITIES, RUNONCE_WHEN } from "./schema";
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
    findings.push({
      span: root.nameSpan,
      severity: "error",
      code: CODES.notAModuleDefinition,
      message: `The root element of a module definition must be <module>, not <${root.name}>`,
    });
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

  for (const el of sm.elements()) {
    const decl = readDeclaration(el, moduleName);
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

/** An attribute's value, or undefined. (A function, not a closure: hot paths avoid closures.) */
function val(el: XmlElement, name: string): string | undefined {
  return el.attr(name)?.value;
}

/** A non-negative integer attribute, or the default when absent or invalid (the checker reports it). */
function nonNegative(el: XmlElement, name: string, dflt: number): number {
  const n = parseInteger(val(el, name) ?? "");
  return n !== undefined && n >= 0 ? n : dflt;
}

const NORMAL = PRIORITIES.find((p) => p.value === "normal")!;

function readDeclaration(el: XmlElement, moduleName: string): Declaration | undefined {
  const applicability = readApplicability(el);
  switch (el.name) {
    case "task": {
      const tag = val(el, "tag") ?? "";
      const timeoutRaw = val(el, "timeout");
      const timeout = timeoutRaw === undefined ? undefined : parseInteger(timeoutRaw);
      const d: ScheduledTaskDecl = {
        kind: "task",
        element: el,
        applicability,
        tag,
        fullName: `${moduleName}:${tag}`,
        script: val(el, "script") ?? "",
        runat: val(el, "runat") ?? "",
        runtz: val(el, "runtz") ?? "",
        runAtStartup: parseBoolean(val(el, "runatstartup") ?? "") ?? false,
        timeoutMinutes: timeout !== undefined && timeout > 0 ? timeout : 60,
        description: val(el, "description") ?? "",
        args: el.elements("arg").map((a) => ({ value: a.textContent(), element: a })),
      };
      const script = el.attr("script");
      const ref = script && parseTargetRef(script);
      if (ref) d.scriptRef = ref;
      if (timeoutRaw !== undefined) d.timeoutRaw = timeoutRaw;
      const runtime = val(el, "runtime");
      if (runtime !== undefined) d.runtime = runtime;
      const runinterval = val(el, "runinterval");
      if (runinterval !== undefined) d.runinterval = runinterval;
      return d;
    }
    case "managedtask":
    case "ephemeraltask": {
      const type = (val(el, "type") ?? "").toLowerCase();
      const pv = val(el, "priority")?.trim();
      const priority = (pv !== undefined && PRIORITIES.find((p) => p.value === pv)) || NORMAL;
      const clusterRaw = (val(el, "cluster") ?? "").trim();
      const d: QueuedTaskDecl = {
        kind: el.name,
        element: el,
        applicability,
        type,
        fullName: `${moduleName}:${type}`,
        priority: priority.number!,
        priorityName: priority.value as QueuedTaskDecl["priorityName"],
        timeoutMs: nonNegative(el, "timeout", 0),
        failRescheduleMs: nonNegative(el, "failreschedule", 900_000),
        cluster: clusterRaw === "" ? "system:default" : clusterRaw.includes(":") ? clusterRaw : `${moduleName}:${clusterRaw}`,
      };
      if (el.name === "managedtask") d.maxFailures = nonNegative(el, "maxfailures", -1);
      const obj = el.attr("objectname");
      const objRef = obj && parseTargetRef(obj);
      if (objRef) d.objectname = objRef;
      const runner = el.attr("taskrunner");
      const runnerRef = runner && parseTargetRef(runner);
      if (runnerRef) d.taskrunner = runnerRef;
      return d;
    }
    case "taskcluster": {
      const tag = val(el, "tag") ?? "";
      const workers = parseInteger(val(el, "harescriptworkers") ?? "");
      const threads = parseInteger(val(el, "harescriptworkerthreads") ?? "");
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
      const tag = val(el, "tag") ?? "";
      const when = val(el, "when")?.trim();
      const d: RunOnceDecl = {
        kind: "runonce",
        element: el,
        applicability,
        tag,
        fullName: `${moduleName}:${tag}`,
        script: val(el, "script") ?? "",
        when: RUNONCE_WHEN.some((w) => w.value === when) ? (when as RunOnceWhen) : "aftertablecreation",
      };
      const script = el.attr("script");
      const ref = script && parseTargetRef(script);
      if (ref) d.scriptRef = ref;
      return d;
    }
    case "runatstartup": {
      const d: RunAtStartupDecl = { kind: "runatstartup", element: el, applicability, script: val(el, "script") ?? "", when: "afterlaunch" };
      const script = el.attr("script");
      const ref = script && parseTargetRef(script);
      if (ref) d.scriptRef = ref;
      return d;
    }
  }
  return undefined;
}
