import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveDocument } from "../crontab/documents";
import type { ModuleInfo } from "../engine/modules";
import { JsonValueError, toJsonText } from "../queue/json-value";
import type { WorkerPool } from "../workers/pool";
import type { RunRequest } from "../workers/protocol";
import { setLongTimeout } from "../workers/long-timeout";
import { type Clock, realClock } from "../scheduler/clock";
import { type ProgramRun, runProgram } from "./program-runner";

/** `executeTask` / `codeTask` as Prudence has them (delays and intervals in ms). */
export interface ExecuteSpec {
  /** Module (Prudence: application) whose folder holds the document. */
  module: string;
  /** Document name, e.g. "/tasks/cleanup/". */
  document?: string;
  /** Literal source code (codeTask): needs the runtime's allowCodeTasks. */
  code?: string;
  /** Call this exported function of the document (loaded once per worker) instead of running it as a program. */
  entryPoint?: string;
  context?: unknown;
  delay?: number;
  /** Repeat every this many ms (0/absent: run once). */
  repeatEvery?: number;
  /** true: fixed rate (starts every interval, runs may overlap); false: fixed delay after each run ends. */
  fixedRate?: boolean;
}

export interface BackgroundTaskState {
  id: number;
  module: string;
  document: string;
  entryPoint?: string;
  repeating: boolean;
  runs: number;
  running: number;
  done: boolean;
  cancelled: boolean;
  lastError: string | null;
}

interface Task {
  id: number;
  spec: ExecuteSpec;
  module: ModuleInfo;
  file: string;
  runs: number;
  running: Map<number, AbortController>;
  /** Cancels the timer of the next start. */
  cancelTimer?: () => void;
  /** When the next start of a fixed-rate task is due: every start is an interval after the previous one's due time. */
  dueAt: number;
  cancelled: boolean;
  done: boolean;
  first?: { ok: boolean; value: unknown; error: string | null };
  lastError: string | null;
  /** Called after every run; a waiter that returns true is done and removed. */
  waiters: (() => boolean)[];
  /** A code task's source lives in a temp folder, removed once the task is done. */
  tempDir?: string;
}

export interface BackgroundOptions {
  modules: () => ModuleInfo[];
  /** The pool for entry points (Prudence: 2 × cores + 1 threads). */
  pool: () => WorkerPool;
  /** At most this many program processes at once (the same size as the pool). */
  programSlots: number;
  allowCodeTasks: boolean;
  preload: string;
  env: () => NodeJS.ProcessEnv;
  log: (level: "info" | "warn" | "error", text: string) => void;
  /** After every run (the runtime re-checks whether it is idle). */
  onRunEnd?: () => void;
  /** Time of delays and repeats (tests move a fake clock instead of waiting). Default: real time. */
  clock?: Clock;
  /** Runs one program (tests substitute one they finish by hand). Default: a process of its own. */
  runProgram?: (run: ProgramRun) => Promise<{ ok: boolean; error: string | null }>;
  /**
   * Finished tasks kept for status and result() (oldest forgotten first); running and
   * repeating ones are always kept. Without a limit, every crontab firing would add one for ever.
   */
  keepFinished?: number;
}

/** How many finished tasks are kept by default. */
export const DEFAULT_KEEP_FINISHED = 100;

/**
 * Prudence-style background tasks: programs (a document run top to bottom, in a process of its
 * own) and entry points (a function of a document loaded once per worker), run once, after a
 * delay, or repeatedly at a fixed rate or with a fixed delay. Node-local and not durable, like
 * Prudence's executor; durable work belongs in managed tasks.
 */
export class BackgroundTasks {
  private readonly tasks = new Map<number, Task>();
  private nextId = 1;
  private runIds = 2_000_000_000;
  private programsRunning = 0;
  private readonly programQueue: (() => void)[] = [];
  /** Ids of finished tasks, oldest first (the next to forget). */
  private finished: number[] = [];
  private stopped = false;
  private readonly clock: Clock;

  constructor(private readonly o: BackgroundOptions) {
    this.clock = o.clock ?? realClock;
  }

