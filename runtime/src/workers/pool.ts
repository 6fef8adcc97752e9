import { type ChildProcess, fork } from "node:child_process";
import { EventEmitter } from "node:events";
import type { DbConfig } from "../queue/open-store";
import { timeoutMessage } from "../queue/policy";
import type { TaskTypeInfo } from "../queue/task-types";
import { type LongTimeout, setLongTimeout } from "./long-timeout";
import type { FromWorker, RunOutcome, RunRequest, ToWorker } from "./protocol";
import { typeScriptLoaderArgs } from "./task-loader";

export type KillReason = "timeout" | "cancel" | "caller-gone" | "shutdown";

/** How a run ended as the pool saw it: a reported outcome, or the worker's death. */
export type PoolRunResult =
  | { kind: "outcome"; outcome: RunOutcome }
  | { kind: "died"; reason: string; killedFor?: KillReason }
  /** A managed run handed back unstarted: every worker is busy with slow work, so it goes back to the queue for another node. */
  | { kind: "released" };
/** Runs someone waits for are never released. */
export type UrgentRunResult = Exclude<PoolRunResult, { kind: "released" }>;

export interface PoolOptions {
  /** The `<taskcluster>` this pool serves (for logs and status). */
  name: string;
  size: number;
  /**
   * At most this many runs handed to one worker at once (one running, the rest waiting in its
   * own queue). The pool adapts below it: fast tasks are sent in batches so a worker never waits
   * for the next message, slow tasks one at a time so nothing waits behind them. Default 32.
   */
  maxBatch?: number;
  workerScript: string;
  db: DbConfig | null;
  types: TaskTypeInfo[];
  /** V8 heap limit per worker; a task that blows it is killed by V8 and recorded as a failure. */
  memoryLimitMb?: number;
  env?: NodeJS.ProcessEnv;
  /** The runtime's control socket, so task code reaches its runtime (ephemeral tasks, openRuntime). */
  socket?: string;
  log?: (level: "info" | "warn" | "error", text: string) => void;
}

export interface RunOptions {
  /** Someone waits for this (ephemeral tasks, entry points): it goes before managed work. */
  urgent?: boolean;
  /** Among urgent work: lower first. */
  priority?: number;
  /** Aborting drops the run while it waits, or kills its worker once it runs. */
  signal?: AbortSignal;
}

/** A run handed to the pool, waiting in the backlog or sent to a worker. */
interface Run {
  req: RunRequest;
  settle: (r: PoolRunResult) => void;
  urgent: boolean;
  priority: number;
  /** Set once the worker is (as far as we know) running it. */
  started?: number;
  /** The run's timeout (a task may allow days: longer than one setTimeout can wait). */
  timer?: LongTimeout;
  killedFor?: KillReason;
  /** Has run longer than SLOW_MS: nothing more is queued behind it. */
  slow?: boolean;
}

interface Worker {
  id: number;
  proc: ChildProcess;
  ready: boolean;
  /** Runs sent to this worker, in order; the first is running. */
  sent: Run[];
  /** Last output on stderr, to explain a crash. */
  stderrTail: string;
  exited: Promise<void>;
  /** Replace once its runs are done (code changed, or the pool shrank). */
  retire: boolean;
  /** Fires when the running run turns out slow, to take back what waits behind it. */
  slowTimer?: NodeJS.Timeout;
}

/** Managed runs may go back to the queue unstarted; runs someone waits for here may not. */
const releasable = (r: Run) => !r.urgent && r.req.kind === "managed";

const STDERR_TAIL = 2000;
/**
 * A run that takes longer than this is slow: the runs batched behind it are taken back for
 * other workers, and its worker gets no more until it is done. Matches the batch sizing below,
 * which sends one run at a time once runs average 25 ms.
 */
const SLOW_MS = 50;

/**
 * A pool of worker processes for one cluster. Each worker runs one task at a time and is reused
 * across runs; a worker that crashes, times out or is cancelled is killed and replaced without
 * touching the others. Runs wait in a backlog (urgent ones first) and are sent to workers in
 * batches sized by how fast runs complete: for no-op tasks the cost of a message per task would
 * otherwise dominate.
 */
