/**
 * The queue-insights aggregator, fed with events at fixed times: buckets, throughput, latency
 * percentiles, slowest types, next retries, and what it forgets.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { percentile, QueueInsights } from "../../runtime/src/insights";

const T0 = Date.parse("2026-06-01T12:00:00Z");
const MIN = 60_000;
const S = 1000;

function run(q: QueueInsights, id: number, type: string, runAt: number, start: number, end: number, result: { state?: "pending" | "finished"; outcome?: string | null } = {}) {
  q.record({ event: "task-started", id, type, at: start, runAt });
  q.record({ event: "task-finished", id, type, state: result.state ?? "finished", outcome: result.outcome === undefined ? "completed" : result.outcome, at: end });
}

describe("queue insights", () => {
  test("percentile: nearest rank", () => {
    assert.equal(percentile([], 50), null);
    assert.equal(percentile([5], 95), 5);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
    assert.equal(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95), 95);
  });

  test("an empty snapshot: 60 one-minute buckets ending now, nothing measured", () => {
    const s = new QueueInsights().snapshot(T0);
    assert.equal(s.buckets.length, 60);
    assert.equal(s.buckets[0]!.start, T0 - 60 * MIN);
    assert.equal(s.buckets[59]!.start, T0 - MIN);
    assert.ok(s.buckets.every((b) => b.queued === null && b.started === 0 && b.finished === 0));
    assert.equal(s.counts, null);
    assert.deepEqual(s.throughput, { finished: 0, completed: 0, failed: 0, rescheduled: 0, cancelled: 0, perMinute: 0, lastMinute: 0 });
    assert.deepEqual(s.latency.all, { runs: 0, failures: 0, waitP50: null, waitP95: null, runP50: null, runP95: null, runMax: null });
    assert.deepEqual([s.slowest, s.running, s.nextRetries], [[], [], []]);
  });

  test("runs: per-bucket starts and ends, throughput, wait and run latency per type, slowest types", () => {
    const q = new QueueInsights();
    const base = T0 - 30 * MIN;
    q.record({ event: "queue-counts", at: base, counts: { pending: 0, running: 0, retrying: 0, failed: 0 } });
    // 10 fast "app:mail" runs: waited i s, ran (i+1) s.
    for (let i = 0; i < 10; i++) run(q, i + 1, "app:mail", base + i * MIN, base + i * MIN + i * S, base + i * MIN + i * S + (i + 1) * S);
    // 2 slow "app:report" runs of 5 and 7 minutes, the second one failed for good.
    run(q, 100, "app:report", base, base + 2 * S, base + 2 * S + 5 * MIN);
    run(q, 101, "app:report", base + 10 * MIN, base + 10 * MIN, base + 17 * MIN, { outcome: "failed" });
    // 1 attempt that will be retried.
    run(q, 200, "app:sync", base + 20 * MIN, base + 20 * MIN + 30 * S, base + 21 * MIN, { state: "pending", outcome: null });

    const s = q.snapshot(T0);
    assert.equal(s.throughput.finished, 13);
    assert.deepEqual([s.throughput.completed, s.throughput.failed, s.throughput.rescheduled, s.throughput.cancelled], [11, 1, 1, 0]);
    // Data since 30 minutes ago: 13 runs / 30 min.
    assert.equal(s.throughput.perMinute, 0.43);
    assert.equal(s.throughput.lastMinute, 0);

    const mail = s.latency.byType.find((t) => t.type === "app:mail")!;
    assert.deepEqual(mail, { type: "app:mail", runs: 10, failures: 0, waitP50: 4 * S, waitP95: 9 * S, runP50: 5 * S, runP95: 10 * S, runMax: 10 * S });
    const report = s.latency.byType.find((t) => t.type === "app:report")!;
    assert.deepEqual([report.runs, report.failures, report.runP50, report.runP95, report.waitP95], [2, 1, 5 * MIN, 7 * MIN, 2 * S]);
    assert.deepEqual(
      s.latency.byType.map((t) => t.type),
      ["app:mail", "app:report", "app:sync"],
    );
    assert.deepEqual(
      s.slowest.map((t) => t.type),
      ["app:report", "app:sync", "app:mail"],
    );
    assert.equal(s.latency.all.runs, 13);

    // Bucket of base (index 30): mail #1 and report #100 started, mail #1 ended.
    const b = s.buckets[30]!;
    assert.equal(b.start, base);
    assert.deepEqual([b.started, b.finished, b.failures], [2, 1, 0]);
    // report #101 ended failed at base+17min; sync #200 (pending: a failed attempt) at base+21min.
    assert.equal(s.buckets[47]!.failures, 1);
    assert.equal(s.buckets[51]!.failures, 1);
    assert.equal(
      s.buckets.reduce((n, x) => n + x.finished, 0),
      13,
    );
  });

  test("queue counts: the last sample per bucket, carried forward; queued = pending + retrying", () => {
    const q = new QueueInsights();
    q.record({ event: "queue-counts", at: T0 - 10 * MIN + 5 * S, counts: { pending: 3, running: 1, retrying: 2, failed: 0 } });
    q.record({ event: "queue-counts", at: T0 - 10 * MIN + 40 * S, counts: { pending: 1, running: 2, retrying: 2, failed: 1 } });
    q.record({ event: "queue-counts", at: T0 - 3 * MIN + 1 * S, counts: { pending: 0, running: 0, retrying: 0, failed: 1 } });
    const s = q.snapshot(T0);
    assert.equal(s.buckets[49]!.queued, null);
    assert.deepEqual([s.buckets[50]!.queued, s.buckets[50]!.running, s.buckets[50]!.failed], [3, 2, 1]);
    assert.equal(s.buckets[56]!.queued, 3);
    assert.deepEqual([s.buckets[57]!.queued, s.buckets[57]!.running], [0, 0]);
    assert.equal(s.buckets[59]!.queued, 0);
    assert.deepEqual(s.counts, { pending: 0, running: 0, retrying: 0, failed: 1 });
    assert.equal(s.countsAt, T0 - 3 * MIN + 1 * S);
  });

  test("running tasks: longest first; a finish without a start is ignored; a restart replaces the start", () => {
    const q = new QueueInsights();
    q.record({ event: "task-started", id: 1, type: "app:a", at: T0 - 5 * MIN });
    q.record({ event: "task-started", id: 2, type: "app:b", at: T0 - 9 * MIN });
    q.record({ event: "task-finished", id: 3, type: "app:c", state: "finished", outcome: "completed", at: T0 - MIN });
    q.record({ event: "task-started", id: 1, type: "app:a", at: T0 - 2 * MIN });
    const s = q.snapshot(T0);
    assert.deepEqual(
      s.running.map((r) => [r.id, r.forMs]),
      [
        [2, 9 * MIN],
        [1, 2 * MIN],
      ],
    );
    assert.equal(s.throughput.finished, 0);
    // `failed: false` tells a restart from a retry.
    q.record({ event: "task-finished", id: 2, type: "app:b", state: "pending", outcome: null, at: T0, failed: false });
    const after = q.snapshot(T0);
    assert.deepEqual([after.throughput.rescheduled, after.latency.all.failures], [1, 0]);
    // Ephemeral tasks number their runs apart from managed ones.
    q.record({ event: "task-started", id: 1, type: "app:eph", at: T0 - MIN, kind: "ephemeral" });
    q.record({ event: "task-finished", id: 1, type: "app:eph", state: "finished", outcome: "completed", at: T0, kind: "ephemeral" });
    const both = q.snapshot(T0);
    assert.deepEqual(
      both.running.map((r) => [r.id, r.type]),
      [[1, "app:a"]],
    );
    assert.equal(both.latency.byType.find((t) => t.type === "app:eph")?.runP50, MIN);
  });

  test("next retries: soonest first, capped, with the time left", () => {
    const q = new QueueInsights({ retries: 2 });
    const s = q.snapshot(T0, {
      retries: [
        { id: 7, type: "app:x", failures: 3, runAt: T0 + 10 * MIN, lastError: "timeout" },
        { id: 5, type: "app:y", failures: 1, runAt: T0 + MIN, lastError: null },
        { id: 9, type: "app:z", failures: 2, runAt: T0 + 5 * MIN },
      ],
    });
    assert.deepEqual(s.nextRetries, [
      { id: 5, type: "app:y", failures: 1, runAt: T0 + MIN, inMs: MIN },
      { id: 9, type: "app:z", failures: 2, runAt: T0 + 5 * MIN, inMs: 5 * MIN },
    ]);
  });

  test("forgets what left the window; bounded running set", () => {
    const q = new QueueInsights({ maxRunning: 3 });
    run(q, 1, "app:old", T0 - 3 * 60 * MIN, T0 - 3 * 60 * MIN, T0 - 3 * 60 * MIN + S);
    q.record({ event: "queue-counts", at: T0 - 2 * 60 * MIN, counts: { pending: 9, running: 0, retrying: 0, failed: 0 } });
    for (let i = 0; i < 5; i++) q.record({ event: "task-started", id: 10 + i, type: "app:stuck", at: T0 - MIN + i });
    const s = q.snapshot(T0);
    assert.equal(s.throughput.finished, 0);
    assert.deepEqual(
      s.running.map((r) => r.id),
      [12, 13, 14],
    );
    // The old sample still says what the queue held when the window began.
    assert.equal(s.buckets[0]!.queued, 9);
    // A full hour of data: throughput divides by 60.
    run(q, 50, "app:new", T0 - MIN, T0 - MIN, T0 - 30 * S);
    assert.equal(q.snapshot(T0).throughput.perMinute, Math.round((1 / 60) * 100) / 100);
  });

  test("events out of order and garbage do not break it", () => {
    const q = new QueueInsights();
    run(q, 1, "app:a", T0 - 2 * MIN, T0 - 2 * MIN, T0 - MIN);
    run(q, 2, "app:a", T0 - 5 * MIN, T0 - 5 * MIN, T0 - 4 * MIN);
    q.record({ event: "task-started", id: 3, type: "app:a", at: Number.NaN });
    q.record(null as never);
    q.record({ event: "unknown", at: T0 } as never);
    const s = q.snapshot(T0);
    assert.equal(s.throughput.finished, 2);
    assert.equal(s.buckets[56]!.finished + s.buckets[59]!.finished, 2);
  });
});
