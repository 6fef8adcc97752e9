import * as Q from "./queue-sql";
import type { SqlDialect } from "./sql-dialect";
import type { ClaimRequest, FinishOutcome, NewTaskRow, NotifyChannel, QueueStore, RunFinish, SqlExecutor, StoreTransaction } from "./store";
import type { ClaimedTask, ListTasksOptions } from "./types";

/**
 * The QueueStore operations, written once over the shared statements (queue-sql.ts). A concrete
 * store supplies only the connection mechanics: how a transaction begins and ends, and how a
 * read runs outside one.
 */
export abstract class SqlQueueStore implements QueueStore {
  abstract readonly kind: "sqlite" | "postgres";
  abstract readonly location: string;
  private claimCounter = 0;

  constructor(protected readonly dialect: SqlDialect) {}

  abstract readonly notifies: boolean;
  abstract listen(channel: NotifyChannel, fn: (payload: string) => void): Promise<() => void>;
  abstract migrate(): Promise<void>;
  abstract close(): Promise<void>;
  /** Runs fn with a raw executor inside a write transaction; afterCommit callbacks run after COMMIT. */
  protected abstract inTransaction<T>(fn: (exec: SqlExecutor, afterCommit: (cb: () => void) => void) => Promise<T>): Promise<T>;
  /** Runs a read outside any transaction. */
  protected abstract read<T>(fn: (db: SqlExecutor) => Promise<T>): Promise<T>;

  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    const d = this.dialect;
    return this.inTransaction(async (exec, afterCommit) => {
      let active = true;
      const guard = () => {
        if (!active) throw new Error("this transaction has already ended; use the handle only inside its callback");
      };
      const tx: StoreTransaction = {
        query: async <R>(sql: string, params?: readonly unknown[]) => (guard(), exec.query<R>(sql, params)),
        execute: async (sql: string, params?: readonly unknown[]) => (guard(), exec.execute(sql, params)),
        insertTasks: async (rows: NewTaskRow[]) => (guard(), Q.insertTasks(exec, d, rows)),
        lockRun: async (id: number, token: string) => (guard(), Q.lockRun(exec, d, id, token)),
        finishRun: async (f: RunFinish, now: number) => (guard(), Q.finishRun(exec, d, f, now)),
        claim: async (req: ClaimRequest) => (guard(), Q.claim(exec, d, req, this.claimPrefix(req.owner))),
        afterCommit,
        notify: async (channel: NotifyChannel, payload: string) => {
          guard();
          if (this.notifies) await exec.query("SELECT pg_notify($1, $2)", [channel, payload]);
        },
      };
      try {
        return await fn(tx);
      } finally {
        active = false;
      }
    });
  }

  /** A read outside any transaction (autocommit). */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return this.read((db) => db.query<R>(sql, params));
  }

  claim(req: ClaimRequest): Promise<ClaimedTask[]> {
    return this.transaction((tx) => tx.claim(req));
  }

  /** Lease tokens are `<owner>:<claim number>:<task id>`: unique per claim, so a stale run can never match. */
  protected claimPrefix(owner: string): string {
    return `${owner}:${++this.claimCounter}:`;
  }

  finishRuns(finishes: RunFinish[], now: number): Promise<FinishOutcome[]> {
    return this.transaction(async (tx) => {
      const out: FinishOutcome[] = [];
      for (const f of finishes) out.push(await tx.finishRun(f, now));
      return out;
    });
  }

  renewLeases(owner: string, leaseMs: number) {
    return this.inTransaction((db) => Q.renewLeases(db, this.dialect, owner, leaseMs));
  }
  releaseRuns(leases: readonly { id: number; leaseToken: string }[]) {
    return this.inTransaction((db) => Q.releaseRuns(db, leases));
  }
  recoverLeases(opts: Q.RecoverRequest) {
    return this.inTransaction((db) => Q.recoverLeases(db, this.dialect, opts));
  }
  deadOwners(staleAfterMs: number) {
    return this.read((db) => Q.deadOwners(db, this.dialect, staleAfterMs));
  }
  ownedRuns(owner: string) {
    return this.read((db) => Q.ownedRuns(db, owner));
  }
  abstract fenceOwners(owners: readonly string[]): Promise<number>;
  cancelRequestedRuns(owner: string) {
    return this.read((db) => Q.cancelRequestedRuns(db, owner));
  }
  nextRunAt(types: readonly string[]) {
    return this.read((db) => Q.nextRunAt(db, this.dialect, types));
  }
  describe(id: number) {
    return this.read((db) => Q.describe(db, id));
  }
  list(opts: ListTasksOptions) {
    return this.read((db) => Q.list(db, opts));
  }
  counts() {
    return this.read((db) => Q.counts(db));
  }
  retry(ids: readonly number[], now: number) {
    return this.inTransaction((db) => Q.retry(db, this.dialect, ids, now));
  }
  requestCancel(id: number, now: number, error: string) {
    return this.inTransaction((db) => Q.requestCancel(db, this.dialect, id, now, error));
  }
  finishCancelled(id: number, leaseToken: string | null, now: number, error: string) {
    return this.inTransaction((db) => Q.finishCancelled(db, id, leaseToken, now, error));
  }
  remove(id: number) {
    return this.inTransaction((db) => Q.remove(db, id));
  }
  setMetadata(id: number, metadata: Record<string, unknown> | null) {
    return this.inTransaction((db) => Q.setMetadata(db, id, metadata));
  }
  rescheduleFinished(id: number, now: number) {
    return this.inTransaction((db) => Q.rescheduleFinished(db, id, now));
  }
  purgeFinished(before: number) {
    return this.inTransaction((db) => Q.purgeFinished(db, before));
  }
  listNodes() {
    return this.read((db) => Q.listNodes(db, this.dialect));
  }
  upsertNode(n: Q.NodeRegistration) {
    return this.inTransaction((db) => Q.upsertNode(db, this.dialect, n));
  }
  heartbeatNode(name: string, instance: string, info: Record<string, unknown>) {
    return this.inTransaction((db) => Q.heartbeatNode(db, this.dialect, name, instance, info));
  }
  removeNode(name: string, instance: string) {
    return this.inTransaction((db) => Q.removeNode(db, name, instance));
  }
  getSetting(key: string) {
    return this.read((db) => Q.getSetting(db, key));
  }
  setSetting(key: string, value: string) {
    return this.inTransaction((db) => Q.setSetting(db, key, value));
  }
}
