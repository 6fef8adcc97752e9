import { PRIORITIES, type PriorityName } from "./types";

/**
 * WebHare's retry policy, written down once. For a failure: if maxFailures >= 0 and the task has
 * already failed maxFailures times, the failure is final. Otherwise the next attempt is the
 * explicit nextRetry (never before now), else now + 1 day once failures >= 6, else
 * now + failReschedule * 2^failures. With the default base: 15m, 30m, 1h, 2h, 4h, 8h, 24h, 24h...
 */
export function nextAttemptAfterFailure(opts: {
  failuresSoFar: number;
  maxFailures: number;
  failRescheduleMs: number;
  now: number;
  nextRetry?: number | null;
}): { final: true } | { final: false; nextAttempt: number } {
  const { failuresSoFar, maxFailures, failRescheduleMs, now, nextRetry } = opts;
  if (maxFailures >= 0 && failuresSoFar >= maxFailures) return { final: true };
  if (nextRetry !== undefined && nextRetry !== null) return { final: false, nextAttempt: Math.max(now, nextRetry) };
  if (failuresSoFar >= 6) return { final: false, nextAttempt: now + DAY_MS };
  return { final: false, nextAttempt: now + failRescheduleMs * 2 ** failuresSoFar };
}

export const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_FAIL_RESCHEDULE_MS = 15 * 60 * 1000;
/** Finished tasks are kept this long, then purged (WebHare: 3 days). */
export const DEFAULT_KEEP_FINISHED_MS = 3 * DAY_MS;
/** WebHare's "stuck" check: unfinished, older than an hour, and past notBefore. */
export const STUCK_AFTER_MS = 60 * 60 * 1000;
/** How many past errors a task keeps (the newest win). */
export const MAX_ERROR_HISTORY = 10;

/** WebHare's wording: `after 100ms`, or `after 3s` when a whole number of seconds. */
export function timeoutMessage(ms: number): string {
  return `Task has timed out after ${ms % 1000 === 0 && ms > 0 ? `${ms / 1000}s` : `${ms}ms`}`;
}

/** Accepts a priority name or number; undefined when neither. */
export function priorityValue(p: PriorityName | number | string | undefined | null): number | undefined {
  if (p === undefined || p === null) return undefined;
  if (typeof p === "number") return Number.isInteger(p) ? p : undefined;
  return Object.prototype.hasOwnProperty.call(PRIORITIES, p) ? PRIORITIES[p as PriorityName] : undefined;
}

/** Name of a numeric priority if it is one of the five levels, else the number as text. */
export function priorityName(n: number): string {
  for (const [name, v] of Object.entries(PRIORITIES)) if (v === n) return name;
  return String(n);
}
