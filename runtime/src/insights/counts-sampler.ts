/**
 * When the runtime samples the queue's counts for the insights chart: once at start (so the
 * chart is never empty while a runtime runs), after task events (at most once per
 * `minIntervalMs`, with a trailing sample so the last change of a burst is seen), and whenever
 * the runtime's periodic timer asks (changes made by other processes raise no event here).
 *
 * Reads through `read` (the store's counts) and hands each sample to `record` (QueueInsights).
 * The clock and timers are injectable so tests drive it without waiting.
 */
import type { InsightsQueueCounts } from "./aggregator";

export interface SamplerTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface CountsSamplerOptions {
  read: () => Promise<InsightsQueueCounts["counts"]>;
  record: (e: InsightsQueueCounts) => void;
  /** Fewest milliseconds between samples caused by events (default 1000). */
  minIntervalMs?: number;
  now?: () => number;
  timers?: SamplerTimers;
  onError?: (e: unknown) => void;
}

const realTimers: SamplerTimers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class CountsSampler {
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private readonly timers: SamplerTimers;
  private lastStart = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  /** A sample was asked for while one was in flight: take another when it ends. */
  private again = false;
  private timer: unknown;
  private stopped = false;

  constructor(private readonly o: CountsSamplerOptions) {
    this.minIntervalMs = o.minIntervalMs ?? 1000;
    this.now = o.now ?? Date.now;
    this.timers = o.timers ?? realTimers;
  }

  /** Samples now; while a sample is being read, one more follows it (the counts may have moved on). */
  sample(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.lastStart = this.now();
    this.inFlight = this.o
      .read()
      .then((counts) => {
        if (!this.stopped) this.o.record({ event: "queue-counts", at: this.now(), counts });
      })
      .catch((e: unknown) => this.o.onError?.(e))
      .finally(() => {
        this.inFlight = undefined;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
    return this.inFlight;
  }

  /** Something changed (a task event): sample soon, at most once per interval. */
  poke(): void {
    if (this.stopped || this.timer !== undefined) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const wait = this.lastStart + this.minIntervalMs - this.now();
    if (wait <= 0) {
      void this.sample();
      return;
    }
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      void this.sample();
    }, wait);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }
}
