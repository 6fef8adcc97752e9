import { type ChildProcess, fork } from "node:child_process";
import { EventEmitter } from "node:events";
import type { DbConfig } from "../queue/open-store";
import { timeoutMessage } from "../queue/policy";
import type { TaskTypeInfo } from "../queue/task-types";
import type { FromWorker, RunOutcome, RunRequest, ToWorker } from "./protocol";
import { typeScriptLoaderArgs } from "./task-loader";

export type KillReason = "timeout" | "cancel" | "caller-gone" | "shutdown";

/** How a run ended as the pool saw it: a reported outcome, or the worker's death. */
export type PoolRunResult = { kind: "outcome"; outcome: RunOutcome } | { kind: "died"; reason: string; killedFor?: KillReason };

export interface PoolOptions {
  /** The `<taskcluster>` this pool serves (for logs and status). */
  name: string;
  size: number;
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

interface Worker {
  id: number;
  proc: ChildProcess;
  ready: boolean;
  spawnedAt: number;
  run?: {
    req: RunRequest;
    settle: (r: PoolRunResult) => void;
    timer?: NodeJS.Timeout;
    killedFor?: KillReason;
    started: number;
  };
  /** Last output on stderr, to explain a crash. */
  stderrTail: string;
  exited: Promise<void>;
  /** Replace after the current run (code changed). */
  retire: boolean;
}

const STDERR_TAIL = 2000;

/**
 * A pool of worker processes for one cluster. Each worker runs one task at a time and is reused
 * across runs; a worker that crashes, times out or is cancelled is killed and replaced without
 * touching the others.
 */
export class WorkerPool extends EventEmitter {
  private readonly workers = new Set<Worker>();
  private nextWorkerId = 1;
  private stopping = false;
  private types: TaskTypeInfo[];
  private crashStreak = 0;
  private respawnTimer: NodeJS.Timeout | undefined;

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
  get idle(): number {
    let n = 0;
    for (const w of this.workers) if (w.ready && !w.run && !w.retire) n++;
    return n;
  }
  get busy(): number {
    let n = 0;
    for (const w of this.workers) if (w.run) n++;
    return n;
  }

  /** Per worker: pid and the task it runs (for status views). */
  snapshot(): { pid: number | undefined; ready: boolean; taskId?: number; type?: string; kind?: string; since?: number }[] {
    return [...this.workers].map((w) => ({
      pid: w.proc.pid,
      ready: w.ready,
      ...(w.run ? { taskId: w.run.req.task.id, type: w.run.req.task.type, kind: w.run.req.kind, since: w.run.started } : {}),
    }));
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
    const w: Worker = { id, proc, ready: false, spawnedAt: Date.now(), stderrTail: "", exited: new Promise((r) => (resolveExited = r)), retire: false };
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
        this.emit("idle");
        return;
      case "done": {
        const run = w.run;
        if (!run || run.req.runId !== m.runId) return;
        clearTimeout(run.timer);
        w.run = undefined;
        run.settle({ kind: "outcome", outcome: m.outcome });
        if (w.retire) this.kill(w);
        else this.emit("idle");
        return;
      }
      case "wake":
        this.emit("wake");
        return;
      case "log":
        this.log(m.level, `worker ${w.proc.pid}: ${m.text}`);
        return;
    }
  }

  private onExit(w: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    this.workers.delete(w);
    const run = w.run;
    if (run) {
      clearTimeout(run.timer);
      w.run = undefined;
      run.settle({ kind: "died", reason: this.deathReason(w, run.killedFor, code, signal, run.req), ...(run.killedFor ? { killedFor: run.killedFor } : {}) });
    }
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
  }

  private deathReason(w: Worker, killedFor: KillReason | undefined, code: number | null, signal: NodeJS.Signals | null, req: RunRequest): string {
    if (killedFor === "timeout") return timeoutMessage(effectiveTimeout(req));
    if (killedFor === "cancel") return "Task was cancelled";
    if (killedFor === "caller-gone") return "The caller went away before the task finished";
    if (killedFor === "shutdown") return "The runtime stopped while the task was running";
    if (/heap out of memory|Allocation failed/i.test(w.stderrTail)) {
      return `Task process ran out of memory${this.opts.memoryLimitMb ? ` (limit ${this.opts.memoryLimitMb} MB)` : ""}`;
    }
    const tail = w.stderrTail.trim().split("\n").slice(-3).join("\n");
    const base = signal ? `Task process was killed by signal ${signal}` : `Task process exited with code ${code}`;
    return tail ? `${base}: ${tail}` : base;
  }

  /** Runs a task on an idle worker. Call only when `idle > 0`. */
  run(req: RunRequest): Promise<PoolRunResult> {
    const w = [...this.workers].find((x) => x.ready && !x.run && !x.retire);
    if (!w) return Promise.reject(new Error(`internal: no idle worker in pool ${this.opts.name}`));
    return new Promise<PoolRunResult>((settle) => {
      w.run = { req, settle, started: Date.now() };
      const ms = effectiveTimeout(req);
      if (ms > 0) {
        w.run.timer = setTimeout(() => {
          if (w.run?.req.runId === req.runId) {
            w.run.killedFor = "timeout";
            this.kill(w);
          }
        }, ms);
      }
      w.proc.send({ t: "run", run: req } satisfies ToWorker, (err) => {
        // The worker died between being picked and receiving the run: exit handling settles it.
        if (err) this.kill(w);
      });
    });
  }

  /** Kills the worker running `runId`; resolves once that process is gone. */
  async killRun(runId: number, why: KillReason): Promise<boolean> {
    const w = [...this.workers].find((x) => x.run?.req.runId === runId);
    if (!w) return false;
    w.run!.killedFor = why;
    this.kill(w);
    await w.exited;
    return true;
  }

  /** Whether this pool is running the given run. */
  has(runId: number): boolean {
    for (const w of this.workers) if (w.run?.req.runId === runId) return true;
    return false;
  }

  private kill(w: Worker): void {
    if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill("SIGKILL");
  }

  updateTypes(types: TaskTypeInfo[]): void {
    this.types = types;
    for (const w of this.workers) if (w.proc.connected) w.proc.send({ t: "types", types } satisfies ToWorker);
  }

  /** Replaces every worker (so edited task code loads): idle ones now, busy ones after their run. */
  recycle(): void {
    for (const w of this.workers) {
      w.retire = true;
      if (!w.run) this.kill(w);
    }
  }

  resize(size: number): void {
    this.opts.size = size;
    let excess = this.workers.size - size;
    for (const w of this.workers) {
      if (excess <= 0) break;
      if (!w.run) {
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
    const all = [...this.workers];
    for (const w of all) {
      if (w.run) w.run.killedFor = "shutdown";
      this.kill(w);
    }
    await Promise.all(all.map((w) => w.exited));
  }
}

function effectiveTimeout(req: RunRequest): number {
  return req.policy.timeoutMs;
}
