import type { Finding } from "../text/finding";
import type { Span } from "../text/span";
import { closestMatch } from "../text/suggest";
import type { XmlAttribute } from "../xml/types";
import { serverTypeRank } from "./applicability";
import { valueRange } from "./check-structure";
import { CODES } from "./codes";
import type { Declaration, ModuleDefinition } from "./model";
import { QUALIFIED_NAME_PATTERN, describeDuration, isName, parseInteger } from "./values";

/**
 * Checks of what the declarations mean together, beyond their form: duplicate names, task
 * targets, clusters, units of timeouts, settings that have no effect. WebHare checks none of these
 * (see the reference); each is a mistake that otherwise only shows at run time.
 */
export function checkDeclarations(def: ModuleDefinition, out: Finding[]): void {
  checkDuplicates(def, out);
  checkQueuedTasks(def, out);
  checkScheduledTasks(def, out);
  for (const d of def.declarations) checkServerTypeRange(d, out);
}

/** Suspicious thresholds for timeouts: above 12 hours on `<task>` (minutes), below 1 second on queued tasks (ms). */
export const TASK_TIMEOUT_WARN_MINUTES = 720;
export const QUEUED_TIMEOUT_WARN_MS = 1000;

function checkDuplicates(def: ModuleDefinition, out: Finding[]): void {
  const groups: { decls: Declaration[]; attr: string; code: string; what: string; fold: boolean }[] = [
    { decls: def.scheduledTasks, attr: "tag", code: CODES.duplicateTag, what: "<task> tag", fold: false },
    { decls: def.runOnce, attr: "tag", code: CODES.duplicateTag, what: "<runonce> tag", fold: false },
    { decls: def.clusters, attr: "tag", code: CODES.duplicateTag, what: "<taskcluster> tag", fold: false },
    // Types are lower-cased at run time, so `MyTask` and `mytask` are the same type.
    { decls: def.queuedTasks, attr: "type", code: CODES.duplicateType, what: "task type", fold: true },
  ];
  for (const g of groups) {
    const seen = new Map<string, XmlAttribute>();
    for (const d of g.decls) {
      const a = d.element.attr(g.attr);
      if (!a || !isName(a.value)) continue;
      const key = g.fold ? a.value.toLowerCase() : a.value;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, a);
        continue;
      }
      const line = lineOf(def, first.valueSpan.start);
      const sameCase = first.value === a.value;
      out.push({
        span: a.valueSpan,
        severity: "error",
        code: g.code,
        message: `Duplicate ${g.what} '${a.value}': ${sameCase ? "already declared" : `'${first.value}' (the same type: types are case-insensitive) is declared`} on line ${line}`,
        data: { related: [{ span: first.valueSpan, message: `first declared here` }] },
      });
    }
  }
}

function checkQueuedTasks(def: ModuleDefinition, out: Finding[]): void {
  const localClusters = def.clusters.map((c) => c.tag).filter((t) => t !== "");
  for (const d of def.queuedTasks) {
    const el = d.element;
    const obj = el.attr("objectname");
    const runner = el.attr("taskrunner");
    if (!obj && !runner) {
      out.push({
        span: el.nameSpan,
        severity: "error",
        code: CODES.missingTaskTarget,
        message: `<${el.name}${d.type ? ` type="${d.type}"` : ""}> needs objectname="path#ClassName" (a class extending ManagedTaskBase) or taskrunner="path#functionName"`,
      });
    } else if (obj && runner) {
      const second = obj.span.start > runner.span.start ? obj : runner;
      out.push({
        span: second.nameSpan,
        severity: "error",
        code: CODES.conflictingTaskTarget,
        message: `<${el.name}> has both objectname and taskrunner; give only one (objectname for a task class, taskrunner for a function)`,
        data: { related: [{ span: (second === obj ? runner : obj).nameSpan, message: "the other one" }], edits: [{ span: removalSpan(def.text, second), newText: "" }], fixTitle: `Remove '${second.name}'` },
      });
    }
    const maxf = el.attr("maxfailures");
    if (maxf && d.kind === "ephemeraltask") {
      out.push({
        span: maxf.span,
        severity: "error",
        code: CODES.maxfailuresOnEphemeral,
        message: "maxfailures is not allowed on <ephemeraltask>: ephemeral tasks are never retried (a failure rejects the caller's promise)",
        data: { edits: [{ span: removalSpan(def.text, maxf), newText: "" }], fixTitle: "Remove 'maxfailures'" },
      });
    }
    const cluster = el.attr("cluster");
    if (cluster && QUALIFIED_NAME_PATTERN.test(cluster.value)) checkCluster(def, cluster, localClusters, out);
    const timeout = el.attr("timeout");
    const ms = timeout ? parseInteger(timeout.value) : undefined;
    if (timeout && ms !== undefined && ms > 0 && ms < QUEUED_TIMEOUT_WARN_MS) {
      out.push({
        span: valueRange(timeout),
        severity: "warning",
        code: CODES.timeoutUnits,
        message: `timeout on <${el.name}> is in milliseconds: ${ms} ms. For ${ms} seconds write timeout="${ms * 1000}"`,
        data: { replacement: String(ms * 1000), fixTitle: `Change to '${ms * 1000}' (${ms} seconds)` },
      });
    }
  }
}