export class WorkerPool extends EventEmitter {
  private readonly workers = new Set<Worker>();
  private backlog: Run[] = [];
  private nextWorkerId = 1;
  private stopping = false;
  private types: TaskTypeInfo[];
  private crashStreak = 0;
  private respawnTimer: NodeJS.Timeout | undefined;
  /** Moving average of run durations (ms), which sizes the batches. */
  private avgRunMs = 50;

  constructor(private readonly opts: PoolOptions) {
    super();
    this.types = opts.types;
  }

  get name(): string {
    return this.opts.name;
  }
  get size(): number {
    return this.opts.size;
  }
  /** Workers with nothing to do. */
  get idle(): number {
    let n = 0;
    for (const w of this.workers) if (w.ready && !w.sent.length && !w.retire) n++;
    return n;
  }
  /** Workers running something. */
  get busy(): number {
    let n = 0;
    for (const w of this.workers) if (w.sent.length) n++;
    return n;
  }
  /** Runs waiting in the backlog for a worker. */
  get waiting(): number {
    return this.backlog.length;
  }

  /** How many runs a worker may hold now: many when runs are quick, one when they are slow. */
  private batchSize(): number {
    if (this.backlog.some((r) => r.urgent)) return 1; // an urgent run must not queue behind a batch
    const max = this.opts.maxBatch ?? 32;
    const fit = this.avgRunMs < 1 ? 32 : this.avgRunMs < 5 ? 8 : this.avgRunMs < 25 ? 2 : 1;
    return Math.max(1, Math.min(max, fit));
  }

  /**
   * How many more managed runs the dispatcher may hand over now. Quick runs: a batch per worker
   * plus the next batch, so no worker waits for a claim. Slow runs: one per worker and nothing
   * held back, so a claimed task never waits here while another node sits idle.
   */
  get spare(): number {
    const batch = this.batchSize();
    const ahead = batch > 1 ? 2 * batch : 1;
    let held = this.backlog.length;
    let slowWorkers = 0;
    for (const w of this.workers) {
      held += w.sent.length;
      if (w.sent[0]?.slow) slowWorkers++;
    }
    return Math.max(0, this.opts.size * ahead - slowWorkers * (ahead - 1) - held);
  }

  /** Per worker: pid and the task it runs (for status views). */
  snapshot(): { pid: number | undefined; ready: boolean; taskId?: number; type?: string; kind?: string; since?: number; queued: number }[] {
    return [...this.workers].map((w) => {
      const head = w.sent[0];
      return {
        pid: w.proc.pid,
        ready: w.ready,
        queued: Math.max(0, w.sent.length - 1),
        ...(head ? { taskId: head.req.task.id, type: head.req.task.type, kind: head.req.kind, since: head.started ?? Date.now() } : {}),
      };
    });
  }

  pids(): number[] {
    return [...this.workers].map((w) => w.proc.pid).filter((p): p is number => p !== undefined);
  }

  start(): void {
    while (this.workers.size < this.opts.size) this.spawn();
  }

  private log(level: "info" | "warn" | "error", text: string): void {
    this.opts.log?.(level, `[${this.opts.name}] ${text}`);
  }

  private spawn(): void {
    const id = this.nextWorkerId++;
    const execArgv = [...typeScriptLoaderArgs(), ...(this.opts.memoryLimitMb ? [`--max-old-space-size=${this.opts.memoryLimitMb}`] : []), "--enable-source-maps"];
    const proc = fork(this.opts.workerScript, [], {
      execArgv,
      env: { ...process.env, ...this.opts.env, MODTASKS_WORKER: String(id), ...(this.opts.socket ? { MODTASKS_SOCKET: this.opts.socket } : {}) },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "json",
    });
    let resolveExited!: () => void;
    const w: Worker = { id, proc, ready: false, sent: [], stderrTail: "", exited: new Promise((r) => (resolveExited = r)), retire: false };
    this.workers.add(w);
    proc.stdout?.on("data", (b: Buffer) => this.log("info", `worker ${proc.pid}: ${b.toString().trimEnd()}`));
    proc.stderr?.on("data", (b: Buffer) => {
      const s = b.toString();
      w.stderrTail = (w.stderrTail + s).slice(-STDERR_TAIL);
      this.log("warn", `worker ${proc.pid}: ${s.trimEnd()}`);
    });
    proc.on("message", (m: FromWorker) => this.onMessage(w, m));
    proc.on("error", (e) => this.log("error", `worker ${proc.pid ?? "?"}: ${e.message}`));
    proc.on("exit", (code, signal) => {
      this.onExit(w, code, signal);
      resolveExited();
    });
    proc.send({ t: "init", db: this.opts.db, types: this.types, workerId: id } satisfies ToWorker);
  }

