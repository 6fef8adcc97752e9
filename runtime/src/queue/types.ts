/**
 * The managed-task queue's vocabulary, shared by every storage, the dispatcher, the workers and
 * the public API. A task row moves pending → running → (pending again | finished); see lifecycle.ts.
 */

export type TaskState = "pending" | "running" | "finished";
/** How a finished task ended. */
export type TaskOutcome = "completed" | "failed" | "cancelled";

/** One error a run recorded (newest last in TaskRecord.errors). */
export interface TaskErrorEntry {
  at: number;
  error: string;
  stack?: string;
}

/** A task as stored, with times as epoch milliseconds. */
export interface TaskRecord {
  id: number;
  type: string;
  state: TaskState;
  outcome: TaskOutcome | null;
  data: unknown;
  auxdata: unknown;
  priority: number;
  created: number;
  /** Not before this time (0 = no constraint). Retries never bypass it. */
  notBefore: number;
  nextAttempt: number;
  /** max(notBefore, nextAttempt): the order key of runnable tasks. */
  runAt: number;
  /** Per-task timeout override in ms (null = the type's). */
  timeout: number | null;
  failures: number;
  iterations: number;
  lastError: string | null;
  lastStack: string | null;
  errors: TaskErrorEntry[];
  result: unknown;
  finished: number | null;
  started: number | null;
  leaseOwner: string | null;
  leaseToken: string | null;
  leaseExpires: number | null;
  cancelRequested: boolean;
  metadata: Record<string, unknown> | null;
}

/** What the dispatcher needs to run a claimed task. */
export interface ClaimedTask {
  id: number;
  type: string;
  data: unknown;
  auxdata: unknown;
  priority: number;
  timeout: number | null;
  failures: number;
  iterations: number;
  leaseToken: string;
  runAt: number;
}

/** The five resolutions of a run, plus the failures the runtime records on the task's behalf. */
export type Resolution =
  | { kind: "completed"; result: unknown }
  | { kind: "permanent-failure"; error: string; result?: unknown }
  | { kind: "temporary-failure"; error: string; stack?: string; result?: unknown; nextRetry?: number | null }
  | { kind: "restart"; when: number; newData?: unknown; auxData?: unknown; hasNewData: boolean; hasAuxData: boolean }
  | { kind: "cancelled"; result: unknown; error: string };

/** The declared (and overridable) properties of a task type that the queue's policy needs. */
export interface TaskTypePolicy {
  /** ms, 0 = none. */
  timeoutMs: number;
  failRescheduleMs: number;
  /** -1 = retry forever, 0 = never retry, N = at most N+1 attempts. */
  maxFailures: number;
}

/** Options accepted when scheduling a managed task. */
export interface ScheduleOptions {
  notBefore?: Date | number | null;
  priority?: PriorityName | number;
  timeout?: number;
  auxdata?: unknown;
}

export const PRIORITIES = {
  background: 100,
  normal: 0,
  interactive: -100,
  update: -200,
  updateinteractive: -300,
} as const;
export type PriorityName = keyof typeof PRIORITIES;

/** Filter for listing tasks. `typeMask` accepts `*` and `?` wildcards (`mymodule:*`). */
export interface ListTasksOptions {
  typeMask?: string;
  createdAfter?: number;
  onlyPending?: boolean;
  /** "stuck": unfinished, created over an hour ago and past notBefore (WebHare's check). */
  state?: TaskState | "retrying" | "failed" | "completed" | "cancelled" | "stuck";
  limit?: number;
}
