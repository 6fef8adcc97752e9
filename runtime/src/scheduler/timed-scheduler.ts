import { type CronDialect, type CronSchedule, parseCron, resolveRunTz, type Zone } from "../cron/index";
import type { Clock } from "./clock";
import type { ScriptResult } from "./script-runner";
import type { TimedRow, TimedStore } from "./timed-store";

/** A declared `<task>` as the scheduler runs it. */
export interface TimedTask {
  name: string;
  moduleName: string;
  moduleDir: string;
  tag: string;
  runat: string;
  runtz: string;
  runAtStartup: boolean;
  timeoutMinutes: number;
  description: string;
  script?: string;
  args: string[];
  /** Why it cannot run here (HareScript, a checker error); its runs are recorded as failures. */
  unrunnable?: string;
}

/** What status views show for a scheduled task. */
export interface TimedTaskState {
  name: string;
  moduleName: string;
  tag: string;
  runat: string;
  runtz: string;
  description: string;
  runAtStartup: boolean;
  enabled: boolean;
  nextRun: number | null;
  lastRun: number | null;
  lastEnd: number | null;
  lastOk: boolean | null;
  lastError: string | null;
  /** stderr of the last run when it exited 0 (WebHare: a warning). Optional: older runtimes do not send it. */
  lastWarning?: string | null;
  running: boolean;
  runner: string | null;
  runs: number;
  unrunnable?: string;
}

/** `seq` numbers the runs of one task (in the database, so across nodes). */
export type TimedEvent =
  | { event: "scheduled-started"; name: string; start: number; seq: number }
  | { event: "scheduled-finished"; name: string; start: number; ok: boolean; error: string | null; warning: string | null; seq: number };

export type TimedFinished = TimedEvent & { event: "scheduled-finished" };

export interface TimedSchedulerOptions {
  store: TimedStore;
  owner: string;
  clock: Clock;
  run: (task: TimedTask, signal: AbortSignal) => Promise<ScriptResult>;
  /** At most this many scheduled runs at once on this node (WebHare: 4). */
  maxParallel: number;
  leaseMs: number;
  dialect: CronDialect;
  maintenanceOffsetMinutes: number;
  onEvent: (e: TimedEvent) => void;
  log: (level: "info" | "warn" | "error", text: string) => void;
}

interface Compiled {
  task: TimedTask;
  schedule?: CronSchedule;
  zone?: Zone;
  /** Identity of the schedule: a change recomputes the next time. */
  identity: string;
  problem?: string;
}

/** Safety re-check, for triggers that arrive without a wake-up. */
const SAFETY_TICK_MS = 60_000;
/**
 * While a caller waits for a triggered run, the task's row is looked at this often: another node
 * may run it, and its "finished" notification can be lost (or, on SQLite, never sent).
 */
const WAITER_RECHECK_MS = 1000;

interface Waiter {
  name: string;
  /** The number of the last run claimed before the request: any later run settles the wait. */
  after: number;
  resolve: (e: TimedFinished) => void;
  reject: (e: Error) => void;
}

/**
 * Runs `<task>` declarations at their cron times. The state lives in the database, so missed
 * occurrences survive restarts (one catch-up run, never one per missed occurrence) and every
 * occurrence is claimed by exactly one node. Time comes from an injectable clock.
 */
export class TimedScheduler {
  private tasks = new Map<string, Compiled>();
  private readonly running = new Map<string, AbortController>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly scripts = new Set<Promise<unknown>>();
  private cancelTimer: (() => void) | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly waiters: Waiter[] = [];
  /** `runatstartup` runs not started yet: they start, in order, as run slots free up. */
  private startupQueue: string[] = [];

  constructor(private readonly o: TimedSchedulerOptions) {}

  private compile(task: TimedTask): Compiled {
    const identity = `${task.runat.trim().replace(/\s+/g, " ")}|${task.runtz}|${task.runtz === "maintenance" ? this.o.maintenanceOffsetMinutes : ""}|${this.o.dialect}`;
    const c: Compiled = { task, identity };
    if (!task.runat.trim()) return c;
    const cron = parseCron(task.runat, this.o.dialect);
    const tz = resolveRunTz(task.runtz, this.o.maintenanceOffsetMinutes);
    if (!cron.schedule) c.problem = `Invalid runat '${task.runat}': ${cron.issues.find((i) => i.severity === "error")?.message ?? "invalid"}`;
    else if (!tz.zone) c.problem = `Invalid timezone '${task.runtz}'`;
    else {
      c.schedule = cron.schedule;
      c.zone = tz.zone;
    }
    return c;
  }

