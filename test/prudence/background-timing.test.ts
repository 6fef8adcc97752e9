/**
 * Background tasks on a fake clock with programs the test finishes by hand: `delay`, fixed rate
 * (starts an interval apart, overlapping) versus fixed delay (an interval after the previous run
 * ended), cancelling a program that waits for a slot, and forgetting old finished tasks.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BackgroundTasks } from "../../runtime/src/prudence/background";
import type { ProgramRun } from "../../runtime/src/prudence/program-runner";
import type { WorkerPool } from "../../runtime/src/workers/pool";
import { FakeClock } from "../scheduler/fake-clock";

const PMOD = join(__dirname, "..", "fixtures", "prudence", "pmod");
const T0 = Date.parse("2026-05-05T10:00:00Z");
const SEC = 1000;

/** Lets every pending callback of this turn run (setImmediate starts, promise chains). */
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

function rig(opts: { programSlots?: number; keepFinished?: number } = {}) {
  const clock = new FakeClock(T0);
  const starts: { at: number; context: unknown; finish: (ok?: boolean) => void; done: boolean }[] = [];
  const bg = new BackgroundTasks({
    modules: () => [{ name: "pmod", dir: PMOD, file: join(PMOD, "moduledefinition.xml") }],
    pool: () => {
      throw new Error("no entry points here") as never as WorkerPool;
    },
    programSlots: opts.programSlots ?? 4,
    allowCodeTasks: false,
    preload: "",
    env: () => ({}),
    log: () => {},
    clock,
    ...(opts.keepFinished !== undefined ? { keepFinished: opts.keepFinished } : {}),
    runProgram: (run: ProgramRun) =>
      new Promise((resolve) => {
        const s = { at: clock.now(), context: run.context, done: false, finish: (ok = true) => ((s.done = true), resolve(ok ? { ok: true, error: null } : { ok: false, error: "failed" })) };
        starts.push(s);
        run.signal?.addEventListener("abort", () => s.finish(false), { once: true });
      }),
  });
  /** Moves the clock to T0 + `sec` seconds and lets what that starts start. */
  const advance = async (sec: number) => {
    clock.advanceTo(T0 + sec * SEC);
    await settle();
  };
  const startSeconds = () => starts.map((s) => (s.at - T0) / SEC);
  return { bg, clock, starts, advance, startSeconds };
}

describe("background task timing (fake clock)", () => {
  it("starts a task with `delay` only when the delay has passed", async () => {
    const r = rig();
    r.bg.execute({ module: "pmod", document: "/tasks/append/", delay: 5 * SEC });
    await settle();
    await r.advance(4.999);
    assert.deepEqual(r.startSeconds(), []);
    await r.advance(5);
    assert.deepEqual(r.startSeconds(), [5]);
  });

  it("fixed rate starts every interval from the first start, overlapping runs that take longer", async () => {
    const r = rig({ programSlots: 4 });
    const id = r.bg.execute({ module: "pmod", document: "/tasks/append/", repeatEvery: 10 * SEC, fixedRate: true });
    await settle();
    for (const t of [10, 20, 25, 30]) await r.advance(t);
    assert.deepEqual(r.startSeconds(), [0, 10, 20, 30], "no run has ended, yet a new one starts every 10 s");
    assert.equal(r.bg.state(id).running, 4);
    await r.advance(40);
    assert.deepEqual(r.startSeconds(), [0, 10, 20, 30], "but no more than the pool holds at once");
    r.starts[0]!.finish();
    await settle();
    await r.advance(50);
    assert.deepEqual(r.startSeconds(), [0, 10, 20, 30, 50], "the rate goes on from the first start");
    await r.bg.cancel(id);
  });

  it("fixed delay starts the next run an interval after the previous one ended", async () => {
    const r = rig();
    const id = r.bg.execute({ module: "pmod", document: "/tasks/append/", repeatEvery: 10 * SEC, fixedRate: false });
    await settle();
    await r.advance(20);
    assert.deepEqual(r.startSeconds(), [0], "the first run still goes on");
    await r.advance(25);
    r.starts[0]!.finish();
    await settle();
    await r.advance(34);
    assert.deepEqual(r.startSeconds(), [0]);
    await r.advance(35);
    assert.deepEqual(r.startSeconds(), [0, 35], "ended at 25, next at 35");
    r.starts[1]!.finish();
    await settle();
    await r.advance(45);
    assert.deepEqual(r.startSeconds(), [0, 35, 45]);
    await r.bg.cancel(id);
  });

  it("cancels a program that waits for a slot at once, without waiting for the running one", { timeout: 5000 }, async () => {
    const r = rig({ programSlots: 1 });
    const running = r.bg.execute({ module: "pmod", document: "/tasks/append/", context: "first" });
    const queued = r.bg.execute({ module: "pmod", document: "/tasks/append/", context: "second" });
    await settle();
    assert.deepEqual(r.starts.map((s) => s.context), ["first"], "one slot: the second waits");
    assert.equal(await r.bg.cancel(queued), true);
    assert.deepEqual([r.bg.state(queued).done, r.bg.state(queued).cancelled, r.bg.state(queued).runs], [true, true, 0]);
    await assert.rejects(r.bg.result(queued, 1000), /Background task #2 was cancelled before it ran/);
    assert.equal(r.bg.state(running).running, 1, "the first still runs");
    r.starts[0]!.finish();
    await settle();
    assert.deepEqual(r.starts.map((s) => s.context), ["first"], "the cancelled one never starts");
    assert.equal(r.bg.sizes.programsRunning, 0, "its slot was not taken");
  });

  it("keeps only the newest finished tasks; running and repeating ones stay listed", async () => {
    const r = rig({ keepFinished: 3, programSlots: 10 });
    const repeating = r.bg.execute({ module: "pmod", document: "/tasks/append/", context: "tick", repeatEvery: 60 * SEC });
    const once = Array.from({ length: 6 }, (_, i) => r.bg.execute({ module: "pmod", document: "/tasks/append/", context: i }));
    await settle();
    for (const s of r.starts.filter((s) => s.context !== "tick")) s.finish();
    await settle();
    r.starts.find((s) => s.context === "tick")!.finish();
    await settle();
    assert.deepEqual(r.bg.list().map((t) => t.id), [repeating, ...once.slice(3)]);
    assert.equal(r.bg.list().find((t) => t.id === repeating)!.done, false);
    assert.throws(() => r.bg.state(once[0]!), /Background task #2 has finished and is no longer kept \(this runtime keeps the last 3 finished tasks\)/);
    assert.throws(() => r.bg.state(999), /No such background task #999/);
    await r.bg.cancel(repeating);
  });
});
