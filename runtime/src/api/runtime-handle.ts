import { hostname } from "node:os";
import { ControlClient } from "../control/client";
import { localRuntimeSocket as findLocalRuntime } from "../control/discover";
import { defaultDb } from "../config/default-db";
import { loadModules, readPublishedTypes } from "../engine/modules";
import { type DbConfig, openStore, parseDbUrl } from "../queue/open-store";
import { buildTaskRows, resolveSchedulableType } from "../queue/scheduling";
import type { QueueStore, StoreTransaction } from "../queue/store";
import type { TaskTypeInfo } from "../queue/task-types";
import type { ListTasksOptions, ScheduleOptions, TaskRecord } from "../queue/types";
import type { EphemeralTaskOptions, TaskDb } from "./task-db";
import { callEphemeral, PendingEphemerals } from "./ephemeral-call";
import { waitForTaskEnd } from "./wait-for-task";
import { BackgroundTaskHandle, type ExecuteSpec } from "./background-task";
import { type DistributedHandle, type DistributedSpec, submitDistributed } from "./distributed";

export interface OpenRuntimeOptions {
  /** `sqlite:path`, a file path, or a `postgres://` URL. Default: see defaultDb (MODTASKS_DB, `.modtasks/tasks.db`). */
  db?: string;
  /** Module folders whose declarations define the task types; default: the types the runtimes published in the database. */
  modules?: string[];
  /** Base for relative paths and the default database. */
  cwd?: string;
}

export interface RetrieveOptions {
  /** Milliseconds to wait for the task to finish (default 60 s). */
  timeout?: number;
  /** Return the result of a cancelled task instead of throwing. */
  acceptCancel?: boolean;
  /** Return the result of a temporary failure (the task will retry) instead of waiting on. */
  acceptTempFailure?: boolean;
  /** Return the result of a permanent failure instead of throwing. */
  acceptPermFailure?: boolean;
  /** Return null when the wait times out instead of throwing. */
  acceptTimeout?: boolean;
  signal?: AbortSignal;
}

/** Application code's transaction: your own SQL plus scheduling, committed together. */
export type AppTransaction = TaskDb;

/**
 * Application code's handle on a task database (`openRuntime`). Scheduling happens only inside
 * `transaction()`: the task exists only if your transaction commits. A running runtime is woken
 * at once after each commit; without one, tasks wait in the database until it starts.
 */
export class RuntimeHandle {
  private types: Map<string, TaskTypeInfo> | undefined;
  private openTransactions = 0;
  readonly control: ControlClient;

  private constructor(
    readonly db: DbConfig,
    readonly store: QueueStore,
    private readonly opts: OpenRuntimeOptions,
    socket: string,
  ) {
    this.control = new ControlClient(socket, { db });
  }

  static async open(opts: string | OpenRuntimeOptions = {}): Promise<RuntimeHandle> {
    const o: OpenRuntimeOptions = typeof opts === "string" ? { db: opts } : opts;
    const cwd = o.cwd ?? process.cwd();
    const db = o.db ? parseDbUrl(o.db, cwd) : defaultDb(cwd, o.modules);
    const store = await openStore(db);
    return new RuntimeHandle(db, store, o, await localRuntimeSocket(db, store));
  }

  /**
   * `db`: where to read the published types. Inside a transaction it must be that transaction:
   * SQLite has one connection, so a read beside an open transaction waits for it forever.
   */
  private async typeLookup(db: Pick<QueueStore, "query"> = this.store): Promise<(name: string) => TaskTypeInfo | undefined> {
    if (!this.types) {
      const list = this.opts.modules ? (await loadModules(this.opts.modules)).types : await readPublishedTypes(db);
      this.types = new Map(list.map((t) => [t.name, t]));
    }
    const types = this.types;
    return (name) => types.get(name);
  }

  /** Forgets cached declarations (they are re-read on the next scheduling call). */
  refreshTypes(): void {
    this.types = undefined;
  }