  private nextAfter(c: Compiled, after: number): number | null {
    if (!c.schedule || !c.zone) return null;
    return c.schedule.next(after, c.zone) ?? null;
  }

  /** Applies the current declarations (at start and after every edit of a definition). */
  async sync(tasks: TimedTask[]): Promise<void> {
    const now = this.o.clock.now();
    const next = new Map<string, Compiled>();
    for (const t of tasks) {
      const c = this.compile(t);
      next.set(t.name, c);
      await this.o.store.sync(t.name, c.identity, this.nextAfter(c, now));
    }
    const modules = [...new Set(tasks.map((t) => `${t.moduleName}:`))];
    await this.o.store.removeExcept(modules, tasks.map((t) => t.name));
    this.tasks = next;
    this.startupQueue = this.startupQueue.filter((n) => next.get(n)?.task.runAtStartup);
  }

  /**
   * Queues a run of every `runatstartup` task and starts the cron loop. The startup runs start
   * first, as far as the run limit allows; the rest start as runs end.
   */
  async start(): Promise<void> {
    this.startupQueue = [...this.tasks.values()].filter((c) => c.task.runAtStartup).map((c) => c.task.name);
    await this.tick();
  }

  /** Starts every occurrence that is due and arms the timer for the next one. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = (async () => {
      try {
        do {
          this.again = false;
          await this.tickOnce();
        } while (this.again && !this.stopped);
      } catch (e) {
        this.o.log("error", `scheduler: ${e instanceof Error ? e.message : String(e)}`);
        this.arm(this.o.clock.now() + 1000);
      } finally {
        this.ticking = undefined;
      }
    })();
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    const now = this.o.clock.now();
    const rows = new Map((await this.o.store.all()).map((r) => [r.name, r]));
    let wakeAt = now + SAFETY_TICK_MS;
    await this.startQueuedStartupRuns(rows, now);
    for (const c of this.tasks.values()) {
      const row = rows.get(c.task.name);
      if (!row) continue;
      // A disabled task keeps its next time but runs only when asked for by hand.
      const cronDue = row.enabled ? row.next : null;
      const due = minOf(cronDue, row.manualNext);
      if (due === null) continue;
      if (due > now) {
        wakeAt = Math.min(wakeAt, due);
        continue;
      }
      if (row.runningSince !== null || this.running.has(c.task.name) || this.running.size >= this.o.maxParallel) continue; // re-ticked when a run ends
      const newNext = cronDue !== null && cronDue <= now ? this.nextAfter(c, now) : row.next;
      const seq = await this.o.store.claimOccurrence(row, newNext, this.o.owner, now, this.o.leaseMs);
      if (seq !== undefined) {
        this.startRun(c, seq);
        if (newNext !== null && row.enabled) wakeAt = Math.min(wakeAt, newNext);
      }
    }
    this.settleWaitersFromRows(rows);
    if (this.waiters.length) wakeAt = Math.min(wakeAt, now + WAITER_RECHECK_MS);
    this.arm(wakeAt);
  }

  /** Starts queued `runatstartup` runs while run slots are free. A disabled task gets none. */
  private async startQueuedStartupRuns(rows: Map<string, TimedRow>, now: number): Promise<void> {
    for (const name of [...this.startupQueue]) {
      if (this.running.size >= this.o.maxParallel) return;
      const c = this.tasks.get(name);
      const row = rows.get(name);
      if (!c || !row || !row.enabled) {
        this.startupQueue = this.startupQueue.filter((n) => n !== name);
        continue;
      }
      if (row.runningSince !== null || this.running.has(name)) continue; // runs now (here or elsewhere): after that run
      const seq = await this.o.store.claimExtraRun(name, this.o.owner, now, this.o.leaseMs);
      if (seq === undefined) continue;
      this.startupQueue = this.startupQueue.filter((n) => n !== name);
      rows.set(name, { ...row, runningSince: now, runner: this.o.owner, manualNext: null, runSeq: seq });
      this.startRun(c, seq);
    }
  }

