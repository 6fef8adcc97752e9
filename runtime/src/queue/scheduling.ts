import { JsonValueError, toJsonText } from "./json-value";
import { priorityValue } from "./policy";
import type { NewTaskRow } from "./store";
import { TASK_NAME_PATTERN, type TaskTypeInfo, type TaskTypeLookup } from "./task-types";
import type { ScheduleOptions } from "./types";

/** A scheduling call the caller got wrong: thrown at once, before anything is written. */
export class ScheduleError extends Error {}

/** Numeric priorities: well around WebHare's five levels (-300 … 100); lower runs first. */
export const MIN_PRIORITY = -1000;
export const MAX_PRIORITY = 1000;

export const PRIORITY_HELP = `background, normal, interactive, update, updateinteractive, or an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}`;

/** Validates a managed-task type name against the declarations; WebHare's messages. */
export function resolveManagedType(lookup: TaskTypeLookup, type: string): TaskTypeInfo {
  if (typeof type !== "string" || !TASK_NAME_PATTERN.test(type)) throw new ScheduleError(`Invalid task type ${JSON.stringify(type)}: expected 'module:type'`);
  const info = lookup(type.toLowerCase());
  if (!info) throw new ScheduleError(`No such managed task type '${type}'`);
  if (info.kind !== "managed") throw new ScheduleError(`'${type}' is an ephemeral task; use scheduleEphemeralTask`);
  return info;
}

/**
 * A type that can be scheduled: declared as a managed task, and runnable. WebHare refuses
 * unknown types at schedule time; a declaration that cannot run (missing file or export, a class
 * that is no task, HareScript) is refused too, instead of a task that would only fail and retry.
 * Every way of scheduling (application transactions, a running task, the control socket) uses it.
 */
export function resolveSchedulableType(lookup: TaskTypeLookup, type: string): TaskTypeInfo {
  const info = resolveManagedType(lookup, type);
  if (info.unrunnable) throw new ScheduleError(`Cannot schedule ${info.name}: ${info.unrunnable}`);
  return info;
}

function toTime(v: Date | number | null | undefined, what: string): number {
  if (v === null || v === undefined) return 0;
  const t = v instanceof Date ? v.getTime() : v;
  if (typeof t !== "number" || !Number.isFinite(t)) throw new ScheduleError(`${what} must be a Date or epoch milliseconds`);
  return t;
}

/** Turns a scheduling call into rows, applying the declaration's defaults; throws ScheduleError. */
export function buildTaskRows(info: TaskTypeInfo, datas: unknown[], opts: ScheduleOptions, now: number): NewTaskRow[] {
  const priority = opts.priority === undefined ? info.priority : priorityValue(opts.priority);
  if (priority === undefined || (typeof opts.priority === "number" && !(priority >= MIN_PRIORITY && priority <= MAX_PRIORITY))) {
    throw new ScheduleError(`Invalid priority ${JSON.stringify(opts.priority)}: use ${PRIORITY_HELP}`);
  }
  // Any length works (timers wait in steps); beyond 2^53 the number itself is no longer exact.
  if (opts.timeout !== undefined && opts.timeout !== null && !(Number.isSafeInteger(opts.timeout) && opts.timeout >= 0)) {
    throw new ScheduleError(`Invalid timeout ${JSON.stringify(opts.timeout)}: milliseconds, a whole number from 0 (no timeout) to ${Number.MAX_SAFE_INTEGER}`);
  }
  const notBefore = toTime(opts.notBefore, "notBefore");
  let auxdataJson: string | null = null;
  try {
    if (opts.auxdata !== undefined && opts.auxdata !== null) auxdataJson = toJsonText(opts.auxdata, "auxdata");
    return datas.map((data, i) => ({
      type: info.name,
      dataJson: toJsonText(data ?? null, datas.length > 1 ? `data[${i}]` : "data"),
      auxdataJson,
      priority,
      created: now,
      notBefore,
      timeout: opts.timeout ?? null,
    }));
  } catch (e) {
    if (e instanceof JsonValueError) throw new ScheduleError(`Cannot schedule ${info.name}: ${e.message}`);
    throw e;
  }
}
