/**
 * Scheduled tasks in a cluster: every node runs the scheduler, with clocks skewed by seconds,
 * on one PostgreSQL database; each occurrence runs on exactly one node, and after a full
 * cluster outage there is one catch-up run. Three runtimes in this process, each with its own
 * connections and a fake clock, so minutes pass without waiting for them.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Runtime } from "../../runtime/src/engine/runtime";
import { Runtime as RuntimeClass } from "../../runtime/src/engine/runtime";
import type { TimedEvent } from "../../runtime/src/scheduler/timed-scheduler";
import { freshPgDatabase } from "../helpers/pg";
import { FakeClock } from "../scheduler/fake-clock";
import { CMOD } from "./harness";

const MIN = 60_000;
const T0 = Date.parse("2026-05-05T10:00:30Z");
const SKEWS = [0, 2_000, -3_000];

describe("scheduled tasks on several nodes with skewed clocks", { timeout: 300_000 }, () => {
  let url: string;
  let drop: () => Promise<void>;
  before(async () => {
    ({ url, drop } = await freshPgDatabase());
  });
  after(async () => drop());

  async function startCluster(at: number) {
    const clocks = SKEWS.map((skew) => new FakeClock(at + skew));
    const runs: { node: string; start: number }[] = [];
    const finished: (() => void)[] = [];
    const rts: Runtime[] = [];
    for (const [i, clock] of clocks.entries()) {
      const rt = await RuntimeClass.start({ db: { kind: "postgres", url }, moduleDirs: [CMOD], nodeName: `s${i + 1}`, clock, watch: false, workers: 1, noControlSocket: true, log: () => {} });
      rt.onTimedEvent((e: TimedEvent) => {
        if (e.event === "scheduled-finished" && e.name === "cmod:tick") {
          runs.push({ node: rt.nodeName, start: e.start });
          finished.splice(0).forEach((f) => f());
        }
      });
      rts.push(rt);
    }
    /**
     * Moves every node's clock to `t` (plus its skew) and waits until `totalRuns` runs have
     * finished since the cluster started. A total, not a count from now: a run that was due at
     * start (a catch-up) may finish before or after this is called, depending on the machine's load.
     */
    const advanceTo = async (t: number, totalRuns: number) => {
      const done = new Promise<void>((resolve) => {
        const check = () => (runs.length >= totalRuns ? resolve() : finished.push(check));
        check();
      });
      clocks.forEach((c, i) => c.advanceTo(t + SKEWS[i]!));
      await done;
      await Promise.all(rts.map((rt) => rt.scheduler.whenQuiet()));
    };
    const stop = () => Promise.all(rts.map((rt) => rt.stop()));
    return { runs, advanceTo, stop };
  }

  it("runs each occurrence once, whichever node's clock gets there first", async () => {
    const c = await startCluster(T0);
    for (let m = 1; m <= 8; m++) await c.advanceTo(Date.parse("2026-05-05T10:00:00Z") + m * MIN + 5_000, m);
    const minutes = c.runs.map((r) => Math.floor((r.start + 30_000) / MIN));
    assert.equal(c.runs.length, 8, `one run per occurrence: ${JSON.stringify(c.runs)}`);
    assert.equal(new Set(minutes).size, 8, "no occurrence ran twice");
    await c.stop();
  });

  it("runs once after a full cluster outage over several occurrences", async () => {
    // The cluster was down from 10:08 to 10:15:40: the occurrences in between are missed.
    const c = await startCluster(Date.parse("2026-05-05T10:15:40Z"));
    await c.advanceTo(Date.parse("2026-05-05T10:15:45Z"), 1);
    assert.equal(c.runs.length, 1, `exactly one catch-up run: ${JSON.stringify(c.runs)}`);
    await c.advanceTo(Date.parse("2026-05-05T10:16:05Z"), 2);
    assert.equal(c.runs.length, 2, "then the schedule goes on");
    await c.stop();
  });
});