  /**
   * Settles waiters whose run ended, as the database says: it may have run on another node,
   * whose notification was lost. A run has ended when a later run than the waiter's request
   * was claimed and none is in progress (runs of one task never overlap).
   */
  private settleWaitersFromRows(rows: Map<string, TimedRow>): void {
    for (const w of [...this.waiters]) {
      const row = rows.get(w.name);
      if (!row) {
        if (!this.tasks.has(w.name)) this.dropWaiter(w, new Error(`Scheduled task '${w.name}' was removed before its requested run`));
        continue;
      }
      if (row.runSeq > w.after && row.runningSince === null && row.lastStart !== null) {
        this.settle(w.name, { event: "scheduled-finished", name: w.name, start: row.lastStart, ok: row.lastOk ?? false, error: row.lastError, warning: row.lastWarning, seq: row.runSeq });
      }
    }
  }

  /** Resolves every waiter of `e.name` that this run (or a later one) satisfies. */
  private settle(name: string, e: TimedFinished): void {
    for (const w of [...this.waiters]) {
      if (w.name !== name || e.seq <= w.after) continue;
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(e);
    }
  }

  private dropWaiter(w: Waiter, e: Error): void {
    const i = this.waiters.indexOf(w);
    if (i < 0) return;
    this.waiters.splice(i, 1);
    w.reject(e);
  }

  /**
   * A `scheduled-finished` event from another node (PostgreSQL NOTIFY payload): waiters here
   * whose run happened there settle at once instead of on the next re-check.
   */
  noteFinishedElsewhere(payload: string): void {
    let e: Partial<TimedFinished>;
    try {
      e = JSON.parse(payload) as Partial<TimedFinished>;
    } catch {
      return;
    }
    if (e.event !== "scheduled-finished" || typeof e.name !== "string" || typeof e.seq !== "number" || typeof e.start !== "number") return;
    this.settle(e.name, { event: "scheduled-finished", name: e.name, start: e.start, ok: e.ok === true, error: e.error ?? null, warning: e.warning ?? null, seq: e.seq });
  }

  private arm(at: number): void {
    this.cancelTimer?.();
    if (this.stopped) return;
    this.cancelTimer = this.o.clock.setTimer(at, () => void this.tick());
  }

  private startRun(c: Compiled, seq: number): void {
    const ac = new AbortController();
    const start = this.o.clock.now();
    this.running.set(c.task.name, ac);
    this.o.onEvent({ event: "scheduled-started", name: c.task.name, start, seq });
    const problem = c.task.unrunnable ?? c.problem;
    const script = problem
      ? Promise.resolve<ScriptResult>({ ok: false, error: problem, warning: null, output: "", exitCode: null })
      : this.o.run(c.task, ac.signal).catch((e: unknown): ScriptResult => ({ ok: false, error: e instanceof Error ? e.message : String(e), warning: null, output: "", exitCode: null }));
    this.scripts.add(script);
    // Only the bookkeeping after the script counts as "in flight" (whenQuiet): a long script
    // must not make the scheduler look busy.
    void script.then((r) => {
      this.scripts.delete(script);
      const p = this.recordEnd(c, start, seq, r);
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    });
  }