function checkCluster(def: ModuleDefinition, cluster: XmlAttribute, localClusters: string[], out: Finding[]): void {
  const v = cluster.value;
  const colon = v.indexOf(":");
  const module = colon >= 0 ? v.slice(0, colon) : def.moduleName;
  const tag = colon >= 0 ? v.slice(colon + 1) : v;
  // `${module}:${tag}` === "system:default", without building the string (that has one colon).
  if (module === "system" && tag === "default") return;
  if (module !== def.moduleName) return; // another module's cluster: not ours to check
  if (localClusters.includes(tag)) return;
  const suggestion = v === "default" ? "system:default" : closestMatch(tag, localClusters);
  const known = ["system:default", ...localClusters].join(", ");
  out.push({
    span: cluster.valueSpan,
    severity: "error",
    code: CODES.unknownCluster,
    message: `Unknown cluster '${v}': no <taskcluster tag="${tag}"> in this module${suggestion ? `; did you mean '${suggestion}'?` : `; known clusters: ${known}`}`,
    ...(suggestion ? { data: { replacement: suggestion, fixTitle: `Change to '${suggestion}'` } } : {}),
  });
}

function checkScheduledTasks(def: ModuleDefinition, out: Finding[]): void {
  for (const d of def.scheduledTasks) {
    const el = d.element;
    const timeout = el.attr("timeout");
    const minutes = timeout ? parseInteger(timeout.value) : undefined;
    if (timeout && minutes !== undefined && minutes > TASK_TIMEOUT_WARN_MINUTES) {
      const asSeconds = minutes % 60 === 0 ? minutes / 60 : undefined;
      out.push({
        span: valueRange(timeout),
        severity: "warning",
        code: CODES.timeoutUnits,
        message: `timeout on <task> is in minutes: ${minutes} minutes = ${describeDuration(minutes * 60_000)}${asSeconds ? `. If you meant ${minutes} seconds, write timeout="${asSeconds}"` : ""}`,
        ...(asSeconds ? { data: { replacement: String(asSeconds), fixTitle: `Change to '${asSeconds}' (minutes)` } } : {}),
      });
    }
    const runtz = el.attr("runtz");
    if (runtz && runtz.value.trim() !== "" && d.runat.trim() === "") {
      out.push({
        span: runtz.span,
        severity: "warning",
        code: CODES.runtzWithoutRunat,
        message: "runtz has no effect: this task has no runat mask, so it only runs at startup or by hand",
        tags: ["unnecessary"],
      });
    }
  }
}

function checkServerTypeRange(d: Declaration, out: Finding[]): void {
  const { minServerType: min, maxServerType: max } = d.applicability;
  if (!min || !max || serverTypeRank(min) <= serverTypeRank(max)) return;
  const attr = d.element.attr("maxservertype")!;
  out.push({
    span: attr.valueSpan,
    severity: "warning",
    code: CODES.serverTypeRange,
    message: `minservertype '${min}' is above maxservertype '${max}': this declaration applies to no server (stages: development < test < acceptance < production)`,
  });
}

/** An attribute plus the white space before it, so removing it leaves a tidy tag. */
function removalSpan(text: string, attr: XmlAttribute): Span {
  let start = attr.span.start;
  while (start > 0 && /[ \t]/.test(text[start - 1]!)) start--;
  return { start, end: attr.span.end };
}

function lineOf(def: ModuleDefinition, offset: number): number {
  return def.lines.positionAt(offset).line + 1;
}

