import type { NodeRegistration, NodeRow, OwnedRun, RecoverRequest } from "./queue-sql";
import type { ClaimedTask, ListTasksOptions, Resolution, TaskRecord, TaskTypePolicy } from "./types";

/**
 * The storage interface. One implementation per database (sqlite-store.ts, postgres-store.ts);
 * the statements themselves live in queue-sql.ts and are shared, so both stores follow one
 * state machine (lifecycle.ts). The conformance suite in test/queue/ runs against both.
 */

/** Runs SQL with `$1, $2, ...` placeholders on both databases (SQLite binds them by number). */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  execute(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
}

/** A task to insert (already validated; JSON already serialised). */
export interface NewTaskRow {
  type: string;
  dataJson: string;
  auxdataJson: string | null;
  priority: number;
  created: number;
  notBefore: number;
  timeout: number | null;
  metadataJson?: string | null;
}

/** A run's end as decided by a worker or the dispatcher, applied if the lease still holds. */
export interface RunFinish {
  id: number;
  leaseToken: string;
  resolution: Resolution;
  policy: TaskTypePolicy;
}

export type FinishOutcome =
  /** Applied; the task is now in this state. */
  | { id: number; applied: true; state: "pending" | "finished"; outcome: string | null }
  /** The lease was lost (cancelled, deleted, or recovered after expiry): nothing was written. */
  | { id: number; applied: false };

export interface ClaimRequest {
  /** Task types this claimer can run (others stay queued for someone who can). */
  types: readonly string[];
  limit: number;
  now: number;
  owner: string;
  leaseMs: number;
}

export interface QueueCounts {
  pending: number;
  running: number;
  retrying: number;
  failed: number;
  completed: number;
  cancelled: number;
  /** Unfinished, created over an hour ago and past notBefore: worth a look (WebHare's "stuck"). */
  stuck: number;
}

/** What a transaction handle offers: the app's own SQL plus the queue's writes in the same transaction. */
export interface StoreTransaction extends SqlExecutor {
  insertTasks(rows: NewTaskRow[]): Promise<number[]>;
  /** Locks the task row for this run and verifies the lease; false when the run lost it. */
  lockRun(id: number, leaseToken: string): Promise<boolean>;
  finishRun(finish: RunFinish, now: number): Promise<FinishOutcome>;
  /** Claims runnable tasks inside this transaction (the dispatcher finishes and claims in one). */
  claim(req: ClaimRequest): Promise<ClaimedTask[]>;
  /** Registers a callback run after a successful commit (e.g. to wake the runtime). */
  afterCommit(fn: () => void): void;
  /**
   * Sends a notification that listeners in other processes (and on other machines) receive once
   * this transaction commits. PostgreSQL: NOTIFY. SQLite: nothing (its runtime is woken through
   * the control socket instead).
   */
  notify(channel: NotifyChannel, payload: string): Promise<void>;
}

/** The notification channels the queue uses (PostgreSQL LISTEN/NOTIFY). */
export type NotifyChannel = "modtasks_wake" | "modtasks_events" | "modtasks_cancel" | "modtasks_timed" | "modtasks_distributed" | "modtasks_ephemeral";

export interface QueueStore {
  readonly kind: "sqlite" | "postgres";
  /** A printable identity (file path or URL without password). */
  readonly location: string;
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Runs fn in one write transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;

  /**
   * Calls fn for every notification on the channel (PostgreSQL: a dedicated LISTEN connection
   * that reconnects). SQLite has no cross-process notifications: returns without listening.
   * Resolves to an unsubscribe function once listening.
   */
  listen(channel: NotifyChannel, fn: (payload: string) => void): Promise<() => void>;
  /** Whether notify() reaches other processes (false on SQLite). */
  readonly notifies: boolean;

  /** Runs a statement outside any transaction (for reads). */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;

  /** Claims up to `limit` runnable tasks, in priority, runAt, id order. */
  claim(req: ClaimRequest): Promise<ClaimedTask[]>;
  /** Applies many run ends in one transaction (runs that never touched the database). */
  finishRuns(finishes: RunFinish[], now: number): Promise<FinishOutcome[]>;
  /**
   * Moves lease_expires on (database clock + leaseMs) for this owner's running tasks, skipping
   * rows a run's transaction has locked; never waits. Informational only: liveness is the
   * owner's node heartbeat (deadOwners).
   */
  renewLeases(owner: string, leaseMs: number): Promise<number>;
  /**
   * Gives claimed runs that never started back to pending, as if never claimed (no attempt
   * counted). Only while the lease is still the caller's; a run with a cancel request stays for
   * the cancel to finish. Returns how many went back.
   */
  releaseRuns(leases: readonly { id: number; leaseToken: string }[]): Promise<number>;
  /**
   * Returns the running tasks of the listed dead owners to pending (rows locked by a run's open
   * transaction are skipped: fence first). With `staleAfterMs`, only while the owner still
   * looks dead, re-checked in the same statement.
   */
  recoverLeases(opts: RecoverRequest): Promise<number[]>;
  /**
   * Owners (of running tasks, scheduled runs, or node rows) without a node row whose heartbeat
   * is younger than `staleAfterMs`, by the database's clock.
   */
  deadOwners(staleAfterMs: number): Promise<string[]>;
  /** Running tasks leased to this owner (for its own reconciliation). */
  ownedRuns(owner: string): Promise<OwnedRun[]>;
  /**
   * Makes sure the given owners can commit nothing more (PostgreSQL: terminates their sessions,
   * found by application_name). SQLite has one machine and kills orphans by pid instead.
   */
  fenceOwners(owners: readonly string[]): Promise<number>;
  /** Running tasks of this owner with a cancel request (their runner kills them). */
  cancelRequestedRuns(owner: string): Promise<number[]>;
  /** Earliest runAt among pending tasks of these types (undefined when none). */
  nextRunAt(types: readonly string[]): Promise<number | undefined>;

  describe(id: number): Promise<TaskRecord | undefined>;
  list(opts: ListTasksOptions): Promise<TaskRecord[]>;
  counts(): Promise<QueueCounts>;
  /** Makes pending tasks runnable now (keeps notBefore); returns how many. */
  retry(ids: readonly number[], now: number): Promise<number>;
  /** Cancels a pending task, or flags a running one for its runner to kill. */
  requestCancel(id: number, now: number, error: string): Promise<"cancelled" | "requested" | "finished" | "missing">;
  /** Finishes a running task as cancelled after its runner killed it (lease checked). */
  finishCancelled(id: number, leaseToken: string | null, now: number, error: string): Promise<boolean>;
  remove(id: number): Promise<boolean>;
  setMetadata(id: number, metadata: Record<string, unknown> | null): Promise<boolean>;
  /** Schedules a finished task again as a new task with the same type, data and options. */
  rescheduleFinished(id: number, now: number): Promise<number | undefined>;
  purgeFinished(before: number): Promise<number>;

  listNodes(): Promise<NodeRow[]>;
  /** Registers (or re-registers) a node; its heartbeat is the database's clock. */
  upsertNode(n: NodeRegistration): Promise<void>;
  /** Beats (database clock) for this instance; 0 when another instance took the name over. */
  heartbeatNode(name: string, instance: string, info: Record<string, unknown>): Promise<number>;
  removeNode(name: string, instance: string): Promise<void>;

  /** Small key/value settings that belong to the database (e.g. schema version). */
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
}