  private onMessage(w: Worker, m: FromWorker): void {
    switch (m.t) {
      case "ready":
        w.ready = true;
        this.crashStreak = 0;
        this.assign();
        this.emit("idle");
        return;
      case "done":
        for (const d of m.items) this.completed(w, d.runId, d.outcome);
        if (w.retire && !w.sent.length) this.kill(w);
        this.assign();
        this.emit("idle");
        return;
      case "wake":
        this.emit("wake");
        return;
      case "givenBack":
        this.takeBack(w, m.runIds);
        return;
      case "log":
        this.log(m.level, `worker ${w.proc.pid}: ${m.text}`);
        return;
    }
  }

  /** A run reported its outcome; the worker moves on to the next run it holds. */
  private completed(w: Worker, runId: number, outcome: RunOutcome): void {
    const i = w.sent.findIndex((r) => r.req.runId === runId);
    if (i < 0) return; // dropped meanwhile (cancelled before we knew it had started)
    const [run] = w.sent.splice(i, 1);
    run!.timer?.clear();
    clearTimeout(w.slowTimer);
    const took = Date.now() - (run!.started ?? Date.now());
    this.avgRunMs = this.avgRunMs * 0.9 + took * 0.1;
    run!.settle({ kind: "outcome", outcome });
    this.startHead(w);
  }

  /** The first run a worker holds is the one it runs: its timeout counts from now. */
  private startHead(w: Worker): void {
    const head = w.sent[0];
    if (!head || head.started !== undefined) return;
    head.started = Date.now();
    const ms = head.req.policy.timeoutMs;
    if (ms > 0) {
      head.timer = setLongTimeout(() => {
        if (w.sent[0] === head) {
          head.killedFor = "timeout";
          this.kill(w);
        }
      }, ms);
    }
    this.emit("started", head.req, w.proc.pid);
    clearTimeout(w.slowTimer);
    w.slowTimer = setTimeout(() => this.onSlow(w, head), SLOW_MS);
    w.slowTimer.unref?.();
  }

  /**
   * The running run is slow: ask the worker to hand back the runs batched behind it. Only the
   * worker knows which it has not started yet, so they move only once it answers (takeBack);
   * a run is never in two places.
   */
  private onSlow(w: Worker, head: Run): void {
    if (w.sent[0] !== head) return;
    head.slow = true;
    const behind = w.sent.slice(1).map((r) => r.req.runId);
    if (behind.length && w.proc.connected) w.proc.send({ t: "giveBack", runIds: behind } satisfies ToWorker);
    else this.shedIfStuck();
    this.emit("idle"); // the pool's room changed: the dispatcher may claim for other workers
  }

  private takeBack(w: Worker, runIds: number[]): void {
    const ids = new Set(runIds);
    const back = w.sent.filter((r, i) => i > 0 && ids.has(r.req.runId));
    if (!back.length) return;
    w.sent = w.sent.filter((r) => !back.includes(r));
    this.putBack(back);
    this.assign();
    this.shedIfStuck();
  }

  /** Runs that never started go back to the front of the line, behind only the urgent ones. */
  private putBack(runs: Run[]): void {
    let i = this.backlog.findIndex((r) => !r.urgent);
    if (i < 0) i = this.backlog.length;
    this.backlog.splice(i, 0, ...runs.map((r) => ({ ...r, started: undefined, timer: undefined, slow: undefined })));
  }

