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
  running: boolean;
  runner: string | null;
  runs: number;
  unrunnable?: string;
}

export type TimedEvent =
  | { event: "scheduled-started"; name: string; start: number }
  | { event: "scheduled-finished"; name: string; start: number; ok: boolean; error: string | null };

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
  private readonly waiters: { name: string; since: number; resolve: (e: TimedEvent & { event: "scheduled-finished" }) => void }[] = [];

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
  }

  /** Runs the `runatstartup` tasks once, then starts the cron loop. */
  async start(): Promise<void> {
    for (const c of this.tasks.values()) {
      if (!c.task.runAtStartup || this.running.size >= this.o.maxParallel) continue;
      if (await this.o.store.claimExtraRun(c.task.name, this.o.owner, this.o.clock.now(), this.o.leaseMs)) this.startRun(c);
    }
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
    for (const c of this.tasks.values()) {
      const row = rows.get(c.task.name);
      if (!row || !row.enabled || row.next === null) continue;
      if (row.next > now) {
        wakeAt = Math.min(wakeAt, row.next);
        continue;
      }
      if (row.runningSince !== null || this.running.size >= this.o.maxParallel) continue; // re-ticked when a run ends
      const newNext = this.nextAfter(c, now);
      if (await this.o.store.claimOccurrence(c.task.name, row.next, newNext, this.o.owner, now, this.o.leaseMs)) {
        this.startRun(c);
        if (newNext !== null) wakeAt = Math.min(wakeAt, newNext);
      }
    }
    this.arm(wakeAt);
  }

  private arm(at: number): void {
    this.cancelTimer?.();
    if (this.stopped) return;
    this.cancelTimer = this.o.clock.setTimer(at, () => void this.tick());
  }

  private startRun(c: Compiled): void {
    const ac = new AbortController();
    const start = this.o.clock.now();
    this.running.set(c.task.name, ac);
    this.o.onEvent({ event: "scheduled-started", name: c.task.name, start });
    const problem = c.task.unrunnable ?? c.problem;
    const script = problem
      ? Promise.resolve<ScriptResult>({ ok: false, error: problem, warning: null, output: "", exitCode: null })
      : this.o.run(c.task, ac.signal).catch((e: unknown): ScriptResult => ({ ok: false, error: e instanceof Error ? e.message : String(e), warning: null, output: "", exitCode: null }));
    this.scripts.add(script);
    // Only the bookkeeping after the script counts as "in flight" (whenQuiet): a long script
    // must not make the scheduler look busy.
    void script.then((r) => {
      this.scripts.delete(script);
      const p = this.recordEnd(c, start, r);
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    });
  }

  private async recordEnd(c: Compiled, start: number, r: ScriptResult): Promise<void> {
    if (r.warning) this.o.log("warn", `${c.task.name} wrote to stderr: ${r.warning}`);
    try {
      await this.o.store.finishRun(c.task.name, this.o.owner, { at: this.o.clock.now(), ok: r.ok, error: r.error, output: r.output.slice(-2000) || null, exit: r.exitCode });
    } catch (e) {
      this.o.log("error", `could not record the run of ${c.task.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.running.delete(c.task.name);
    const ev = { event: "scheduled-finished" as const, name: c.task.name, start, ok: r.ok, error: r.error };
    this.o.onEvent(ev);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.name === c.task.name && start >= w.since) {
        this.waiters.splice(i, 1);
        w.resolve(ev);
      }
    }
    // Occurrences that passed during the run are due now: one catch-up run, not one each.
    if (!this.stopped) await this.tick();
  }

  /**
   * Runs a task now (or by `when`): it never postpones an earlier run, and a request while one
   * is pending changes nothing (WebHare). Resolves when a run that started at or after the
   * request has finished.
   */
  async trigger(name: string, when?: number): Promise<TimedEvent & { event: "scheduled-finished" }> {
    if (!this.tasks.has(name)) throw new Error(`No such scheduled task '${name}'`);
    const at = when ?? this.o.clock.now();
    const done = this.waitForRun(name, Math.min(at, this.o.clock.now()));
    await this.o.store.runBy(name, at);
    await this.tick();
    return done;
  }

  /** Resolves at the end of the first run of `name` that starts at or after `since`. */
  waitForRun(name: string, since: number): Promise<TimedEvent & { event: "scheduled-finished" }> {
    return new Promise((resolve) => this.waiters.push({ name, since, resolve }));
  }

  /** Disabled tasks do not run; enabling one does not catch up what it missed meanwhile. */
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
    for (const ac of this.running.values()) ac.abort();
    await Promise.all([this.ticking, ...this.scripts]);
    await this.whenQuiet();
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
    running: row?.runningSince !== null && row?.runningSince !== undefined,
    runner: row?.runner ?? null,
    runs: row?.runs ?? 0,
    ...(t.unrunnable || c.problem ? { unrunnable: t.unrunnable ?? c.problem } : {}),
  };
}