  /**
   * Runs `fn` in one transaction. Everything it writes, and every task it schedules, commits
   * together when it resolves, and is rolled back when it throws.
   */
  async transaction<T>(fn: (tx: AppTransaction) => Promise<T>): Promise<T> {
    let lookup = await this.typeLookup();
    const ephemerals = new PendingEphemerals();
    this.openTransactions++;
    try {
      const result = await this.store.transaction(async (tx) => {
        let scheduled = false;
        const schedule = async (type: string, data: unknown[], options: ScheduleOptions = {}) => {
          let info: TaskTypeInfo;
          try {
            info = resolveSchedulableType(lookup, type);
          } catch (e) {
            // A module may have been added or fixed since we read the declarations: look once more.
            this.refreshTypes();
            lookup = await this.typeLookup(tx);
            if (!lookup(type.toLowerCase())) throw e;
            info = resolveSchedulableType(lookup, type);
          }
          const ids = await tx.insertTasks(buildTaskRows(info, data, options, Date.now()));
          if (!scheduled) {
            scheduled = true;
            // PostgreSQL: every runtime node hears this on commit. SQLite: poke the local runtime.
            await tx.notify("modtasks_wake", "");
            tx.afterCommit(() => void this.control.notify("wake"));
          }
          return ids;
        };
        const handle: AppTransaction = {
          query: (sql, params) => tx.query(sql, params),
          execute: (sql, params) => tx.execute(sql, params),
          scheduleManagedTask: async (type, data, options) => (await schedule(type, [data], options))[0]!,
          scheduleManagedTasks: (type, data, options) => schedule(type, data, options),
          scheduleEphemeralTask: <R>(type: string, data?: unknown, options?: EphemeralTaskOptions) =>
            ephemerals.add<R>(() => callEphemeral<R>(this.control.path, type, data, options)),
        };
        return fn(handle);
      });
      ephemerals.committed();
      return result;
    } catch (e) {
      ephemerals.rolledBack();
      throw e;
    } finally {
      this.openTransactions--;
    }
  }

  /**
   * Runs an ephemeral task now and resolves with its result. Needs a running runtime. Aborting
   * `options.signal` (or this process exiting) kills the run.
   */
  scheduleEphemeralTask<R = unknown>(type: string, data?: unknown, options: EphemeralTaskOptions = {}): Promise<R> {
    return callEphemeral<R>(this.control.path, type, data, options);
  }

  /** Always an error: scheduling needs an open transaction (use transaction()). */
  async scheduleManagedTask(type: string, _data?: unknown, _options?: ScheduleOptions): Promise<never> {
    throw new Error(`scheduleManagedTask('${type}') must be invoked with open work: use runtime.transaction(async (tx) => tx.scheduleManagedTask(...))`);
  }

  /** Runs a read-only statement outside a transaction. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return this.store.query<R>(sql, params);
  }

  /**
   * Waits for a task to finish and returns its result. Throws WebHare's errors for a permanent
   * failure, a cancellation or a timeout unless the matching accept flag is set. Waits on the
   * runtime's events, not by polling the database.
   */
  async retrieveTaskResult<T = unknown>(id: number, opts: RetrieveOptions = {}): Promise<T | null> {
    if (this.openTransactions > 0) throw new Error("retrieveTaskResult cannot be used inside a transaction: the task cannot finish before your transaction commits");
    checkTimeout(opts.timeout, "retrieveTaskResult");
    const end = await waitForTaskEnd(this.store, this.control, id, { timeoutMs: opts.timeout ?? 60_000, acceptTempFailure: !!opts.acceptTempFailure, ...(opts.signal ? { signal: opts.signal } : {}) });
    if (end.kind === "missing") throw new Error(`No such task #${id}`);
    const t = end.task;
    if (end.kind === "timeout") {
      if (opts.acceptTimeout) return null;
      // WebHare's message; when the task has been failing, why it has not finished yet.
      const failing = t.state === "pending" && t.failures > 0 ? ` (failed ${t.failures} time${t.failures === 1 ? "" : "s"}, last: ${t.lastError ?? "?"}; next attempt ${new Date(t.runAt).toISOString()})` : "";
      throw new Error(`Timeout waiting for completion of task ${t.type} #${id}${failing}`);
    }
    if (t.state === "finished" && t.outcome === "completed") return t.result as T;
    if (t.state === "finished" && t.outcome === "cancelled") {
      if (opts.acceptCancel) return t.result as T;
      throw new Error(`Task ${t.type} #${id} has been cancelled: ${t.lastError ?? ""}`);
    }
    if (t.state === "finished" && t.outcome === "failed") {
      if (opts.acceptPermFailure) return t.result as T;
      throw new Error(`Task ${t.type} #${id} has permanently failed: ${t.lastError ?? ""}`);
    }
    // A temporary failure, returned because acceptTempFailure was set.
    return t.result as T;
  }

