import type { FinishOutcome, QueueStore, RunFinish } from "../queue/store";
import type { TaskTypeInfo } from "../queue/task-types";
import type { ClaimedTask, Resolution } from "../queue/types";
import type { PoolRunResult, WorkerPool } from "../workers/pool";
import type { RunRequest } from "../workers/protocol";
import { finishedPayloads } from "../queue/notifications";

/** Something that happened to a managed task, for status views and result waiters. */
export type TaskEvent =
  | { event: "task-started"; id: number; type: string; node: string; kind?: "managed" | "ephemeral"; pid?: number; runAt?: number }
  /** An ephemeral task waits for a free worker (managed tasks wait in the database instead). */
  | { event: "task-queued"; id: number; type: string; node: string; kind: "ephemeral" }
  | { event: "task-finished"; id: number; type: string; state: "pending" | "finished"; outcome: string | null; kind?: "managed" | "ephemeral"; failed?: boolean };

export interface DispatcherOptions {
  store: QueueStore;
  pool: WorkerPool;
  /** Lease owner: this runtime instance. */
  owner: string;
  node: string;
  leaseMs: number;
  /** Safety-net poll; new work normally arrives by wake(). */
  pollMs: number;
  /** The runnable types this dispatcher's pool serves. */
  types: () => TaskTypeInfo[];
  onEvent: (e: TaskEvent) => void;
  onIdle?: () => void;
  log: (level: "info" | "warn" | "error", text: string) => void;
}

interface PendingFinish {
  finish: RunFinish;
  type: string;
  done?: () => void;
}

/**
 * Moves managed tasks from the queue to the workers of one pool and back. Work is event driven:
 * a wake (new task, finished run, free worker) runs one pump, which applies the finished runs
 * and claims new ones in a single transaction, so a busy queue costs one commit per batch rather
 * than two per task.
 */
export class Dispatcher {
  private readonly finishes: PendingFinish[] = [];
  /** Ids of the finishes being written right now (taken out of `finishes` for the transaction). */
  private readonly writing = new Set<number>();
  private readonly running = new Map<number, { runId: number; leaseToken: string; type: string; started: number }>();
  private pumping = false;
  private again = false;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private paused = false;
  private runCounter = 0;
  private failureStreak = 0;

  constructor(private readonly o: DispatcherOptions) {
    o.pool.on("idle", () => this.wake());
  }

  get runningCount(): number {
    return this.running.size;
  }

  runningTasks(): { id: number; type: string; started: number }[] {
    return [...this.running.entries()].map(([id, r]) => ({ id, type: r.type, started: r.started }));
  }

  /** Whether there is nothing in flight: no runs and no unapplied finishes. */
  get quiet(): boolean {
    return this.running.size === 0 && this.finishes.length === 0 && !this.pumping;
  }

