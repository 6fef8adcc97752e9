/**
 * What task code extends or receives. These classes are thin: the run's state lives in a context
 * object the worker attaches under a global symbol. That is deliberate: a module's task file
 * imports `modtasks` from its own node_modules (or the package itself), which may be a different
 * copy from the one running the worker, so neither `instanceof` nor module-private state can be
 * shared; a Symbol.for key and a brand can.
 */
import type { TaskDb } from "./task-db";

export const RUN_CONTEXT = Symbol.for("modtasks.runContext");
export const TASK_BASE_BRAND = Symbol.for("modtasks.ManagedTaskBase");

/** The options of resolveByTemporaryFailure. */
export interface TemporaryFailureOptions {
  result?: object | null;
  /** Retry at this time instead of the backoff (never before now); null = the backoff. */
  nextRetry?: Date | null;
}

export interface RestartOptions {
  newData?: unknown;
  auxData?: unknown;
}

/** A resolution as task code sees it (the value the resolve methods return, WebHare's TaskResponse). */
export type TaskResponse =
  | { type: "finished"; result: unknown }
  | { type: "failed"; error: string; result?: unknown }
  | { type: "failedtemporarily"; error: string; result?: unknown; nextretry: Date | null }
  | { type: "restart"; when: Date; newData?: unknown; auxData?: unknown }
  | { type: "cancelled"; result: unknown; error: string };

/** Implemented by the worker; one per run. */
export interface RunContext {
  readonly taskId: number;
  readonly taskType: string;
  readonly failures: number;
  readonly iterations: number;
  readonly ephemeral: boolean;
  readonly db: TaskDb;
  readonly signal: AbortSignal;
  resolve(response: TaskResponse): TaskResponse;
}

function contextOf(o: object): RunContext {
  const ctx = (o as { [RUN_CONTEXT]?: RunContext })[RUN_CONTEXT];
  if (!ctx) throw new Error("this task object is not running: resolutions and the database are only available inside runTask()");
  return ctx;
}

/** Shared by ManagedTaskBase and TaskRequest: the five resolutions. */
abstract class Resolvable {
  /** Finished; `result` (an object or null) is stored; the task's database writes commit with it. */
  resolveByCompletion(result?: object | null): TaskResponse {
    return contextOf(this).resolve({ type: "finished", result: result ?? null });
  }

  /** Finished with an error, never retried. */
  resolveByPermanentFailure(error: string, opts: { result?: object | null } = {}): TaskResponse {
    return contextOf(this).resolve({ type: "failed", error: String(error), ...("result" in opts ? { result: opts.result } : {}) });
  }

  /** The task's database writes are rolled back; it runs again per the retry policy (or at nextRetry). */
  resolveByTemporaryFailure(error: string, opts: TemporaryFailureOptions = {}): TaskResponse {
    return contextOf(this).resolve({ type: "failedtemporarily", error: String(error), ...("result" in opts ? { result: opts.result } : {}), nextretry: opts.nextRetry ?? null });
  }

  /** Runs again at max(now, when) with the failure count reset; optionally with new data (chunked jobs). */
  resolveByRestart(when: Date | null, opts: RestartOptions = {}): TaskResponse {
    return contextOf(this).resolve({ type: "restart", when: when ?? new Date(), ...opts });
  }

  /** Finished as cancelled; not counted as an error. */
  resolveByCancellation(result: object | null, error: string): TaskResponse {
    return contextOf(this).resolve({ type: "cancelled", result: result ?? null, error: String(error) });
  }
}

/**
 * Base class of a managed or ephemeral task named by `objectname="lib/file.ts#MyTask"`.
 * A new object is made for every run; module globals survive between runs in the same worker.
 *
 * ```ts
 * export class MyTask extends ManagedTaskBase<{ ping: number }> {
 *   async runTask(data: { ping: number }) {
 *     await this.db.execute("INSERT INTO pings (value) VALUES ($1)", [data.ping]);
 *     this.resolveByCompletion({ pong: data.ping });
 *   }
 * }
 * ```
 */
export abstract class ManagedTaskBase<Data = unknown> extends Resolvable {
  static readonly [TASK_BASE_BRAND] = true;

  /** Override: do the work, then call exactly one resolveBy... method. */
  abstract runTask(data: Data): Promise<void> | void;

  get taskId(): number {
    return contextOf(this).taskId;
  }
  get taskType(): string {
    return contextOf(this).taskType;
  }
  /** How often this task failed before (0 on the first attempt). */
  get failures(): number {
    return contextOf(this).failures;
  }
  get iterations(): number {
    return contextOf(this).iterations;
  }
  /**
   * The task database, inside this run's transaction (opened on first use): what you write here
   * commits together with the task's resolution, or not at all.
   */
  get db(): TaskDb {
    return contextOf(this).db;
  }
  /** Aborted when the run is cancelled or times out (the worker is killed shortly after). */
  get signal(): AbortSignal {
    return contextOf(this).signal;
  }
}

/**
 * What a `taskrunner="lib/file.ts#myTask"` function receives (WebHare's JS form):
 * `export async function myTask(req: TaskRequest<D>) { return req.resolveByCompletion({...}); }`
 */
export class TaskRequest<Data = unknown> extends Resolvable {
  constructor(readonly taskdata: Data) {
    super();
  }
  get taskid(): number {
    return contextOf(this).taskId;
  }
  get numFailures(): number {
    return contextOf(this).failures;
  }
  get db(): TaskDb {
    return contextOf(this).db;
  }
  get signal(): AbortSignal {
    return contextOf(this).signal;
  }
}

/** Whether a class extends some copy of ManagedTaskBase (see the note at the top). */
export function extendsTaskBase(cls: unknown): boolean {
  if (typeof cls !== "function") return false;
  for (let c: unknown = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    if (Object.prototype.hasOwnProperty.call(c, TASK_BASE_BRAND)) return true;
  }
  return false;
}