  /**
   * Runs a scheduled task (`module:tag`) now, or no later than `when`. A request while a run is
   * already due changes nothing (WebHare). A disabled task runs once and stays disabled. Resolves
   * when that run has finished (on whichever node ran it), with how it went; `warning` is what
   * a successful run wrote to stderr.
   */
  async scheduleTimedTask(name: string, opts: { when?: Date | number } = {}): Promise<{ ok: boolean; error: string | null; warning?: string | null; start: number }> {
    const when = opts.when === undefined ? undefined : opts.when instanceof Date ? opts.when.getTime() : opts.when;
    try {
      await this.control.connect();
    } catch {
      throw new Error(`Cannot run scheduled task '${name}': no modtasks runtime is running (looked for ${this.control.path})`);
    }
    return this.control.request("trigger", { name, ...(when !== undefined ? { when } : {}) });
  }

  /** Enables or disables a scheduled task (`module:tag`); needs a running runtime. */
  async setTimedTaskEnabled(name: string, enabled: boolean): Promise<void> {
    await this.control.request("set-enabled", { name, enabled });
  }

  /**
   * Prudence's executeTask: runs a module's document as a program (top to bottom, with
   * `document.context`) or calls an entry point of it, once, after `delay`, or repeatedly
   * (`repeatEvery`, fixed rate or fixed delay). Needs a running runtime.
   */
  async executeTask(spec: ExecuteSpec): Promise<BackgroundTaskHandle> {
    const { taskId } = await this.requestRuntime<{ taskId: number }>("execute", { spec });
    return new BackgroundTaskHandle(taskId, this.control);
  }

  /** Prudence's codeTask: literal source code as the task. The runtime must allow code tasks. */
  codeTask(spec: Omit<ExecuteSpec, "document" | "entryPoint"> & { code: string }): Promise<BackgroundTaskHandle> {
    return this.executeTask(spec);
  }

  /**
   * Prudence's distributedExecuteTask: the task is written to the database and run by a runtime
   * node: any one (default), a named one, or every node (`multi`). Context and result are JSON.
   */
  distributedExecuteTask(spec: DistributedSpec): Promise<DistributedHandle> {
    return submitDistributed(this.store, this.control, spec, async () => {
      return (await this.store.listNodes()).filter((n) => n.age <= 30_000).map((n) => n.name);
    });
  }

  private async requestRuntime<T>(op: string, args: Record<string, unknown>): Promise<T> {
    try {
      await this.control.connect();
    } catch {
      throw new Error(`no modtasks runtime is running for this database (looked for ${this.control.path})`);
    }
    return this.control.request<T>(op, args);
  }

  describeTask(id: number): Promise<TaskRecord | undefined> {
    return this.store.describe(id);
  }

  /** Tasks whose type matches the mask (`*`, `?` wildcards), newest first. */
  listTasks(typeMask = "*", opts: Omit<ListTasksOptions, "typeMask"> = {}): Promise<TaskRecord[]> {
    return this.store.list({ ...opts, typeMask });
  }