  /** Validates and starts (or schedules) a task; returns its id. Throws for bad input. */
  execute(spec: ExecuteSpec): number {
    const module = this.o.modules().find((m) => m.name === spec.module);
    if (!module) throw new Error(`No module '${spec.module}' is loaded by this runtime`);
    let file: string;
    let tempDir: string | undefined;
    if (spec.code !== undefined) {
      if (!this.o.allowCodeTasks) throw new Error("code tasks are disabled in this runtime (start it with --allow-code-tasks; never in an untrusted workspace)");
      if (spec.entryPoint) throw new Error("a code task has no entry point");
      tempDir = mkdtempSync(join(tmpdir(), "modtasks-code-"));
      file = join(tempDir, "task.ts");
      writeFileSync(file, spec.code);
    } else {
      if (!spec.document) throw new Error("executeTask needs a document (or code)");
      const found = resolveDocument(module.dir, spec.document, existsSync);
      if (!found.ok) {
        throw new Error(found.reason === "not-found" ? `Document '${spec.document}' not found in module '${spec.module}' (tried ${found.tried.join(", ")})` : `Invalid document name '${spec.document}': ${found.message}`);
      }
      file = found.file;
    }
    try {
      toJsonText(spec.context ?? null, "context");
    } catch (e) {
      if (e instanceof JsonValueError) throw new Error(e.message);
      throw e;
    }
    for (const [k, v] of [["delay", spec.delay], ["repeatEvery", spec.repeatEvery]] as const) {
      if (v !== undefined && (!Number.isFinite(v) || v < 0)) throw new Error(`${k} must be a non-negative number of milliseconds`);
    }
    const dueAt = this.clock.now() + (spec.delay ?? 0);
    const task: Task = { id: this.nextId++, spec, module, file, runs: 0, running: new Map(), dueAt, cancelled: false, done: false, lastError: null, waiters: [], ...(tempDir ? { tempDir } : {}) };
    this.tasks.set(task.id, task);
    this.at(task, dueAt, () => this.fire(task));
    return task.id;
  }

  /** Calls fn at `at` on the clock; at once (next turn of the event loop) when it is not in the future. */
  private at(task: Task, at: number, fn: () => void): void {
    task.cancelTimer?.();
    if (at <= this.clock.now()) {
      const t = setImmediate(fn);
      task.cancelTimer = () => clearImmediate(t);
    } else {
      task.cancelTimer = this.clock.setTimer(at, fn);
    }
  }

  private fire(task: Task): void {
    task.cancelTimer = undefined;
    if (task.cancelled || this.stopped) return;
    const every = task.spec.repeatEvery ?? 0;
    if (every > 0 && task.spec.fixedRate) {
      // Fixed rate: each start is due an interval after the previous one was due, whether or not
      // that run has ended (runs may overlap).
      task.dueAt += every;
      this.at(task, task.dueAt, () => this.fire(task));
      // ...but they do not pile up without bound when each takes longer than the rate.
      if (task.running.size >= this.o.programSlots) return;
    }
    void this.runOnce(task).then(() => {
      // Fixed delay: the next start is an interval after this run ended.
      if (every > 0 && !task.spec.fixedRate && !task.cancelled && !this.stopped) this.at(task, this.clock.now() + every, () => this.fire(task));
    });
  }

  private async runOnce(task: Task): Promise<void> {
    const runId = ++this.runIds;
    const ac = new AbortController();
    task.running.set(runId, ac);
    let r: { ok: boolean; value: unknown; error: string | null; notStarted?: boolean };
    try {
      r = task.spec.entryPoint ? await this.runEntryPoint(task, runId, ac.signal) : await this.runProgramTask(task, ac.signal);
    } catch (e) {
      r = { ok: false, value: null, error: e instanceof Error ? e.message : String(e) };
    }
    task.running.delete(runId);
    // A run cancelled while it waited for a program slot never happened: it counts for nothing.
    if (!r.notStarted) {
      task.runs++;
      if (!r.ok) {
        task.lastError = r.error;
        if (!task.cancelled) this.o.log("warn", `background task ${task.spec.document ?? "(code)"} failed: ${r.error}`);
      }
      if (!task.first) task.first = r;
    }
    if ((!(task.spec.repeatEvery ?? 0) || task.cancelled) && task.running.size === 0) task.done = true;
    task.waiters = task.waiters.filter((w) => !w());
    if (task.done) this.finish(task);
    this.o.onRunEnd?.();
  }

  /** A task is done: its temp files go, and the oldest finished tasks beyond the limit are forgotten. */
  private finish(task: Task): void {
    if (this.finished.includes(task.id)) return;
    if (task.tempDir) rmSync(task.tempDir, { recursive: true, force: true });
    this.finished.push(task.id);
    const keep = this.o.keepFinished ?? DEFAULT_KEEP_FINISHED;
    while (this.finished.length > keep) this.tasks.delete(this.finished.shift()!);
  }

  private async runEntryPoint(task: Task, runId: number, signal: AbortSignal) {
    const req: RunRequest = {
      runId,
      kind: "entrypoint",
      task: { id: task.id, type: `${task.module.name}:${task.spec.document}`, data: task.spec.context ?? null, failures: 0, iterations: task.runs },
      impl: { file: task.file, exportName: task.spec.entryPoint!, form: "function", language: task.file.endsWith(".ts") ? "typescript" : "javascript" },
      policy: { timeoutMs: 0, failRescheduleMs: 0, maxFailures: 0 },
    };
    const r = await this.o.pool().run(req, { urgent: true, signal });
    if (r.kind === "died") return { ok: false, value: null, error: r.reason };
    const res = r.outcome.kind === "resolved" ? r.outcome.resolution : undefined;
    if (res?.kind === "completed") return { ok: true, value: res.result, error: null };
    return { ok: false, value: null, error: res && "error" in res ? res.error : "the entry point did not finish" };
  }

