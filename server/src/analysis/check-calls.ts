/**
 * Checks the scheduling calls of a code file against the declarations of every module in the
 * workspace: the module and the type (or tag) must exist, and the function must fit the kind
 * (a managed type to scheduleManagedTask, an ephemeral one to scheduleEphemeralTask, a `<task>`
 * tag to scheduleTimedTask). Messages use the runtime's wording where it has one.
 */
import type { Finding } from "../../../runtime/src/text/finding";
import { closestMatch } from "../../../runtime/src/text/suggest";
import { CODE_FILE_CODES } from "../protocol";
import type { ScheduleCall } from "./schedule-calls";

export type DeclaredKind = "managed" | "ephemeral" | "scheduled";

/** A task declared somewhere in the workspace, as code refers to it. */
export interface DeclaredTask {
  /** `module:type` (type lower-cased) or `module:tag`. */
  fullName: string;
  module: string;
  /** Type (lower-cased) or tag. */
  name: string;
  kind: DeclaredKind;
}

/** What the checks need to know about the workspace. */
export interface TaskLookup {
  /** Declared tasks of a module (module names compare case-insensitively); undefined when the module is not in the workspace. */
  tasksOf(module: string): readonly DeclaredTask[] | undefined;
  allTasks(): readonly DeclaredTask[];
  /** Whether the workspace has any module definition at all (if not, code is not ours to judge). */
  hasModules(): boolean;
}

const ELEMENT: Record<DeclaredKind, string> = { managed: "<managedtask>", ephemeral: "<ephemeraltask>", scheduled: "<task>" };
const FUNCTION_FOR: Record<DeclaredKind, string> = { managed: "scheduleManagedTask", ephemeral: "scheduleEphemeralTask", scheduled: "scheduleTimedTask" };
const NOUN: Record<DeclaredKind, string> = { managed: "managed task type", ephemeral: "ephemeral task type", scheduled: "scheduled task" };

/** Whether a declared task answers to a name as code writes it (types are case-insensitive at run time, tags are not). */
export function matchesTask(t: DeclaredTask, module: string, name: string): boolean {
  if (t.module.toLowerCase() !== module.toLowerCase()) return false;
  return t.kind === "scheduled" ? t.name === name : t.name === name.toLowerCase();
}

/** Splits `module:name`; undefined when it is not of that form. */
export function splitTaskName(full: string): { module: string; name: string } | undefined {
  const m = /^([A-Za-z0-9_$.-]+):([A-Za-z_$][A-Za-z0-9_$]*)$/.exec(full);
  return m ? { module: m[1]!, name: m[2]! } : undefined;
}

export function checkScheduleCalls(calls: readonly ScheduleCall[], lookup: TaskLookup): Finding[] {
  if (!lookup.hasModules()) return [];
  const out: Finding[] = [];
  for (const call of calls) {
    const f = checkCall(call, lookup);
    if (f) out.push(f);
  }
  return out;
}

function suggestionFinding(call: ScheduleCall, code: string, severity: Finding["severity"], message: string, suggestion: string | undefined): Finding {
  const f: Finding = { span: call.span.end > call.span.start ? call.span : call.literalSpan, severity, code, message: suggestion ? `${message}; did you mean '${suggestion}'?` : message };
  if (suggestion) f.data = { replacement: suggestion, fixTitle: `Change to '${suggestion}'` };
  return f;
}

function checkCall(call: ScheduleCall, lookup: TaskLookup): Finding | undefined {
  const sameKind = lookup.allTasks().filter((t) => t.kind === call.kind);
  const parts = splitTaskName(call.name);
  if (!parts) {
    // `greet` instead of `hello:greet`: suggest the qualified name when one module declares it.
    const bare = call.name.trim();
    const owners = sameKind.filter((t) => (t.kind === "scheduled" ? t.name === bare : t.name === bare.toLowerCase()));
    const suggestion = owners.length === 1 ? owners[0]!.fullName : closestMatch(call.name, sameKind.map((t) => t.fullName));
    return suggestionFinding(
      call,
      CODE_FILE_CODES.invalidTaskName,
      "error",
      `Invalid task type '${call.name}': ${call.fn} needs 'module:${call.kind === "scheduled" ? "tag" : "type"}'`,
      suggestion,
    );
  }
  const tasks = lookup.tasksOf(parts.module);
  if (!tasks) {
    const suggestion = closestMatch(call.name, sameKind.map((t) => t.fullName));
    if (suggestion) return suggestionFinding(call, call.kind === "scheduled" ? CODE_FILE_CODES.unknownScheduledTask : CODE_FILE_CODES.unknownTaskType, "warning", `No module '${parts.module}' in the workspace`, suggestion);
    return {
      span: call.span,
      severity: "info",
      code: CODE_FILE_CODES.moduleNotInWorkspace,
      message: `Module '${parts.module}' is not in the workspace; '${call.name}' was not checked`,
    };
  }
  const found = tasks.find((t) => t.kind === call.kind && matchesTask(t, parts.module, parts.name));
  if (found) return undefined;
  const other = tasks.find((t) => t.kind !== call.kind && matchesTask(t, parts.module, parts.name));
  if (other) {
    return {
      span: call.span,
      severity: "error",
      code: CODE_FILE_CODES.taskKindMismatch,
      message: `'${other.fullName}' is declared as ${ELEMENT[other.kind]}, not ${ELEMENT[call.kind]}: ${other.kind === "scheduled" ? "trigger" : "schedule"} it with ${FUNCTION_FOR[other.kind]}`,
      // The plural form takes an array of data: no one-word fix for it.
      ...(call.fn === "scheduleManagedTasks" ? {} : { data: { edits: [{ span: call.fnSpan, newText: FUNCTION_FOR[other.kind] }], fixTitle: `Use ${FUNCTION_FOR[other.kind]}` } }),
    };
  }
  const local = tasks.filter((t) => t.kind === call.kind).map((t) => t.fullName);
  const suggestion = closestMatch(call.name, local) ?? closestMatch(call.name, sameKind.map((t) => t.fullName));
  const code = call.kind === "scheduled" ? CODE_FILE_CODES.unknownScheduledTask : CODE_FILE_CODES.unknownTaskType;
  return suggestionFinding(call, code, "error", `No such ${NOUN[call.kind]} '${call.name}'`, suggestion);
}
