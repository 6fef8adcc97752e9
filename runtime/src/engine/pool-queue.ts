import type { PoolRunResult, WorkerPool } from "../workers/pool";
import type { RunRequest } from "../workers/protocol";

interface Waiting {
  seq: number;
  priority: number;
  req: RunRequest;
  pool: WorkerPool;
  resolve: (r: PoolRunResult) => void;
  reject: (e: Error) => void;
}

/** Why a queued or running request ended without a result from its worker. */
export class CallerGoneError extends Error {}

/**
 * Runs in-memory work (ephemeral tasks, Prudence entry points) on worker pools: a request waits,
 * in priority order, until a worker of its pool is free. Someone is waiting for these, so a free
 * worker serves them before the managed queue (attach before any dispatcher listens). An abort
 * drops a waiting request and kills a running one.
 */
export class PoolQueue {
  private readonly waiting: Waiting[] = [];
  private seq = 0;
  private readonly attached = new Set<WorkerPool>();

  constructor(
    private readonly onStarted: (req: RunRequest, pid: number | undefined) => void = () => {},
    private readonly onQueued: (req: RunRequest) => void = () => {},
  ) {}

  attach(pool: WorkerPool): void {
    if (this.attached.has(pool)) return;
    this.attached.add(pool);
    pool.on("idle", () => this.pump(pool));
  }

  get queued(): number {
    return this.waiting.length;
  }

  run(pool: WorkerPool, req: RunRequest, priority: number, signal?: AbortSignal): Promise<PoolRunResult> {
    this.attach(pool);
    return new Promise<PoolRunResult>((resolve, reject) => {
      if (signal?.aborted) return reject(new CallerGoneError("The caller went away before the task started"));
      const w: Waiting = { seq: ++this.seq, priority, req, pool, resolve, reject };
      const onAbort = () => {
        const i = this.waiting.indexOf(w);
        if (i >= 0) {
          this.waiting.splice(i, 1);
          reject(new CallerGoneError("The caller went away before the task started"));
        } else void pool.killRun(req.runId, "caller-gone");
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const done = () => signal?.removeEventListener("abort", onAbort);
      w.resolve = (r) => (done(), resolve(r));
      w.reject = (e) => (done(), reject(e));
      this.waiting.push(w);
      this.waiting.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
      this.pump(pool);
      if (this.waiting.includes(w)) this.onQueued(req);
    });
  }

  private pump(pool: WorkerPool): void {
    while (pool.idle > 0) {
      const i = this.waiting.findIndex((w) => w.pool === pool);
      if (i < 0) return;
      const w = this.waiting.splice(i, 1)[0]!;
      const running = pool.run(w.req);
      this.onStarted(w.req, pool.snapshot().find((x) => x.taskId === w.req.task.id && x.kind === w.req.kind)?.pid);
      running.then(w.resolve, (e: unknown) => w.reject(e instanceof Error ? e : new Error(String(e))));
    }
  }

  /** Rejects everything still waiting (the runtime stops). */
  stop(): void {
    for (const w of this.waiting.splice(0)) w.reject(new Error("The runtime stopped before the task started"));
  }
}
