import type { ControlClient } from "../control/client";
import type { QueueStore } from "../queue/store";
import type { TaskRecord } from "../queue/types";
import { parseFinished } from "../queue/notifications";

export type TaskEnd = { kind: "ended"; task: TaskRecord } | { kind: "timeout"; task: TaskRecord } | { kind: "missing" };

/** Without a runtime to send events, how often the database is looked at (only then). */
const NO_RUNTIME_RECHECK_MS = 500;

/**
 * Waits until a task is finished (or, with acceptTempFailure, has failed at least once more).
 * Subscribes to the runtime's events first and reads the database after, so an end that
 * happens in between is not missed. Falls back to a slow re-check only when no runtime answers.
 */
export async function waitForTaskEnd(
  store: QueueStore,
  control: ControlClient,
  id: number,
  opts: { timeoutMs: number; acceptTempFailure: boolean; signal?: AbortSignal },
): Promise<TaskEnd> {
  const sub = new ControlSubscription(control, store);
  await sub.open();
  try {
    const deadline = Date.now() + opts.timeoutMs;
    const initial = await store.describe(id);
    if (!initial) return { kind: "missing" };
    // With acceptTempFailure, a task waiting for its retry counts as ended (its result is the failure's).
    const done = (t: TaskRecord) => t.state === "finished" || (opts.acceptTempFailure && t.state === "pending" && t.failures > 0);
    let t = initial;
    for (;;) {
      if (done(t)) return { kind: "ended", task: t };
      const left = deadline - Date.now();
      if (left <= 0) return { kind: "timeout", task: t };
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error("aborted");
      await sub.next(id, sub.live ? left : Math.min(left, NO_RUNTIME_RECHECK_MS), opts.signal);
      const now = await store.describe(id);
      if (!now) return { kind: "missing" };
      t = now;
    }
  } finally {
    sub.close();
  }
}

/** Task events from the runtime, as a "wait until something happened to task N" primitive. */
class ControlSubscription {
  live = false;
  private waiters = new Map<number, Set<() => void>>();
  private off: (() => void)[] = [];
  constructor(
    private readonly control: ControlClient,
    private readonly store: QueueStore,
  ) {}

  private poke(id: number): void {
    for (const w of this.waiters.get(id) ?? []) w();
  }

  async open(): Promise<void> {
    if (this.store.notifies) {
      // PostgreSQL: the runtime that finishes the task may be on another node.
      this.off.push(await this.store.listen("modtasks_events", (payload) => parseFinished(payload).forEach((id) => this.poke(id))));
      this.live = true;
      return;
    }
    try {
      await this.control.request("subscribe");
      this.live = true;
      this.off.push(
        this.control.onEvent((e) => {
          if (typeof e.id === "number") for (const w of this.waiters.get(e.id) ?? []) w();
        }),
        this.control.onClose(() => {
          this.live = false;
          for (const set of this.waiters.values()) for (const w of set) w();
        }),
      );
    } catch {
      this.live = false;
    }
  }

  next(id: number, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      let set = this.waiters.get(id);
      if (!set) this.waiters.set(id, (set = new Set()));
      const finish = () => {
        clearTimeout(timer);
        set!.delete(finish);
        signal?.removeEventListener("abort", finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      set.add(finish);
      signal?.addEventListener("abort", finish, { once: true });
    });
  }

  close(): void {
    for (const f of this.off) f();
  }
}
