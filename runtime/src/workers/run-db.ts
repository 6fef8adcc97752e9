import type { EphemeralTaskOptions, TaskDb } from "../api/task-db";
import { callEphemeral, PendingEphemerals } from "../api/ephemeral-call";
import { buildTaskRows, resolveSchedulableType } from "../queue/scheduling";
import type { QueueStore, StoreTransaction } from "../queue/store";
import type { TaskTypeLookup } from "../queue/task-types";
import type { ScheduleOptions } from "../queue/types";

/** Thrown into task code when its run no longer holds the task (cancelled or taken over). */
export class LeaseLostError extends Error {
  constructor() {
    super("This run no longer holds its task (it was cancelled or taken over); its work is rolled back");
  }
}

/**
 * A run's database handle. The transaction opens on first use, not before: a task that does
 * slow I/O first does not hold the database's write lock meanwhile (on SQLite there is only
 * one). It stays open until the run ends, when finish() commits it with the resolution or
 * rolls it back.
 */
export class RunDb implements TaskDb {
  private tx: Promise<StoreTransaction> | undefined;
  private release: ((commit: boolean) => void) | undefined;
  private done: Promise<unknown> | undefined;
  private ending: ((tx: StoreTransaction) => Promise<unknown>) | undefined;
  scheduledSomething = false;
  private readonly ephemerals = new PendingEphemerals();

  constructor(
    private readonly openStore: () => Promise<QueueStore>,
    private readonly lookup: TaskTypeLookup,
    /** Managed runs lock their row first; ephemeral runs have no row. */
    private readonly lease: { id: number; token: string } | undefined,
  ) {}

  get opened(): boolean {
    return this.tx !== undefined;
  }

  private begin(): Promise<StoreTransaction> {
    if (!this.tx) {
      this.tx = (async () => {
        const store = await this.openStore();
        return new Promise<StoreTransaction>((gotTx, failed) => {
          this.done = store
            .transaction(async (tx) => {
              if (this.lease && !(await tx.lockRun(this.lease.id, this.lease.token))) throw new LeaseLostError();
              gotTx(tx);
              const commit = await new Promise<boolean>((r) => (this.release = r));
              if (!commit) throw ROLLBACK;
              return this.ending ? this.ending(tx) : undefined;
            })
            .catch((e) => {
              failed(e);
              throw e;
            });
          // The run decides what to do with failures through finish(); avoid unhandled noise.
          this.done.catch(() => {});
        });
      })();
    }
    return this.tx;
  }

  async query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return (await this.begin()).query<R>(sql, params);
  }

  async execute(sql: string, params?: readonly unknown[]): Promise<{ changes: number }> {
    return (await this.begin()).execute(sql, params);
  }

  scheduleManagedTask(type: string, data?: unknown, options: ScheduleOptions = {}): Promise<number> {
    return this.scheduleManagedTasks(type, [data], options).then((ids) => ids[0]!);
  }

  async scheduleManagedTasks(type: string, data: unknown[], options: ScheduleOptions = {}): Promise<number[]> {
    const info = resolveSchedulableType(this.lookup, type);
    const rows = buildTaskRows(info, data, options, Date.now());
    const tx = await this.begin();
    const ids = await tx.insertTasks(rows);
    if (!this.scheduledSomething) await tx.notify("modtasks_wake", "");
    this.scheduledSomething = true;
    return ids;
  }

  async scheduleEphemeralTask<R = unknown>(type: string, data?: unknown, options?: EphemeralTaskOptions): Promise<R> {
    const socket = process.env.MODTASKS_SOCKET;
    await this.begin();
    return this.ephemerals.add<R>(() => (socket ? callEphemeral<R>(socket, type, data, options) : Promise.reject(new Error("no runtime socket is known to this worker"))));
  }

  /**
   * Ends the transaction: commit runs `onCommit` inside it first (writing the resolution), then
   * commits; rollback discards everything. Resolves to onCommit's value, or rejects with why the
   * transaction failed (e.g. LeaseLostError).
   */
  async finish<T>(commit: boolean, onCommit?: (tx: StoreTransaction) => Promise<T>): Promise<T | undefined> {
    if (!this.tx) return undefined;
    try {
      await this.tx; // rejects if the transaction never opened (e.g. LeaseLostError)
      if (onCommit) this.ending = onCommit;
      this.release!(commit);
      const value = (await this.done) as T;
      this.ephemerals.committed();
      return value;
    } catch (e) {
      this.ephemerals.rolledBack();
      if (e === ROLLBACK) return undefined;
      throw e;
    }
  }
}

const ROLLBACK = Symbol("rollback");
