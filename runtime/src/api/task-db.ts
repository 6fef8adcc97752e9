import type { ScheduleOptions } from "../queue/types";

export interface EphemeralTaskOptions {
  /** Kill the run after this many ms (default: the type's timeout). */
  timeout?: number;
  priority?: ScheduleOptions["priority"];
  auxdata?: unknown;
  /** Aborting kills the run (or drops it while queued). */
  signal?: AbortSignal;
}

/**
 * The database handle that task code and application code get inside a transaction. The same
 * SQL runs on SQLite and PostgreSQL: placeholders are `$1, $2, ...` on both.
 */
export interface TaskDb {
  /** Runs a statement and returns its rows (none for statements without RETURNING). */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a statement and returns how many rows it changed. */
  execute(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
  /** Queues a managed task in this transaction: it exists only if the transaction commits. */
  scheduleManagedTask(type: string, data?: unknown, options?: ScheduleOptions): Promise<number>;
  /** Queues many tasks of one type in one call. */
  scheduleManagedTasks(type: string, data: unknown[], options?: ScheduleOptions): Promise<number[]>;
  /**
   * Runs an ephemeral task once this transaction commits; the promise settles with its result.
   * If the transaction rolls back, it rejects with "The transaction in which this task was
   * queued did not commit". Do not await it inside the transaction (it cannot start before the
   * commit).
   */
  scheduleEphemeralTask<R = unknown>(type: string, data?: unknown, options?: EphemeralTaskOptions): Promise<R>;
}
