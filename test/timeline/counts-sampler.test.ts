/**
 * When the runtime samples the queue counts for the insights chart (CountsSampler): at once when
 * asked, throttled after task events with a trailing sample, never two reads at a time. Driven by
 * a fake clock, fake timers and reads the test resolves by hand: nothing waits on real time.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CountsSampler, type InsightsQueueCounts } from "../../runtime/src/insights";

type Counts = InsightsQueueCounts["counts"];
const counts = (pending: number): Counts => ({ pending, running: 0, retrying: 0, failed: 0 });

function rig(minIntervalMs = 1000) {
  let now = 1_000_000;
  const reads: { resolve: (c: Counts) => void; reject: (e: Error) => void }[] = [];
  const recorded: InsightsQueueCounts[] = [];
  const timers: { fn: () => void; at: number; id: number }[] = [];
  let nextId = 1;
  const errors: unknown[] = [];
  const sampler = new CountsSampler({
    minIntervalMs,
    now: () => now,
    read: () => new Promise<Counts>((resolve, reject) => reads.push({ resolve, reject })),
    record: (e) => recorded.push(e),
    timers: {
      set: (fn, ms) => {
        const t = { fn, at: now + ms, id: nextId++ };
        timers.push(t);
        return t.id;
      },
      clear: (id) => {
        const i = timers.findIndex((t) => t.id === id);
        if (i >= 0) timers.splice(i, 1);
      },
    },
    onError: (e) => errors.push(e),
  });
  /** Lets the promise callbacks of a settled read run. */
  const settle = () => new Promise<void>((r) => setImmediate(r));
  return {
    sampler,
    reads,
    recorded,
    timers,
    errors,
    settle,
    advance(ms: number) {
      now += ms;
      for (const t of timers.filter((x) => x.at <= now)) {
        timers.splice(timers.indexOf(t), 1);
        t.fn();
      }
    },
    get now() {
      return now;
    },
  };
}

describe("counts sampler", () => {
  test("sample() reads and records at once, stamped with the time the counts arrived", async () => {
    const r = rig();
    const done = r.sampler.sample();
    assert.equal(r.reads.length, 1);
    r.advance(5);
    r.reads[0]!.resolve(counts(3));
    await done;
    assert.deepEqual(r.recorded, [{ event: "queue-counts", at: r.now, counts: counts(3) }]);
  });

  test("events: the first pokes right away, a burst within the interval gives one trailing sample", async () => {
    const r = rig(1000);
    r.sampler.poke();
    assert.equal(r.reads.length, 1, "the first event samples at once");
    r.reads[0]!.resolve(counts(1));
    await r.settle();
    r.advance(100);
    r.sampler.poke();
    r.sampler.poke();
    r.sampler.poke();
    assert.equal(r.reads.length, 1, "within the interval: no read yet");
    assert.equal(r.timers.length, 1, "one trailing sample is planned");
    assert.equal(r.timers[0]!.at, r.now + 900, "at the end of the interval");
    r.advance(900);
    assert.equal(r.reads.length, 2);
    r.reads[1]!.resolve(counts(0));
    await r.settle();
    assert.deepEqual(r.recorded.map((e) => e.counts.pending), [1, 0]);
    // Quiet after the interval: the next event samples at once again.
    r.advance(1000);
    r.sampler.poke();
    assert.equal(r.reads.length, 3);
  });

  test("never two reads at a time: an event during a read gets one more sample after it", async () => {
    const r = rig(1000);
    const first = r.sampler.sample();
    r.sampler.poke();
    const same = r.sampler.sample();
    assert.equal(r.reads.length, 1);
    r.advance(2000);
    r.reads[0]!.resolve(counts(5));
    await Promise.all([first, same]);
    await r.settle();
    assert.equal(r.reads.length, 2, "the follow-up read started (the interval had passed)");
    r.reads[1]!.resolve(counts(6));
    await r.settle();
    assert.deepEqual(r.recorded.map((e) => e.counts.pending), [5, 6]);
  });

  test("a failed read is reported, not thrown, and the next one works", async () => {
    const r = rig();
    const p = r.sampler.sample();
    r.reads[0]!.reject(new Error("database is locked"));
    await p;
    assert.equal((r.errors[0] as Error).message, "database is locked");
    r.advance(1000);
    const q = r.sampler.sample();
    r.reads[1]!.resolve(counts(2));
    await q;
    assert.equal(r.recorded.length, 1);
  });

  test("stop() cancels the planned sample and records nothing more", async () => {
    const r = rig(1000);
    const p = r.sampler.sample();
    r.sampler.poke();
    r.sampler.stop();
    r.reads[0]!.resolve(counts(1));
    await p;
    await r.settle();
    r.sampler.poke();
    r.advance(5000);
    assert.equal(r.reads.length, 1);
    assert.deepEqual(r.recorded, []);
    assert.equal(r.timers.length, 0);
  });
});
