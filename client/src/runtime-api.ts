/**
 * The shapes the extension exchanges with the modtasks runtime over its control socket
 * (`runtime/src/control/protocol.ts`; ops in `runtime/src/engine/control-ops.ts`). Types only:
 * the runtime's own declarations where they exist, so a change there breaks the typecheck here.
 * No `vscode` import (unit-tested without VS Code).
 */
import type { RuntimeStatus } from "../../runtime/src/engine/runtime";
import type { QueueCounts } from "../../runtime/src/queue/store";
import type { TaskRecord } from "../../runtime/src/queue/types";
import type { TimedTaskState } from "../../runtime/src/scheduler/timed-scheduler";
import type { StartAnswer } from "../../runtime/src/services/client";
import type { ServiceState, ServiceStatus } from "../../runtime/src/services/service-manager";

export type { QueueCounts, RuntimeStatus, ServiceState, ServiceStatus, StartAnswer, TaskRecord };

/** A task as the tree needs it (what `list` returns, without the heavy fields). */
export type TaskSummary = Pick<
  TaskRecord,
  "id" | "type" | "state" | "outcome" | "failures" | "iterations" | "lastError" | "created" | "started" | "finished" | "runAt" | "nextAttempt" | "notBefore" | "priority" | "leaseOwner"
>;

/**
 * One declared `<task>` as the runtime's `scheduled` op reports it (issue #6); the fields the
 * views need are required, the rest optional so older runtimes still show.
 */
export type ScheduledState = Omit<TimedTaskState, OptionalScheduledFields> & Partial<Pick<TimedTaskState, OptionalScheduledFields>>;
type OptionalScheduledFields = "lastEnd" | "lastOk" | "lastWarning" | "runner" | "runs" | "runAtStartup";

/** Live events a subscribed connection receives. */
export type RuntimeEvent =
  | { event: "task-started"; id: number; type: string; node: string }
  | { event: "task-finished"; id: number; type: string; state: "pending" | "finished"; outcome: "completed" | "failed" | "cancelled" | null }
  | { event: "scheduled-started"; name: string; start?: number }
  | { event: "scheduled-finished"; name: string; ok: boolean; error?: string | null; start?: number }
  | { event: "service-state"; key: string; names: string[]; state: ServiceState; pid: number | null }
  | { event: string; [key: string]: unknown };

/** What `trigger` resolves with once that run of a scheduled task finished. */
export interface TriggerResult {
  ok: boolean;
  error?: string | null;
  exitCode?: number;
  start?: number;
}

/** Backend services (issue #10) announce their own changes; every other event is about the queue. */
export function isServiceEvent(e: { event: string }): boolean {
  return e.event.startsWith("service-");
}

/**
 * What the tree needs of the runtime's status. A snapshot read from the database while no runtime
 * runs (`source: "database"`) has only the counts and the database; the rest is the runtime's.
 */
export type QueueStatus = Pick<RuntimeStatus, "counts" | "db"> & Partial<Omit<RuntimeStatus, "counts" | "db">>;

/** Everything the queue tree shows, fetched in one refresh. */
export interface QueueSnapshot {
  /**
   * "runtime": live, over the control socket. "database": read by the `modtasks` CLI while no
   * runtime runs; read-only (no actions, no scheduled tasks, no services).
   */
  source: "runtime" | "database";
  status: QueueStatus;
  /** Running, queued and retrying tasks. */
  active: TaskSummary[];
  failed: TaskSummary[];
  completed: TaskSummary[];
  cancelled: TaskSummary[];
  /** Undefined when the runtime does not offer scheduled tasks (an older runtime). */
  scheduled: ScheduledState[] | undefined;
  /** The runtime's backend services (issue #10); undefined when it has none to offer (an older runtime, or no runtime). */
  services?: ServiceStatus[] | undefined;
  fetchedAt: number;
}

/** The error text a runtime sends for an op it does not know. */
export function isUnknownOp(e: unknown): boolean {
  return e instanceof Error && /^unknown op /.test(e.message);
}
