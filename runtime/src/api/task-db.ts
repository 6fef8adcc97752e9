import type { ScheduleOptions } from "../queue/types";

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
}