  /** Runs pending tasks now (a retry never bypasses notBefore). Returns how many were pending. */
  async retryTasks(ids: number[]): Promise<number> {
    const n = await this.store.retry(ids, Date.now());
    if (n) void this.control.notify("wake");
    return n;
  }

  retryTask(id: number): Promise<number> {
    return this.retryTasks([id]);
  }

  /**
   * Cancels a task: a pending one at once; a running one by killing its worker. Resolves once
   * the task is finished as cancelled (or was already finished).
   */
  async cancelTask(id: number, opts: { timeout?: number } = {}): Promise<"cancelled" | "finished" | "missing"> {
    checkTimeout(opts.timeout, "cancelTask");
    try {
      const r = await this.control.request<string>("cancel", { taskId: id });
      if (r === "cancelled" || r === "finished" || r === "missing") return r;
    } catch {
      // No runtime on this machine: record the request; whoever runs it kills it (told by NOTIFY
      // on PostgreSQL, or at its next heartbeat).
      const r = await this.store.requestCancel(id, Date.now(), "Task was cancelled");
      if (r !== "requested") return r;
      await this.store.transaction((tx) => tx.notify("modtasks_cancel", String(id)));
    }
    const end = await waitForTaskEnd(this.store, this.control, id, { timeoutMs: opts.timeout ?? 30_000, acceptTempFailure: false });
    if (end.kind === "missing") return "missing";
    if (end.kind === "timeout") throw new Error(`Timeout waiting for task #${id} to be cancelled`);
    return end.task.outcome === "cancelled" ? "cancelled" : "finished";
  }

  async deleteTask(id: number): Promise<boolean> {
    const t = await this.store.describe(id);
    if (t?.state === "running") await this.cancelTask(id);
    return this.store.remove(id);
  }

  /** Schedules a finished task again, as a new task with the same type and data. */
  async rescheduleTask(id: number): Promise<number> {
    const newId = await this.store.rescheduleFinished(id, Date.now());
    if (newId === undefined) {
      const t = await this.store.describe(id);
      throw new Error(t ? `Task ${t.type} #${id} is not finished` : `No such task #${id}`);
    }
    void this.control.notify("wake");
    return newId;
  }

  async setTaskMetadata(id: number, metadata: Record<string, unknown> | null): Promise<void> {
    if (!(await this.store.setMetadata(id, metadata))) throw new Error(`No such task #${id}`);
  }

  async close(): Promise<void> {
    this.control.close();
    await this.store.close();
  }
}

/**
 * The control socket of the runtime this process talks to: `MODTASKS_SOCKET` (set for the
 * processes a runtime starts); for SQLite the one beside the database; for PostgreSQL the node
 * named by `MODTASKS_NODE`, else a live node on this machine, as the nodes table says (nodes
 * have names there), else one found by its hello (discover.ts).
 */
async function localRuntimeSocket(db: DbConfig, store: QueueStore): Promise<string> {
  if (process.env.MODTASKS_SOCKET || db.kind === "sqlite" || process.env.MODTASKS_NODE) return (await findLocalRuntime(db)).socket;
  try {
    // Heartbeat ages are the database's clock: this machine's clock may be skewed.
    const here = (await store.listNodes()).filter((n) => n.host === hostname() && n.age <= 30_000 && typeof n.info.socket === "string");
    if (here.length) return here[0]!.info.socket as string;
  } catch {
    // fall back to asking the sockets
  }
  return (await findLocalRuntime(db)).socket;
}

/** A wait's timeout: milliseconds, zero or more (Infinity waits for ever). NaN would spin. */
function checkTimeout(ms: unknown, what: string): void {
  if (ms !== undefined && (typeof ms !== "number" || Number.isNaN(ms) || ms < 0)) throw new TypeError(`${what}: timeout must be a number of milliseconds >= 0, got ${String(ms)}`);
}

/** Opens a handle on a task database; see RuntimeHandle. */
export function openRuntime(opts: string | OpenRuntimeOptions = {}): Promise<RuntimeHandle> {
  return RuntimeHandle.open(opts);
}

export type { StoreTransaction };
