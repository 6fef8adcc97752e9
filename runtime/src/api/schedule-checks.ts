/**
 * Checks of scheduling options beyond what the queue stores need: values that would be stored
 * but make no sense, refused with a message that says what is allowed.
 */
import { ScheduleError } from "../queue/scheduling";
import type { ScheduleOptions } from "../queue/types";

/** Numeric priorities: well around WebHare's five levels (-300 … 100); lower runs first. */
export const MIN_PRIORITY = -1000;
export const MAX_PRIORITY = 1000;

export const PRIORITY_HELP = `background, normal, interactive, update, updateinteractive, or an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}`;

export function checkScheduleOptions(opts: ScheduleOptions): void {
  const p = opts.priority;
  if (typeof p === "number" && !(Number.isInteger(p) && p >= MIN_PRIORITY && p <= MAX_PRIORITY)) throw new ScheduleError(`Invalid priority ${p}: use ${PRIORITY_HELP}`);
  const t = opts.timeout;
  // Any length works (timers wait in steps); beyond 2^53 the number itself is no longer exact.
  if (typeof t === "number" && !(Number.isSafeInteger(t) && t >= 0)) throw new ScheduleError(`Invalid timeout ${t}: milliseconds, a whole number from 0 (no timeout) to ${Number.MAX_SAFE_INTEGER}`);
}
