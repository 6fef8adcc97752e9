import { nextAttemptAfterFailure } from "./policy";
import type { Resolution, TaskOutcome, TaskTypePolicy } from "./types";

/**
 * The queue's state machine, in one place: what a run's resolution does to its task row.
 * Pure (no I/O) so the SQLite and PostgreSQL stores, the worker and the dispatcher all apply
 * exactly the same rules, and tests can check them without a database.
 *
 *   pending --claim--> running --completed/permanent-failure/cancelled--> finished
 *                         |---temporary failure (retries left)/restart--> pending
 *                         |---temporary failure (no retries left)-------> finished (failed)
 */
export interface RunEnd {
  state: "pending" | "finished";
  outcome: TaskOutcome | null;
  finished: number | null;
  /** When state is pending: the next attempt (runAt = max(notBefore, this)). */
  nextAttempt: number | null;
  failures: number;
  iterations: number;
  /** Present when the run set a result (completion, failures or cancellation with a result). */
  result?: { value: unknown };
  /** Replaces the task's data (restart with newData). */
  data?: { value: unknown };
  auxdata?: { value: unknown };
  /** Error to record as lastError and append to the history. */
  error?: { message: string; stack?: string };
}

export function endOfRun(
  task: { failures: number; iterations: number },
  resolution: Resolution,
  policy: TaskTypePolicy,
  now: number,
): RunEnd {
  const iterations = task.iterations + 1;
  switch (resolution.kind) {
    case "completed":
      return { state: "finished", outcome: "completed", finished: now, nextAttempt: null, failures: task.failures, iterations, result: { value: resolution.result ?? null } };
    case "cancelled":
      // Cancellation is not an error: the failure count stays as it is.
      return {
        state: "finished",
        outcome: "cancelled",
        finished: now,
        nextAttempt: null,
        failures: task.failures,
        iterations,
        result: { value: resolution.result ?? null },
        error: { message: resolution.error },
      };
    case "permanent-failure":
      return {
        state: "finished",
        outcome: "failed",
        finished: now,
        nextAttempt: null,
        failures: task.failures + 1,
        iterations,
        ...(resolution.result !== undefined ? { result: { value: resolution.result } } : {}),
        error: { message: resolution.error },
      };
    case "temporary-failure": {
      const decision = nextAttemptAfterFailure({
        failuresSoFar: task.failures,
        maxFailures: policy.maxFailures,
        failRescheduleMs: policy.failRescheduleMs,
        now,
        nextRetry: resolution.nextRetry,
      });
      const common = {
        failures: task.failures + 1,
        iterations,
        ...(resolution.result !== undefined ? { result: { value: resolution.result } } : {}),
        error: { message: resolution.error, ...(resolution.stack ? { stack: resolution.stack } : {}) },
      };
      return decision.final
        ? { state: "finished", outcome: "failed", finished: now, nextAttempt: null, ...common }
        : { state: "pending", outcome: null, finished: null, nextAttempt: decision.nextAttempt, ...common };
    }
    case "restart":
      // A restart is progress, not failure: the failure count starts again (chunked long jobs).
      return {
        state: "pending",
        outcome: null,
        finished: null,
        nextAttempt: Math.max(now, resolution.when),
        failures: 0,
        iterations,
        ...(resolution.hasNewData ? { data: { value: resolution.newData ?? null } } : {}),
        ...(resolution.hasAuxData ? { auxdata: { value: resolution.auxData ?? null } } : {}),
      };
  }
}

/** Why a resolution is refused for an ephemeral task (they can only complete). */
export function ephemeralResolutionError(resolution: Resolution): string | undefined {
  if (resolution.kind === "completed") return undefined;
  if (resolution.kind === "restart") return "Task restarting is not supported for ephemeral tasks";
  if (resolution.kind === "temporary-failure" || resolution.kind === "permanent-failure") return resolution.error;
  return resolution.error || "Task was cancelled";
}

/** WebHare: a result must be an object (arrays are objects there too) or null; its message. */
export function resultError(result: unknown): string | undefined {
  if (result === undefined || typeof result === "object") return undefined;
  return `Task response result is not an object|null, but ${typeof result}`;
}