  /** Stop claiming (e.g. the database is unreachable); runs in flight continue. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.wake();
  }

  /** Asks for a pump soon; many wakes in one tick make one pump. */
  wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    let retryIn: number | undefined;
    try {
      do {
        this.again = false;
        const batch = this.finishes.splice(0, 500);
        for (const f of batch) this.writing.add(f.finish.id);
        const typeNames = this.paused ? [] : this.o.types().map((t) => t.name);
        const free = this.o.pool.spare;
        if (!batch.length && (free <= 0 || !typeNames.length)) break;
        const now = Date.now();
        let outcomes: FinishOutcome[] = [];
        let claimed: ClaimedTask[] = [];
        const claimReq = { types: typeNames, limit: free, now, owner: this.o.owner, leaseMs: this.o.leaseMs };
        try {
          if (!batch.length) {
            // Nothing to finish: a claim on its own (PostgreSQL runs it without BEGIN/COMMIT).
            claimed = await this.o.store.claim(claimReq);
          } else {
            ({ outcomes, claimed } = await this.o.store.transaction(async (tx) => {
              const outs: FinishOutcome[] = [];
              for (const f of batch) outs.push(await tx.finishRun(f.finish, now));
              // Waiters on other processes or nodes (PostgreSQL) learn of the ends on commit.
              for (const payload of finishedPayloads(outs.filter((o) => o.applied).map((o) => o.id))) await tx.notify("modtasks_events", payload);
              const got = free > 0 && typeNames.length ? await tx.claim(claimReq) : [];
              return { outcomes: outs, claimed: got };
            }));
          }
          this.failureStreak = 0;
        } catch (e) {
          // Nothing of this batch was written: keep the finishes for the next attempt.
          this.finishes.unshift(...batch);
          this.failureStreak++;
          retryIn = Math.min(10_000, 100 * 2 ** Math.min(this.failureStreak, 7));
          this.o.log("error", `queue transaction failed (retrying in ${retryIn} ms): ${e instanceof Error ? e.message : String(e)}`);
          break;
        } finally {
          for (const f of batch) this.writing.delete(f.finish.id);
        }
        batch.forEach((f, i) => {
          this.reportFinish(f.finish.id, f.type, outcomes[i]!, f.finish.resolution.kind === "temporary-failure");
          f.done?.();
        });
        for (const t of claimed) this.start(t);
        if (claimed.length > 0 && claimed.length === free) this.again = true;
        if (this.finishes.length) this.again = true;
      } while (this.again && !this.stopped);
    } finally {
      this.pumping = false;
    }
    if (this.stopped) return;
    if (this.again) return this.wake();
    if (retryIn !== undefined) {
      this.arm(retryIn);
      return;
    }
    await this.armForNextRun();
    if (this.quiet) this.o.onIdle?.();
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), Math.max(1, ms));
    this.timer.unref?.();
  }

  /** Sleeps until the next pending task becomes runnable, or the safety poll, whichever is first. */
  private async armForNextRun(): Promise<void> {
    let wait = this.o.pollMs;
    if (this.o.pool.spare > 0 && !this.paused) {
      try {
        const next = await this.o.store.nextRunAt(this.o.types().map((t) => t.name));
        if (next !== undefined) wait = Math.min(wait, next - Date.now());
      } catch {
        // The safety poll will try again.
      }
    }
    if (!this.stopped && !this.pumping) this.arm(wait);
  }

  /** `failed`: whether a run that goes back to pending failed (a retry) or asked for it (a restart). */
  private reportFinish(id: number, type: string, out: FinishOutcome, failed: boolean): void {
    if (out.applied) this.o.onEvent({ event: "task-finished", id, type, state: out.state, outcome: out.outcome, failed: failed || out.outcome === "failed" });
  }

  private start(task: ClaimedTask): void {
    const info = this.o.types().find((t) => t.name === task.type);
    const runId = ++this.runCounter;
    if (!info?.impl || info.unrunnable) {
      // The declaration changed under us (removed, or no longer runnable): a failure like any other.
      const policy = info ?? { timeoutMs: 0, failRescheduleMs: 15 * 60_000, maxFailures: -1 };
      this.queueFinish({ id: task.id, leaseToken: task.leaseToken, policy, resolution: { kind: "temporary-failure", error: info?.unrunnable ?? `No such managed task type '${task.type}'` } }, task.type);
      return;
    }
    const policy = { timeoutMs: task.timeout ?? info.timeoutMs, failRescheduleMs: info.failRescheduleMs, maxFailures: info.maxFailures };
    const req: RunRequest = {
      runId,
      kind: "managed",
      task: { id: task.id, type: task.type, data: mergeAuxData(task.data, task.auxdata), failures: task.failures, iterations: task.iterations, leaseToken: task.leaseToken },
      impl: info.impl,
      policy,
    };
    this.running.set(task.id, { runId, leaseToken: task.leaseToken, type: task.type, started: Date.now() });
    this.o.onEvent({ event: "task-started", id: task.id, type: task.type, node: this.o.node, runAt: task.runAt });
    this.o.pool.run(req).then(
      (r) => this.onRunEnd(task, req, r),
      (e: unknown) => this.onRunEnd(task, req, { kind: "died", reason: e instanceof Error ? e.message : String(e) }),
    );
  }

  private onRunEnd(task: ClaimedTask, req: RunRequest, r: PoolRunResult): void {
    this.running.delete(task.id);
    const cancelWaiter = this.cancelWaiters.get(task.id);
    this.cancelWaiters.delete(task.id);
    if (r.kind === "outcome") {
      const o = r.outcome;
      // A run's own transaction commits everything but a temporary failure (rolled back and
      // finished by us), so a committed "pending" is a restart.
      if (o.kind === "committed") this.reportFinish(task.id, task.type, o.finish, false);
      else if (o.kind === "resolved") this.queueFinish({ id: task.id, leaseToken: task.leaseToken, resolution: o.resolution, policy: req.policy }, task.type);
      cancelWaiter?.();
      this.wake();
      return;
    }
    if (r.kind === "released") {
      this.release(task);
      return;
    }
    if (r.killedFor === "shutdown") return; // returned to pending by the runtime's stop()
    const resolution: Resolution = r.killedFor === "cancel" ? { kind: "cancelled", result: null, error: r.reason } : { kind: "temporary-failure", error: r.reason };
    this.queueFinish({ id: task.id, leaseToken: task.leaseToken, resolution, policy: req.policy }, task.type, cancelWaiter);
    this.wake();
  }

  private toRelease: ClaimedTask[] = [];
  private releaseTimer: NodeJS.Timeout | undefined;

  /**
   * An unstarted run the pool handed back goes back to pending for whichever node is free
   * first. Until that is written it stays leased to us (and renewed), so a failed write only
   * delays it: retried, and recovered like any lease if this process dies meanwhile.
   */
  private release(task: ClaimedTask): void {
    this.toRelease.push(task);
    if (this.toRelease.length === 1 && !this.releaseTimer) setImmediate(() => void this.flushReleases());
  }

  private async flushReleases(): Promise<void> {
    this.releaseTimer = undefined;
    const batch = this.toRelease.splice(0);
    if (!batch.length) return;
    for (const t of batch) this.writing.add(t.id);
    try {
      await this.o.store.releaseRuns(batch.map((t) => ({ id: t.id, leaseToken: t.leaseToken })));
      if (this.o.store.notifies) await this.o.store.transaction((tx) => tx.notify("modtasks_wake", ""));
      for (const t of batch) this.o.onEvent({ event: "task-finished", id: t.id, type: t.type, state: "pending", outcome: null });
    } catch (e) {
      this.toRelease.unshift(...batch);
      if (this.stopped) return;
      this.o.log("warn", `could not hand back ${batch.length} unstarted task(s), retrying: ${e instanceof Error ? e.message : String(e)}`);
      this.releaseTimer = setTimeout(() => void this.flushReleases(), 1000);
      this.releaseTimer.unref?.();
    } finally {
      for (const t of batch) this.writing.delete(t.id);
    }
  }

  private queueFinish(finish: RunFinish, type: string, done?: () => void): void {
    this.finishes.push({ finish, type, ...(done ? { done } : {}) });
    this.wake();
  }

  private readonly cancelWaiters = new Map<number, () => void>();

  /** Whether this dispatcher runs the task now. */
  isRunning(taskId: number): boolean {
    return this.running.has(taskId);
  }

  /**
   * Whether this dispatcher still has business with the task's lease: it runs it, or has yet to
   * write its end or hand it back. A row leased to this node that no dispatcher holds is a stray
   * (see releaseStrayRuns in takeover.ts).
   */
  holds(taskId: number): boolean {
    return (
      this.running.has(taskId) || this.writing.has(taskId) || this.finishes.some((f) => f.finish.id === taskId) || this.toRelease.some((t) => t.id === taskId)
    );
  }

  /**
   * Kills the worker running this task and records the cancellation; resolves once the worker
   * is dead and the task is written as cancelled. False when this dispatcher does not run it.
   */
  async cancel(taskId: number): Promise<boolean> {
    const run = this.running.get(taskId);
    if (!run) return false;
    const recorded = new Promise<void>((r) => this.cancelWaiters.set(taskId, r));
    await this.o.pool.killRun(run.runId, "cancel");
    await recorded;
    return true;
  }

  /** Stops claiming and pumping; in-flight finishes are applied first. */
  async stop(): Promise<void> {
    while (this.pumping) await new Promise((r) => setTimeout(r, 5));
    if (this.finishes.length) {
      const batch = this.finishes.splice(0);
      try {
        await this.o.store.finishRuns(batch.map((b) => b.finish), Date.now());
      } catch (e) {
        this.o.log("error", `could not record ${batch.length} finished run(s) at shutdown; they will run again: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    clearTimeout(this.releaseTimer);
    await this.flushReleases(); // (what fails here returns to pending with the runtime's other leases)
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.releaseTimer);
  }
}

/** WebHare merges the separate auxdata blob into the data at run time. */
export function mergeAuxData(data: unknown, aux: unknown): unknown {
  if (aux === null || aux === undefined) return data;
  if (isPlainObject(data) && isPlainObject(aux)) return { ...data, ...aux };
  if (data === null || data === undefined) return aux;
  return data;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