  private async recordEnd(c: Compiled, start: number, seq: number, r: ScriptResult): Promise<void> {
    // WebHare: stderr output of a run that exited 0 is a warning; it is stored and shown, not a failure.
    if (r.warning) this.o.log("warn", `${c.task.name} wrote to stderr: ${r.warning}`);
    try {
      await this.o.store.finishRun(c.task.name, this.o.owner, { at: this.o.clock.now(), ok: r.ok, error: r.error, warning: r.warning, output: r.output.slice(-2000) || null, exit: r.exitCode });
    } catch (e) {
      this.o.log("error", `could not record the run of ${c.task.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.running.delete(c.task.name);
    const ev: TimedFinished = { event: "scheduled-finished", name: c.task.name, start, ok: r.ok, error: r.error, warning: r.warning, seq };
    this.o.onEvent(ev);
    this.settle(c.task.name, ev);
    // Occurrences that passed during the run are due now: one catch-up run, not one each.
    if (!this.stopped) await this.tick();
  }

  /**
   * Asks for a run of a task now (or no later than `when`) and returns once the request is
   * stored: it never postpones an earlier run, and a request while one is pending changes
   * nothing (WebHare). A disabled task runs once and stays disabled: a run by hand is an explicit
   * request, like WebHare's "schedule now"; disabling stops the schedule. Returns the number of
   * the last run claimed before the request.
   */
  async request(name: string, when?: number): Promise<number> {
    if (!this.tasks.has(name)) throw new Error(`No such scheduled task '${name}'`);
    const seq = await this.o.store.requestRun(name, when ?? this.o.clock.now());
    if (seq === undefined) throw new Error(`No such scheduled task '${name}'`);
    void this.tick();
    return seq;
  }

  /** request(), then resolves when the requested run (or a later one) has finished, on whichever node ran it. */
  async trigger(name: string, when?: number): Promise<TimedFinished> {
    const seq = await this.request(name, when);
    const done = this.waitForRunAfter(name, seq);
    // The run may already have ended on another node: the tick looks at the row too.
    await this.tick();
    return done;
  }

  /** Resolves at the end of the first run of `name` numbered above `after`. */
  waitForRunAfter(name: string, after: number): Promise<TimedFinished> {
    return new Promise((resolve, reject) => this.waiters.push({ name, after, resolve, reject }));
  }

  /** Disabled tasks do not run on schedule; enabling one does not catch up what it missed meanwhile. */
  async setEnabled(name: string, enabled: boolean): Promise<void> {
    const c = this.tasks.get(name);
    if (!c) throw new Error(`No such scheduled task '${name}'`);
    const now = this.o.clock.now();
    await this.o.store.setEnabled(name, enabled, now, this.nextAfter(c, now));
    await this.tick();
  }

  async list(): Promise<TimedTaskState[]> {
    const rows = new Map((await this.o.store.all()).map((r) => [r.name, r]));
    return [...this.tasks.values()].map((c) => toState(c, rows.get(c.task.name)));
  }

  async renewLeases(until: number): Promise<void> {
    if (this.running.size) await this.o.store.renew(this.o.owner, until);
  }

  get runningNames(): string[] {
    return [...this.running.keys()];
  }

  /** `runatstartup` runs still waiting for a run slot: the runtime is not idle while there are any. */
  get queuedStartupRuns(): number {
    return this.startupQueue.length;
  }

  /** Resolves when no tick and no bookkeeping is in flight (scripts may still run). */
  async whenQuiet(): Promise<void> {
    while (this.ticking || this.inFlight.size) {
      await Promise.all([this.ticking, ...this.inFlight]);
    }
  }

  /** Stops the loop and kills running scripts; their runs are recorded as stopped. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.startupQueue = [];
    for (const ac of this.running.values()) ac.abort();
    await Promise.all([this.ticking, ...this.scripts]);
    await this.whenQuiet();
    for (const w of [...this.waiters]) this.dropWaiter(w, new Error(`The runtime stopped before the requested run of ${w.name} finished`));
  }
}

function toState(c: Compiled, row: TimedRow | undefined): TimedTaskState {
  const t = c.task;
  return {
    name: t.name,
    moduleName: t.moduleName,
    tag: t.tag,
    runat: t.runat,
    runtz: t.runtz,
    description: t.description,
    runAtStartup: t.runAtStartup,
    enabled: row?.enabled ?? true,
    nextRun: row?.next ?? null,
    lastRun: row?.lastStart ?? null,
    lastEnd: row?.lastEnd ?? null,
    lastOk: row?.lastOk ?? null,
    lastError: row?.lastError ?? null,
    lastWarning: row?.lastWarning ?? null,
    running: row?.runningSince !== null && row?.runningSince !== undefined,
    runner: row?.runner ?? null,
    runs: row?.runs ?? 0,
    ...(t.unrunnable || c.problem ? { unrunnable: t.unrunnable ?? c.problem } : {}),
  };
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
