import type { ControlClient } from "../control/client";
import { parseFinished } from "../queue/notifications";
import type { QueueStore } from "../queue/store";
import { MAX_TIMER_MS } from "../workers/long-timeout";

/** Without a runtime to send events, how often the database is looked at (only then). */
const NO_EVENTS_RECHECK_MS = 500;

/**
 * "Something happened to X" from the runtime's events: task ends (`task:<id>`), distributed
 * task ends (`distributed:<id>`), scheduled runs (`timed:<name>`). On PostgreSQL the events
 * come by NOTIFY (the runtime doing the work may be on another node); on SQLite from the local
 * runtime's control socket. Without either, waits fall back to a slow re-check.
 */
export class EventWaiter {
  live = false;
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly control: ControlClient,
    private readonly store: QueueStore,
  ) {}

  private poke(key: string): void {
    for (const w of this.waiters.get(key) ?? []) w();
  }

  private pokeAll(): void {
    for (const set of this.waiters.values()) for (const w of set) w();
  }

  async open(): Promise<void> {
    if (this.store.notifies) {
      this.off.push(
        await this.store.listen("modtasks_events", (payload) => {
          for (const id of parseFinished(payload)) this.poke(`task:${id}`);
          try {
            const v = JSON.parse(payload) as { distributed?: number; event?: string; name?: string };
            if (typeof v.distributed === "number") this.poke(`distributed:${v.distributed}`);
            if (v.event === "scheduled-finished" && typeof v.name === "string") this.poke(`timed:${v.name}`);
          } catch {
            // not ours
          }
        }),
      );
      this.live = true;
      return;
    }
    try {
      await this.control.request("subscribe");
      this.live = true;
      this.off.push(
        this.control.onEvent((e) => {
          if (e.event === "task-finished" && typeof e.id === "number") this.poke(`task:${e.id}`);
          else if (e.event === "distributed-finished" && typeof e.id === "number") this.poke(`distributed:${e.id}`);
          else if (e.event === "scheduled-finished" && typeof e.name === "string") this.poke(`timed:${e.name}`);
        }),
        this.control.onClose(() => {
          this.live = false;
          this.pokeAll();
        }),
      );
    } catch {
      this.live = false;
    }
  }

  /** Resolves at the next event for any of the keys, after `ms`, or on abort. */
  next(keys: string[], ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        for (const k of keys) this.waiters.get(k)?.delete(finish);
        signal?.removeEventListener("abort", finish);
        resolve();
      };
      // A longer wait than one timer allows ends early here; waitUntil loops until its deadline.
      const timer = setTimeout(finish, Math.min(ms, this.live ? MAX_TIMER_MS : NO_EVENTS_RECHECK_MS));
      for (const k of keys) {
        let set = this.waiters.get(k);
        if (!set) this.waiters.set(k, (set = new Set()));
        set.add(finish);
      }
      signal?.addEventListener("abort", finish, { once: true });
    });
  }

  close(): void {
    for (const f of this.off) f();
  }
}

/**
 * Re-reads with `check` until it says done, woken by events for `keys`; subscribes before the
 * first read so nothing that happens in between is missed.
 */
export async function waitUntil<T>(
  control: ControlClient,
  store: QueueStore,
  keys: string[],
  check: () => Promise<{ done: boolean; value: T }>,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<{ done: boolean; value: T }> {
  const waiter = new EventWaiter(control, store);
  await waiter.open();
  try {
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
      const r = await check();
      if (r.done) return r;
      const left = deadline - Date.now();
      if (left <= 0) return r;
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error("aborted");
      await waiter.next(keys, left, opts.signal);
    }
  } finally {
    waiter.close();
  }
}
