/**
 * Queue insights (issue #9): how the queue behaved over the last hour, from the events the
 * runtime already emits. Pure and synchronous: the runtime feeds it (`record`) and answers the
 * control op `insights` with `snapshot(now, { retries })`; nothing here reads a clock, a database
 * or a socket, so tests drive it with fixed times.
 *
 * Memory is bounded: only the window (default one hour) is kept, plus the tasks that are running
 * now (capped, for runs whose end was never seen).
 */

/** A managed task started running. `runAt` = when it became runnable, for the enqueue→start latency. */
export interface InsightsTaskStarted {
  event: "task-started";
  id: number;
  type: string;
  at: number;
  runAt?: number;
  /** "managed" (default) or "ephemeral": their ids are counted apart. */
  kind?: string;
}

/**
 * A run ended: `state` "finished" with an outcome, or "pending": it will run again, after a
 * temporary failure (a retry) or because it asked to (a restart). The dispatcher's events do not
 * tell those apart, so "pending" counts as a failed attempt unless `failed: false` says otherwise.
 */
export interface InsightsTaskFinished {
  event: "task-finished";
  id: number;
  type: string;
  state: "pending" | "finished";
  outcome: string | null;
  at: number;
  failed?: boolean;
  kind?: string;
}

/** The queue's counts at a moment (QueueCounts from the store), sampled periodically. */
export interface InsightsQueueCounts {
  event: "queue-counts";
  at: number;
  counts: { pending: number; running: number; retrying: number; failed: number; completed?: number; cancelled?: number };
}

export type InsightsEvent = InsightsTaskStarted | InsightsTaskFinished | InsightsQueueCounts;

/** A pending task that failed before and waits for its next attempt (from the store: state "retrying"). */
export interface PendingRetry {
  id: number;
  type: string;
  failures: number;
  runAt: number;
  lastError?: string | null;
}

export interface InsightsOptions {
  /** How far back the snapshot looks (default one hour). */
  windowMs?: number;
  /** Width of a chart bucket (default one minute). */
  bucketMs?: number;
  /** How many slowest types and next retries to list (default 5 and 10). */
  slowest?: number;
  retries?: number;
  /** At most this many runs without an end are tracked (default 10000). */
  maxRunning?: number;
}

export interface InsightsBucket {
  /** Start of the bucket (epoch ms). */
  start: number;
  /** Queue counts at the end of the bucket (the last sample in it, else carried over from before); null before the first sample. */
  queued: number | null;
  running: number | null;
  failed: number | null;
  /** Runs that started / ended in the bucket, and of those that ended: failed attempts (retried or given up). */
  started: number;
  finished: number;
  failures: number;
}

export interface TypeLatency {
  type: string;
  /** Runs that ended in the window. */
  runs: number;
  failures: number;
  /** Enqueue (runnable) → start, ms; null without samples. */
  waitP50: number | null;
  waitP95: number | null;
  /** Start → end, ms. */
  runP50: number | null;
  runP95: number | null;
  runMax: number | null;
}

export interface InsightsSnapshot {
  at: number;
  windowMs: number;
  bucketMs: number;
  /** Oldest first; the last one holds `at`. */
  buckets: InsightsBucket[];
  /** The newest counts sample, if any. */
  counts: InsightsQueueCounts["counts"] | null;
  countsAt: number | null;
  throughput: {
    /** Runs that ended in the window, by result. */
    finished: number;
    completed: number;
    failed: number;
    /** Ended "pending": will run again (a retry after a failure, or a restart). */
    rescheduled: number;
    cancelled: number;
    /** Runs ended per minute, over the part of the window with data. */
    perMinute: number;
    /** Runs ended in the last minute. */
    lastMinute: number;
  };
  latency: { all: Omit<TypeLatency, "type">; byType: TypeLatency[] };
  /** Types by p95 run time, slowest first. */
  slowest: TypeLatency[];
  /** Runs in progress, longest running first. */
  running: { id: number; type: string; since: number; forMs: number }[];
  /** Next attempts of failed tasks, soonest first. */
  nextRetries: (PendingRetry & { inMs: number })[];
}

interface RunSample {
  type: string;
  start: number;
  end: number;
  wait: number | null;
  result: "completed" | "failed" | "rescheduled" | "cancelled" | "other";
  /** A failed attempt: given up, or to be retried. */
  failure: boolean;
}

