/**
 * What the timeline panel takes from a running runtime's `status`: the last durations of its
 * scheduled tasks and the parallel limit it applies (`maxScheduledRuns`), which replaces the
 * default of 4 when flagging minutes with too many runs.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { scheduleFactsFromStatus } from "../../client/src/timeline/durations";
import { computeTimeline } from "../../runtime/src/timeline/layout";
import type { TimelineTask } from "../../runtime/src/timeline/sources";

describe("runtime facts for the timeline", () => {
  test("the parallel limit and last durations come from status; odd or missing values give none", () => {
    const f = scheduleFactsFromStatus({ maxScheduledRuns: 2, scheduled: [{ name: "app:nightly", lastRun: 1000, lastEnd: 61_000 }, { name: "app:running", lastRun: 5000, lastEnd: 1000 }] });
    assert.equal(f.parallelLimit, 2);
    assert.deepEqual([...f.durations!], [["app:nightly", 60_000]]);
    for (const bad of [0, -1, 2.5, "4", null]) assert.equal(scheduleFactsFromStatus({ maxScheduledRuns: bad, scheduled: [] }).parallelLimit, undefined, String(bad));
    // A runtime from before maxScheduledRuns was reported.
    assert.deepEqual(scheduleFactsFromStatus({ scheduled: [] }), { durations: new Map(), parallelLimit: undefined });
    assert.deepEqual(scheduleFactsFromStatus("nope"), { durations: undefined, parallelLimit: undefined });
  });

  test("with the runtime's limit of 2, three runs in one minute are flagged (the default 4 would not)", () => {
    const at3 = (tag: string): TimelineTask => ({ id: `app:${tag}`, name: `app:${tag}`, source: "moduledefinition", mask: "0 3 * * *", dialect: "webhare", runtz: "UTC" });
    const tasks = ["a", "b", "c"].map(at3);
    const opts = { from: Date.parse("2026-06-01T00:00:00Z"), hours: 24, displayZone: "UTC", localZone: "UTC", maintenanceOffsetMinutes: 0 };
    const limit = scheduleFactsFromStatus({ maxScheduledRuns: 2, scheduled: [] }).parallelLimit;
    assert.equal(computeTimeline(tasks, { ...opts, parallelLimit: limit }).collisions.filter((c) => c.kind === "parallel").length, 1);
    assert.equal(computeTimeline(tasks, opts).collisions.filter((c) => c.kind === "parallel").length, 0);
  });
});
