import { priorityValue } from "../queue/policy";
import type { TaskTypeInfo } from "../queue/task-types";
import type { WorkerPool } from "../workers/pool";
import type { RunRequest } from "../workers/protocol";
import { mergeAuxData } from "./dispatcher";
import type { PoolRunResult } from "../workers/pool";

/** Only completion gives a result; everything else is the caller's error message. */
function ephemeralOutcome(r: PoolRunResult): { ok: true; value: unknown } | { ok: false; error: string } {
  if (r.kind === "died") return { ok: false, error: r.reason };
  const o = r.outcome;
  if (o.kind !== "resolved") return { ok: false, error: "The ephemeral task did not complete" };
  const res = o.resolution;
  if (res.kind === "completed") return { ok: true, value: res.result };
  return { ok: false, error: "error" in res ? res.error : "The ephemeral task did not complete" };
}

export interface EphemeralOptions {
  timeout?: number;
  priority?: string | number;
  auxdata?: unknown;
}

interface Waiting {
  seq: number;
  priority: number;
  req: RunRequest;
  pool: WorkerPool;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  signal: AbortSignal;
}

/**
 * Ephemeral tasks: not stored, run by the same worker pools as managed tasks, their result goes
 * straight back to the waiting caller. Someone is waiting, so a free worker serves them before
 * the managed queue. When the caller goes away (its AbortSignal fires: process exit, closed
 * connection, explicit abort), a queued task is dropped and a running one is killed, because
 * its result would be thrown away.
 */
export class EphemeralRunner {
  private readonly waiting: Waiting[] = [];
  private seq = 0;
  private runCounter = 1_000_000_000; // apart from the dispatchers' run ids, for logs
  private readonly attached = new Set<WorkerPool>();

  constructor(
    private readonly pools: (cluster: string) => WorkerPool | undefined,
    private readonly onStarted: (run: { id: number; type: string; pid?: number }) => void = () => {},
    private readonly onQueued: (run: { id: number; type: string }) => void = () => {},
    private readonly onFinished: (run: { id: number; type: string; ok: boolean }) => void = () => {},
  ) {}

  /** Must be called before any dispatcher listens on the pool, so waiting callers go first. */
  attach(pool: WorkerPool): void {
    if (this.attached.has(pool)) return;
    this.attached.add(pool);
    pool.on("idle", () => this.pump(pool));
  }

  get queued(): number {
    return this.waiting.length;
  }

  run(info: TaskTypeInfo, data: unknown, opts: EphemeralOptions, signal: AbortSignal): Promise<unknown> {
    if (info.unrunnable || !info.impl) return Promise.reject(new Error(info.unrunnable ?? `No code for ephemeral task type '${info.name}'`));
    const pool = this.pools(info.cluster);
    if (!pool) return Promise.reject(new Error(`No workers for cluster '${info.cluster}'`));
    const priority = opts.priority === undefined ? info.priority : priorityValue(opts.priority as never);
    if (priority === undefined) return Promise.reject(new Error(`Invalid priority ${JSON.stringify(opts.priority)}`));
    const id = ++this.runCounter;
    const req: RunRequest = {
      runId: id,
      kind: "ephemeral",
      task: { id, type: info.name, data: mergeAuxData(data, opts.auxdata), failures: 0, iterations: 0 },
      impl: info.impl,
      policy: { timeoutMs: opts.timeout ?? info.timeoutMs, failRescheduleMs: info.failRescheduleMs, maxFailures: 0 },
    };
    return new Promise<unknown>((resolve, reject) => {
      if (signal.aborted) return reject(new Error("The caller went away before the task started"));
      const w: Waiting = { seq: ++this.seq, priority, req, pool, resolve, reject, signal };
      const onAbort = () => {
        const i = this.waiting.indexOf(w);
        if (i >= 0) {
          this.waiting.splice(i, 1);
          reject(new Error("The caller went away before the task started"));
        } else void pool.killRun(id, "caller-gone");
      };
      signal.addEventListener("abort", onAbort, { once: true });
      const done = (fn: () => void) => {
        signal.removeEventListener("abort", onAbort);
        fn();
      };
      w.resolve = (v) => done(() => resolve(v));
      w.reject = (e) => done(() => reject(e));
      this.waiting.push(w);
      this.waiting.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
      this.pump(pool);
      if (this.waiting.includes(w)) this.onQueued({ id, type: info.name });
    });
  }

  private pump(pool: WorkerPool): void {
    while (pool.idle > 0) {
      const i = this.waiting.findIndex((w) => w.pool === pool);
      if (i < 0) return;
      const w = this.waiting.splice(i, 1)[0]!;
      const running = pool.run(w.req);
      const pid = pool.snapshot().find((x) => x.taskId === w.req.task.id && x.kind === "ephemeral")?.pid;
      this.onStarted({ id: w.req.task.id, type: w.req.task.type, ...(pid ? { pid } : {}) });
      running.then(
        (r) => this.settle(w, ephemeralOutcome(r)),
        (e: unknown) => this.settle(w, { ok: false, error: e instanceof Error ? e.message : String(e) }),
      );
    }
  }

  private settle(w: Waiting, o: { ok: true; value: unknown } | { ok: false; error: string }): void {
    this.onFinished({ id: w.req.task.id, type: w.req.task.type, ok: o.ok });
    if (o.ok) w.resolve(o.value);
    else w.reject(new Error(o.error));
  }

  /** Rejects everything still waiting (the runtime stops). */
  stop(): void {
    for (const w of this.waiting.splice(0)) w.reject(new Error("The runtime stopped before the task started"));
  }
}