  /**
   * Managed runs waiting here while every worker is busy with slow work are released: another
   * node (or this one, once a worker frees up) claims them again. Holding them would leave them
   * leased to a node that cannot start them while other nodes sit idle.
   */
  private shedIfStuck(): void {
    if (this.stopping || !this.backlog.some(releasable)) return;
    const workers = [...this.workers].filter((w) => !w.retire);
    if (workers.length < this.opts.size) return; // a worker is on its way
    if (!workers.every((w) => w.sent[0]?.slow)) return; // a worker will take them soon
    const shed = this.backlog.filter(releasable);
    this.backlog = this.backlog.filter((r) => !releasable(r));
    for (const r of shed) r.settle({ kind: "released" });
  }

  private onExit(w: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    this.workers.delete(w);
    clearTimeout(w.slowTimer);
    const [head, ...rest] = w.sent;
    w.sent = [];
    if (head) {
      head.timer?.clear();
      head.settle({ kind: "died", reason: this.deathReason(w, head, code, signal), ...(head.killedFor ? { killedFor: head.killedFor } : {}) });
    }
    // Runs the worker held but had not started never ran: they go back to the front of the line.
    if (this.stopping) for (const r of rest) r.settle({ kind: "died", reason: "The runtime stopped before the task started", killedFor: "shutdown" });
    else this.putBack(rest);
    if (this.stopping) return;
    // A worker that dies before it is ready (broken install, bad flags) must not respawn in a tight loop.
    if (!w.ready) this.crashStreak++;
    const delay = this.crashStreak ? Math.min(30_000, 100 * 2 ** (this.crashStreak - 1)) : 0;
    if (delay) {
      this.log("error", `a worker exited before it was ready (code ${code}, signal ${signal}; its output is above); starting another in ${delay} ms`);
      // Several in a row: the workers cannot start at all (broken install); say so to whoever waits.
      if (this.crashStreak === 3) this.emit("broken", `worker processes of cluster ${this.opts.name} exit before they are ready: ${w.stderrTail.trim().split("\n").slice(-2).join(" ")}`);
    }
    clearTimeout(this.respawnTimer);
    this.respawnTimer = setTimeout(() => {
      if (!this.stopping) this.start();
    }, delay);
    this.assign();
  }

  private deathReason(w: Worker, run: Run, code: number | null, signal: NodeJS.Signals | null): string {
    if (run.killedFor === "timeout") return timeoutMessage(run.req.policy.timeoutMs);
    if (run.killedFor === "cancel") return "Task was cancelled";
    if (run.killedFor === "caller-gone") return "The caller went away before the task finished";
    if (run.killedFor === "shutdown") return "The runtime stopped while the task was running";
    if (/heap out of memory|Allocation failed/i.test(w.stderrTail)) {
      return `Task process ran out of memory${this.opts.memoryLimitMb ? ` (limit ${this.opts.memoryLimitMb} MB)` : ""}`;
    }
    const tail = w.stderrTail.trim().split("\n").slice(-3).join("\n");
    const base = signal ? `Task process was killed by signal ${signal}` : `Task process exited with code ${code}`;
    return tail ? `${base}: ${tail}` : base;
  }

  /**
   * Runs a task: on a free worker, else after the runs waiting before it (urgent ones first).
   * Settles with the worker's report, or with the worker's death.
   */
  run(req: RunRequest, opts: RunOptions & { urgent: true }): Promise<UrgentRunResult>;
  run(req: RunRequest, opts?: RunOptions): Promise<PoolRunResult>;
  run(req: RunRequest, opts: RunOptions = {}): Promise<PoolRunResult> {
    return new Promise<PoolRunResult>((resolve) => {
      if (this.stopping) return resolve({ kind: "died", reason: "The runtime stopped before the task started", killedFor: "shutdown" });
      if (opts.signal?.aborted) return resolve({ kind: "died", reason: "The caller went away before the task started", killedFor: "caller-gone" });
      const onAbort = () => void this.killRun(req.runId, "caller-gone");
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      const run: Run = {
        req,
        urgent: !!opts.urgent,
        priority: opts.priority ?? 0,
        settle: (r) => {
          opts.signal?.removeEventListener("abort", onAbort);
          resolve(r);
        },
      };
      this.enqueue(run);
      this.assign();
      if (this.backlog.includes(run)) this.emit("queued", req);
    });
  }