const DEFAULTS = { windowMs: 3_600_000, bucketMs: 60_000, slowest: 5, retries: 10, maxRunning: 10_000 };

/** Nearest-rank percentile of sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export class QueueInsights {
  private readonly o: typeof DEFAULTS;
  /** Runs in progress by `${kind}:${id}`. */
  private readonly running = new Map<string, { id: number; type: string; start: number; wait: number | null }>();
  /** Ended runs in order of their end. */
  private runs: RunSample[] = [];
  /** Starts in order (for the per-bucket count). */
  private starts: number[] = [];
  private counts: InsightsQueueCounts[] = [];
  /** The newest sample that fell out of the window: the chart's value before its first in-window sample. */
  private countsBefore: InsightsQueueCounts | undefined;
  private firstEventAt: number | undefined;

  constructor(options: InsightsOptions = {}) {
    this.o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  }

  record(e: InsightsEvent): void {
    if (!e || typeof e !== "object" || !Number.isFinite(e.at)) return;
    if (this.firstEventAt === undefined || e.at < this.firstEventAt) this.firstEventAt = e.at;
    switch (e.event) {
      case "task-started": {
        const wait = e.runAt !== undefined && Number.isFinite(e.runAt) ? Math.max(0, e.at - e.runAt) : null;
        const key = runKey(e);
        this.running.delete(key); // a restart of the same task: the newest start wins (re-inserted last)
        this.running.set(key, { id: e.id, type: e.type, start: e.at, wait });
        if (this.running.size > this.o.maxRunning) this.running.delete(this.running.keys().next().value!);
        insertSorted(this.starts, e.at);
        break;
      }
      case "task-finished": {
        const key = runKey(e);
        const r = this.running.get(key);
        this.running.delete(key);
        if (!r) break; // started before we were listening: no duration to learn from
        const result: RunSample["result"] = e.state === "pending" ? "rescheduled" : e.outcome === "completed" ? "completed" : e.outcome === "failed" ? "failed" : e.outcome === "cancelled" ? "cancelled" : "other";
        const failure = e.failed ?? (result === "failed" || result === "rescheduled");
        const sample: RunSample = { type: e.type || r.type, start: r.start, end: Math.max(e.at, r.start), wait: r.wait, result, failure };
        // Events arrive in order almost always; keep the list sorted by end anyway.
        if (this.runs.length === 0 || this.runs[this.runs.length - 1]!.end <= sample.end) this.runs.push(sample);
        else this.runs.splice(upperBound(this.runs, sample.end, (s) => s.end), 0, sample);
        break;
      }
      case "queue-counts": {
        if (!e.counts) break;
        const i = upperBound(this.counts, e.at, (c) => c.at);
        this.counts.splice(i, 0, { event: "queue-counts", at: e.at, counts: { ...e.counts } });
        break;
      }
    }
    this.prune(e.at);
  }

  /** Drops what fell out of the window before `now`. */
  private prune(now: number): void {
    const cutoff = now - this.o.windowMs - this.o.bucketMs;
    let i = 0;
    while (i < this.runs.length && this.runs[i]!.end < cutoff) i++;
    if (i) this.runs = this.runs.slice(i);
    i = 0;
    while (i < this.starts.length && this.starts[i]! < cutoff) i++;
    if (i) this.starts = this.starts.slice(i);
    i = 0;
    while (i < this.counts.length && this.counts[i]!.at < cutoff) i++;
    if (i) {
      this.countsBefore = this.counts[i - 1];
      this.counts = this.counts.slice(i);
    }
  }

  snapshot(now: number, extra: { retries?: readonly PendingRetry[] } = {}): InsightsSnapshot {
    this.prune(now);
    const { windowMs, bucketMs } = this.o;
    const n = Math.max(1, Math.ceil(windowMs / bucketMs));
    // Buckets end at now: the last one is [now - bucketMs, now].
    const firstStart = now - n * bucketMs;
    const buckets: InsightsBucket[] = [];
    for (let b = 0; b < n; b++) buckets.push({ start: firstStart + b * bucketMs, queued: null, running: null, failed: null, started: 0, finished: 0, failures: 0 });
    const bucketOf = (t: number) => {
      if (t > now || t < firstStart) return -1;
      return Math.min(n - 1, Math.floor((t - firstStart) / bucketMs));
    };
    for (const s of this.starts) {
      const b = bucketOf(s);
      if (b >= 0) buckets[b]!.started++;
    }
    const inWindow = this.runs.filter((r) => r.end > now - windowMs && r.end <= now);
    for (const r of inWindow) {
      const b = bucketOf(r.end);
      if (b < 0) continue;
      buckets[b]!.finished++;
      if (r.failure) buckets[b]!.failures++;
    }
    // Counts: the last sample at or before each bucket's end, carried forward.
    let ci = 0;
    let last = this.countsBefore;
    const samples = this.counts.filter((c) => c.at <= now);
    for (const bucket of buckets) {
      const end = bucket.start + bucketMs;
      while (ci < samples.length && samples[ci]!.at <= end) last = samples[ci++];
      if (last) {
        bucket.queued = last.counts.pending + last.counts.retrying;
        bucket.running = last.counts.running;
        bucket.failed = last.counts.failed;
      }
    }
    const newest = samples[samples.length - 1] ?? this.countsBefore;

    // Throughput over the part of the window we have seen (a runtime that started 10 minutes ago divides by 10).
    const seenSince = Math.max(now - windowMs, this.firstEventAt ?? now);
    const minutes = Math.max(1, (now - seenSince) / 60_000);
    const count = (res: RunSample["result"]) => inWindow.filter((r) => r.result === res).length;

    const byTypeMap = new Map<string, RunSample[]>();
    for (const r of inWindow) byTypeMap.set(r.type, [...(byTypeMap.get(r.type) ?? []), r]);
    const byType = [...byTypeMap.entries()].map(([type, list]) => ({ type, ...latencyOf(list) })).sort((a, b) => a.type.localeCompare(b.type));
    const slowest = [...byType].filter((t) => t.runP95 !== null).sort((a, b) => b.runP95! - a.runP95! || b.runMax! - a.runMax! || a.type.localeCompare(b.type)).slice(0, this.o.slowest);

    const running = [...this.running.values()]
      .filter((r) => r.start <= now)
      .map((r) => ({ id: r.id, type: r.type, since: r.start, forMs: now - r.start }))
      .sort((a, b) => a.since - b.since || a.id - b.id)
      .slice(0, 50);

    const nextRetries = [...(extra.retries ?? [])]
      .filter((r) => r && Number.isFinite(r.runAt))
      .sort((a, b) => a.runAt - b.runAt || a.id - b.id)
      .slice(0, this.o.retries)
      .map((r) => ({ id: r.id, type: r.type, failures: r.failures, runAt: r.runAt, ...(r.lastError ? { lastError: r.lastError } : {}), inMs: r.runAt - now }));

    return {
      at: now,
      windowMs,
      bucketMs,
      buckets,
      counts: newest ? { ...newest.counts } : null,
      countsAt: newest?.at ?? null,
      throughput: {
        finished: inWindow.length,
        completed: count("completed"),
        failed: count("failed"),
        rescheduled: count("rescheduled"),
        cancelled: count("cancelled"),
        perMinute: Math.round((inWindow.length / minutes) * 100) / 100,
        lastMinute: inWindow.filter((r) => r.end > now - 60_000).length,
      },
      latency: { all: latencyOf(inWindow), byType },
      slowest,
      running,
      nextRetries,
    };
  }
}

function runKey(e: { id: number; kind?: string }): string {
  return `${e.kind ?? "managed"}:${e.id}`;
}

function latencyOf(list: readonly RunSample[]): Omit<TypeLatency, "type"> {
  const waits = list.map((r) => r.wait).filter((w): w is number => w !== null).sort((a, b) => a - b);
  const durations = list.map((r) => r.end - r.start).sort((a, b) => a - b);
  return {
    runs: list.length,
    failures: list.filter((r) => r.failure).length,
    waitP50: percentile(waits, 50),
    waitP95: percentile(waits, 95),
    runP50: percentile(durations, 50),
    runP95: percentile(durations, 95),
    runMax: durations.length ? durations[durations.length - 1]! : null,
  };
}

/** First index whose key is greater than `v`. */
function upperBound<T>(list: readonly T[], v: number, key: (t: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(list[mid]!) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(list: number[], v: number): void {
  if (list.length === 0 || list[list.length - 1]! <= v) list.push(v);
  else list.splice(upperBound(list, v, (x) => x), 0, v);
}