  private async runProgramTask(task: Task, signal: AbortSignal) {
    // Cancelled while waiting for a slot: never started, and nothing to give back.
    if (!(await this.programSlot(signal))) return { ok: false, value: null, error: "cancelled", notStarted: true };
    try {
      if (signal.aborted) return { ok: false, value: null, error: "cancelled" };
      const r = await (this.o.runProgram ?? runProgram)({
        file: task.file,
        cwd: task.module.dir,
        context: task.spec.context ?? null,
        env: this.o.env(),
        preload: this.o.preload,
        signal,
        onOutput: (stream, text) => this.o.log(stream === "stderr" ? "warn" : "info", `[${task.module.name}${task.spec.document ?? " code"}] ${text.trimEnd()}`),
      });
      return { ok: r.ok, value: null, error: r.error };
    } finally {
      this.programsRunning--;
      this.programQueue.shift()?.();
    }
  }

  /**
   * Takes a program slot, waiting for one if all are in use. Resolves false without a slot when
   * the signal aborts meanwhile: the waiter leaves the queue at once, so a cancel does not wait
   * for another program to end.
   */
  private programSlot(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.programsRunning < this.o.programSlots) {
      this.programsRunning++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = () => {
        signal.removeEventListener("abort", onAbort);
        this.programsRunning++;
        resolve(true);
      };
      const onAbort = () => {
        const i = this.programQueue.indexOf(grant);
        if (i >= 0) this.programQueue.splice(i, 1);
        resolve(false);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.programQueue.push(grant);
    });
  }

  /**
   * The first run's result (entry points return a value; programs give null). Throws the run's
   * error, or a timeout error after `timeoutMs`.
   */
  async result(id: number, timeoutMs: number): Promise<unknown> {
    const task = this.get(id);
    if (!task.first && !task.done) {
      await new Promise<void>((resolve, reject) => {
        // Any length: a control-protocol client may ask for a wait beyond Node's 2^31-1 ms timer limit.
        const t = setLongTimeout(() => reject(new Error(`Timeout waiting for background task #${id}`)), timeoutMs);
        task.waiters.push(() => {
          if (!task.first && !task.done) return false;
          t.clear();
          resolve();
          return true;
        });
      });
    }
    if (!task.first) throw new Error(`Background task #${id} was cancelled before it ran`);
    if (!task.first.ok) throw new Error(task.first.error ?? "failed");
    return task.first.value;
  }

  state(id: number): BackgroundTaskState {
    const t = this.get(id);
    return {
      id: t.id,
      module: t.module.name,
      document: t.spec.document ?? "(code)",
      ...(t.spec.entryPoint ? { entryPoint: t.spec.entryPoint } : {}),
      repeating: (t.spec.repeatEvery ?? 0) > 0,
      runs: t.runs,
      running: t.running.size,
      done: t.done,
      cancelled: t.cancelled,
      lastError: t.lastError,
    };
  }

  list(): BackgroundTaskState[] {
    return [...this.tasks.keys()].map((id) => this.state(id));
  }

  /** Stops further runs and kills running ones (or takes queued ones off the queue); resolves once they are gone. */
  async cancel(id: number): Promise<boolean> {
    const t = this.get(id);
    if (t.done && !t.running.size) return false;
    t.cancelled = true;
    t.cancelTimer?.();
    t.cancelTimer = undefined;
    const waiting = t.running.size
      ? new Promise<void>((r) =>
          t.waiters.push(() => {
            if (t.running.size) return false;
            r();
            return true;
          }),
        )
      : Promise.resolve();
    for (const ac of t.running.values()) ac.abort();
    await waiting;
    t.done = true;
    t.waiters = t.waiters.filter((w) => !w()); // a result() waiting for a run that never came
    this.finish(t);
    return true;
  }

  private get(id: number): Task {
    const t = this.tasks.get(id);
    if (!t) {
      if (Number.isInteger(id) && id > 0 && id < this.nextId) {
        throw new Error(`Background task #${id} has finished and is no longer kept (this runtime keeps the last ${this.o.keepFinished ?? DEFAULT_KEEP_FINISHED} finished tasks)`);
      }
      throw new Error(`No such background task #${id}`);
    }
    return t;
  }

  get sizes(): { workers: number; programSlots: number; programsRunning: number } {
    return { workers: this.o.programSlots, programSlots: this.o.programSlots, programsRunning: this.programsRunning };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.tasks.keys()].map((id) => this.cancel(id).catch(() => false)));
  }
}