  private enqueue(run: Run): void {
    // Urgent runs (someone waits) by priority, before all managed runs; managed runs in claim order.
    let i = this.backlog.length;
    if (run.urgent) {
      i = this.backlog.findIndex((b) => !b.urgent || b.priority > run.priority);
      if (i < 0) i = this.backlog.length;
    }
    this.backlog.splice(i, 0, run);
  }

  /** Hands waiting runs to workers, up to the current batch size each, one message per worker. */
  private assign(): void {
    if (!this.backlog.length) return;
    const batch = this.batchSize();
    // Idle workers first, so runs spread out before they queue up anywhere.
    const order = [...this.workers].filter((w) => w.ready && !w.retire).sort((a, b) => a.sent.length - b.sent.length);
    for (const w of order) {
      if (!this.backlog.length) return;
      if (w.sent.length >= batch || w.sent[0]?.slow) continue;
      if (this.backlog[0]!.urgent && w.sent.length > 0) continue; // urgent runs only to a free worker
      const take = this.backlog.splice(0, batch - w.sent.length);
      w.sent.push(...take);
      w.proc.send({ t: "run", runs: take.map((r) => r.req) } satisfies ToWorker, (err) => {
        // The worker died between being picked and receiving the runs: exit handling settles them.
        if (err) this.kill(w);
      });
      this.startHead(w);
    }
  }

  /**
   * Stops a run: dropped from the backlog, or from the worker's queue if it has not started
   * there, or its worker is killed (resolves once that process is gone).
   */
  async killRun(runId: number, why: KillReason): Promise<boolean> {
    const reason = why === "cancel" ? "Task was cancelled" : why === "caller-gone" ? "The caller went away before the task started" : "The runtime stopped before the task started";
    const i = this.backlog.findIndex((r) => r.req.runId === runId);
    if (i >= 0) {
      this.backlog.splice(i, 1)[0]!.settle({ kind: "died", reason, killedFor: why });
      return true;
    }
    for (const w of this.workers) {
      const j = w.sent.findIndex((r) => r.req.runId === runId);
      if (j < 0) continue;
      if (j > 0) {
        // Not started yet: tell the worker to skip it.
        const [run] = w.sent.splice(j, 1);
        if (w.proc.connected) w.proc.send({ t: "drop", runId } satisfies ToWorker);
        run!.settle({ kind: "died", reason, killedFor: why });
        return true;
      }
      w.sent[0]!.killedFor = why;
      this.kill(w);
      await w.exited;
      return true;
    }
    return false;
  }

  /** Whether this pool runs (or holds) the given run. */
  has(runId: number): boolean {
    if (this.backlog.some((r) => r.req.runId === runId)) return true;
    for (const w of this.workers) if (w.sent.some((r) => r.req.runId === runId)) return true;
    return false;
  }

  private kill(w: Worker): void {
    if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill("SIGKILL");
  }

  updateTypes(types: TaskTypeInfo[]): void {
    this.types = types;
    for (const w of this.workers) if (w.proc.connected) w.proc.send({ t: "types", types } satisfies ToWorker);
  }

  /** Replaces every worker (so edited task code loads): idle ones now, busy ones after their runs. */
  recycle(): void {
    for (const w of this.workers) {
      w.retire = true;
      if (!w.sent.length) this.kill(w);
    }
  }

  resize(size: number): void {
    this.opts.size = size;
    let excess = this.workers.size - size;
    for (const w of this.workers) {
      if (excess <= 0) break;
      if (!w.sent.length) {
        w.retire = true;
        this.kill(w);
        excess--;
      }
    }
    this.start();
  }

  /** Kills every worker (running tasks end as "runtime stopped"); resolves when all are gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.respawnTimer);
    for (const r of this.backlog.splice(0)) r.settle({ kind: "died", reason: "The runtime stopped before the task started", killedFor: "shutdown" });
    const all = [...this.workers];
    for (const w of all) {
      if (w.sent[0]) w.sent[0].killedFor = "shutdown";
      this.kill(w);
    }
    await Promise.all(all.map((w) => w.exited));
  }
}
