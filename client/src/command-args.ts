/**
 * What commands receive: the language server's CodeLens passes `{ kind, name, uri, range }`
 * (server/src/protocol.ts), tree items pass their node, the palette passes nothing, and scripts
 * or tests may pass plain ids and names. These functions turn any of those into what the command
 * needs, or undefined (the command then asks). No `vscode` import.
 */

export type TaskKind = "managed" | "ephemeral" | "scheduled";

export interface RangeLike {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface RunTaskArgs {
  kind: TaskKind;
  /** `module:type` or `module:tag`. */
  name: string;
  /** The declaring moduledefinition.xml (a URI string), when known. */
  uri?: string;
  range?: RangeLike;
  /** Data given by the caller (skips the input box); `hasData` tells `null` from absent. */
  data?: unknown;
  hasData: boolean;
}

const KINDS: readonly string[] = ["managed", "ephemeral", "scheduled"];
const NAME = /^[A-Za-z_$][\w$.-]*:[A-Za-z_$][\w$]*$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isPosition(v: unknown): v is RangeLike["start"] {
  return isRecord(v) && Number.isInteger(v.line) && Number.isInteger(v.character);
}

function rangeOf(v: unknown): RangeLike | undefined {
  if (Array.isArray(v) && v.length === 2 && isPosition(v[0]) && isPosition(v[1])) return { start: v[0], end: v[1] };
  if (isRecord(v) && isPosition(v.start) && isPosition(v.end)) return { start: { line: v.start.line, character: v.start.character }, end: { line: v.end.line, character: v.end.character } };
  return undefined;
}

/** Whether `name` looks like `module:type` (WebHare's names: a module, a colon, an identifier). */
export function isTaskName(name: unknown): name is string {
  return typeof name === "string" && NAME.test(name);
}

/** Arguments of `modtasks.runTask`; undefined when the caller gave none (or nothing usable). */
export function parseRunTaskArgs(arg: unknown): RunTaskArgs | undefined {
  if (Array.isArray(arg)) return parseRunTaskArgs(arg[0]);
  if (!isRecord(arg)) return undefined;
  const kind = typeof arg.kind === "string" ? arg.kind.toLowerCase() : "";
  const name = arg.name ?? arg.type ?? arg.tag;
  if (!KINDS.includes(kind) || !isTaskName(name)) return undefined;
  const out: RunTaskArgs = { kind: kind as TaskKind, name, hasData: "data" in arg };
  if (typeof arg.uri === "string") out.uri = arg.uri;
  else if (isRecord(arg.uri) && typeof arg.uri.toString === "function" && arg.uri.toString !== Object.prototype.toString) out.uri = String(arg.uri);
  const range = rangeOf(arg.range);
  if (range) out.range = range;
  if (out.hasData) out.data = arg.data;
  return out;
}

/** A task id from a tree node (`{ taskId }` or `{ task: { id } }`), a number or a numeric string. */
export function taskIdFromArg(arg: unknown): number | undefined {
  const asId = (v: unknown): number | undefined => {
    const n = typeof v === "string" && /^\s*#?\d+\s*$/.test(v) ? Number(v.replace("#", "")) : v;
    return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
  };
  if (Array.isArray(arg)) return taskIdFromArg(arg[0]);
  if (isRecord(arg)) {
    if (arg.taskId !== undefined) return asId(arg.taskId);
    if (isRecord(arg.task)) return asId(arg.task.id);
    return undefined;
  }
  return asId(arg);
}

/** A scheduled task's `module:tag` from a tree node (`{ scheduled: { name } }`, `{ name }`) or a string. */
export function scheduledNameFromArg(arg: unknown): string | undefined {
  if (Array.isArray(arg)) return scheduledNameFromArg(arg[0]);
  if (isTaskName(arg)) return arg;
  if (!isRecord(arg)) return undefined;
  if (isRecord(arg.scheduled) && isTaskName(arg.scheduled.name)) return arg.scheduled.name;
  if ((arg.kind === undefined || arg.kind === "scheduled") && isTaskName(arg.name)) return arg.name;
  return undefined;
}

/** A service's name (`module:name`) or declaration key (`module:lib/x.ts`, a `<runatstartup>` script). */
const SERVICE = /^[\w.-]+:[\w.\/-]+$/;

/** A backend service from a tree node (`{ kind: "service", name }`, `{ service: { name, key } }`) or a string. */
export function serviceNameFromArg(arg: unknown): string | undefined {
  if (Array.isArray(arg)) return serviceNameFromArg(arg[0]);
  if (typeof arg === "string") return SERVICE.test(arg.trim()) ? arg.trim() : undefined;
  if (!isRecord(arg)) return undefined;
  if (isRecord(arg.service)) return serviceNameFromArg(arg.service.name ?? arg.service.key);
  if (arg.kind === "service") return serviceNameFromArg(arg.name);
  return undefined;
}
