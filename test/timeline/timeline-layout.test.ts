/**
 * The timeline's layout against fixed clocks: which runs, where on the axis, which DST marks,
 * which collisions. Every expected instant is written out by hand (not computed by the engine),
 * and the local zone is injected, so the host's clock and TZ do not matter.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseModuleDefinition } from "../../runtime/src/definition";
import { computeTimeline, resolveDisplayZone, tasksFromCrontab, tasksFromModuleDefinition, type TimelineOptions, type TimelineTask } from "../../runtime/src/timeline";

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

function task(id: string, mask: string, runtz = "", extra: Partial<TimelineTask> = {}): TimelineTask {
  return { id, name: id, source: "moduledefinition", mask, dialect: "webhare", runtz, ...extra };
}

function layout(tasks: TimelineTask[], o: Partial<TimelineOptions> & { from: number }) {
  return computeTimeline(tasks, { hours: 24, maintenanceOffsetMinutes: 0, localZone: "UTC", displayZone: "UTC", ...o });
}

/** The runs of one task as ISO strings in its own zone. */
function localRuns(t: ReturnType<typeof layout>, id: string): string[] {
  return t.runs.filter((r) => r.taskId === id).map((r) => r.local);
}

describe("timeline layout: runs", () => {
  test("every run in the window, in order, with its position, display time and local time", () => {
    const from = at("2026-06-01T10:00:00Z");
    const t = layout([task("app:daily", "0 15 * * *", "Europe/Amsterdam"), task("app:six", "0 */6 * * *")], { from, displayZone: "America/New_York" });
    assert.deepEqual(
      t.runs.map((r) => [r.taskId, r.at, r.display, r.local]),
      [
        ["app:six", at("2026-06-01T12:00:00Z"), "2026-06-01T08:00:00-04:00", "2026-06-01T12:00:00+00:00"],
        ["app:daily", at("2026-06-01T13:00:00Z"), "2026-06-01T09:00:00-04:00", "2026-06-01T15:00:00+02:00"],
        ["app:six", at("2026-06-01T18:00:00Z"), "2026-06-01T14:00:00-04:00", "2026-06-01T18:00:00+00:00"],
        ["app:six", at("2026-06-02T00:00:00Z"), "2026-06-01T20:00:00-04:00", "2026-06-02T00:00:00+00:00"],
        ["app:six", at("2026-06-02T06:00:00Z"), "2026-06-02T02:00:00-04:00", "2026-06-02T06:00:00+00:00"],
      ],
    );
    assert.deepEqual(
      t.runs.map((r) => r.x),
      [2 / 24, 3 / 24, 8 / 24, 14 / 24, 20 / 24],
    );
    assert.equal(t.to, from + 24 * H);
    assert.equal(t.fromText, "2026-06-01T06:00:00-04:00");
    assert.deepEqual(
      t.rows.map((r) => [r.taskId, r.zoneLabel, r.offsetAtStart, r.runCount, r.description]),
      [
        ["app:daily", "Europe/Amsterdam", "+02:00", 1, "At 15:00 every day, Europe/Amsterdam"],
        ["app:six", "UTC", "+00:00", 4, "At 00:00, 06:00, 12:00 and 18:00 every day, UTC"],
      ],
    );
  });

  test("a run exactly at the start is in the window, one exactly at the end is not", () => {
    const t = layout([task("app:h", "0 * * * *")], { from: at("2026-06-01T10:00:00Z"), hours: 3 });
    assert.deepEqual(localRuns(t, "app:h"), ["2026-06-01T10:00:00+00:00", "2026-06-01T11:00:00+00:00", "2026-06-01T12:00:00+00:00"]);
    assert.equal(t.runs[0]!.x, 0);
  });

  test("7 days: a weekly task once, a daily one seven times", () => {
    const t = layout([task("app:weekly", "0 15 * * 1", "Europe/Amsterdam"), task("app:daily", "30 4 * * *", "Europe/Amsterdam")], { from: at("2026-06-01T00:00:00Z"), hours: 168 });
    assert.deepEqual(localRuns(t, "app:weekly"), ["2026-06-01T15:00:00+02:00"]);
    assert.equal(localRuns(t, "app:daily").length, 7);
  });

  test("rows without runs say why; an invalid display zone is refused", () => {
    const t = layout([task("app:none", ""), task("app:bad", "61 * * * *"), task("app:zone", "0 * * * *", "europe/amsterdam")], { from: at("2026-06-01T00:00:00Z") });
    assert.equal(t.runs.length, 0);
    assert.equal(t.rows[0]!.problem, "no schedule: runs only at startup or by hand");
    assert.equal(t.rows[1]!.problem, "invalid mask: minute 61 is out of range 0-59");
    assert.match(t.rows[2]!.problem!, /^invalid zone: unknown time zone 'europe\/amsterdam' \(did you mean 'Europe\/Amsterdam'\?\)/);
    assert.throws(() => layout([], { from: 0, displayZone: "Mars/Olympus" }), /unknown time zone 'Mars\/Olympus'/);
    assert.throws(() => layout([], { from: 0, hours: 0 }), /hours must be between 1 and 744/);
  });

  test("a row stops at maxRunsPerTask and says so", () => {
    const t = layout([task("app:minute", "* * * * *")], { from: at("2026-06-01T00:00:00Z"), maxRunsPerTask: 100 });
    assert.equal(t.runs.length, 100);
    assert.equal(t.rows[0]!.truncated, true);
  });

  test("'local' is the injected local zone, never the host's", () => {
    const d = resolveDisplayZone("local", "Asia/Kolkata", 0);
    assert.ok(!("error" in d));
    assert.equal(d.label, "Asia/Kolkata (local)");
    const t = layout([task("app:x", "0 12 * * *")], { from: at("2026-06-01T00:00:00Z"), displayZone: "local", localZone: "Asia/Kolkata" });
    assert.equal(t.runs[0]!.display, "2026-06-01T17:30:00+05:30");
    assert.equal(resolveDisplayZone("utc", "Asia/Kolkata", 0).hasOwnProperty("error"), false);
  });
});

describe("timeline layout: DST", () => {
  test("Europe/Amsterdam, last Sunday of March: the gap run at 03:00, one mark, 23 hour ticks", () => {
    const t = layout([task("app:night", "30 2 * * *", "Europe/Amsterdam"), task("app:half", "30 * * * *", "Europe/Amsterdam")], { from: at("2026-03-28T23:00:00Z"), displayZone: "Europe/Amsterdam" });
    // 02:30 does not exist on 29 March: the daily run moves to the first instant after the gap.
    assert.deepEqual(localRuns(t, "app:night"), ["2026-03-29T03:00:00+02:00"]);
    // The hourly pattern follows real time: 01:30, then 03:30.
    assert.deepEqual(localRuns(t, "app:half").slice(0, 3), ["2026-03-29T00:30:00+01:00", "2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00"]);
    assert.equal(t.dstMarks.length, 1);
    const m = t.dstMarks[0]!;
    assert.equal(m.at, at("2026-03-29T01:00:00Z"));
    assert.equal(m.x, 2 / 24);
    assert.deepEqual([m.zone, m.fromOffset, m.toOffset, m.shiftMinutes, m.wallBefore, m.wallAfter, m.displayZone], ["Europe/Amsterdam", "+01:00", "+02:00", 60, "02:00", "03:00", true]);
    assert.deepEqual(m.rows, [0, 1]);
    assert.equal(m.text, "Europe/Amsterdam: +01:00 → +02:00, clocks go forward 1 h (02:00 → 03:00)");
    // The display zone's wall clock: 00:00, 01:00, then 03:00; 24 real hours hold 23 wall hours... plus the next midnight.
    const labels = t.ticks.map((k) => k.label);
    assert.deepEqual(labels.slice(0, 4), ["00:00", "01:00", "03:00", "04:00"]);
    assert.equal(labels.length, 24);
    assert.equal(labels.filter((l) => l === "02:00").length, 0);
    assert.equal(t.ticks[0]!.dayLabel, "Sun 29 Mar");
  });

  test("Europe/Amsterdam, last Sunday of October: a fixed time once, an hourly pattern twice, 02:00 twice on the axis", () => {
    const t = layout([task("app:night", "30 2 * * *", "Europe/Amsterdam"), task("app:half", "30 * * * *", "Europe/Amsterdam")], { from: at("2026-10-24T22:00:00Z"), displayZone: "Europe/Amsterdam" });
    assert.deepEqual(localRuns(t, "app:night"), ["2026-10-25T02:30:00+02:00"]);
    assert.deepEqual(localRuns(t, "app:half").slice(0, 4), ["2026-10-25T00:30:00+02:00", "2026-10-25T01:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"]);
    const m = t.dstMarks[0]!;
    assert.equal(m.at, at("2026-10-25T01:00:00Z"));
    assert.deepEqual([m.fromOffset, m.toOffset, m.shiftMinutes, m.wallBefore, m.wallAfter], ["+02:00", "+01:00", -60, "03:00", "02:00"]);
    assert.equal(m.text, "Europe/Amsterdam: +02:00 → +01:00, clocks go back 1 h (03:00 → 02:00)");
    assert.equal(t.ticks.filter((k) => k.label === "02:00").length, 2);
  });

  test("the display zone's transition is marked even when no task runs in that zone", () => {
    const t = layout([task("app:utc", "0 3 * * *")], { from: at("2026-03-28T12:00:00Z"), displayZone: "Europe/Amsterdam" });
    assert.deepEqual(
      t.dstMarks.map((m) => [m.zone, m.displayZone, m.rows]),
      [["Europe/Amsterdam", true, []]],
    );
    // …and a task zone's transition when the display zone has none.
    const u = layout([task("app:ams", "0 3 * * *", "Europe/Amsterdam"), task("app:ny", "0 3 * * *", "America/New_York")], { from: at("2026-03-28T12:00:00Z"), displayZone: "UTC" });
    assert.deepEqual(
      u.dstMarks.map((m) => [m.zone, m.displayZone, m.rows]),
      [["Europe/Amsterdam", false, [0]]],
    );
  });

  test("a week holding both zones' changes: marks sorted by instant", () => {
    const t = layout([task("app:ams", "0 3 * * *", "Europe/Amsterdam"), task("app:ny", "0 3 * * *", "America/New_York")], { from: at("2026-03-05T00:00:00Z"), hours: 31 * 24 });
    assert.deepEqual(
      t.dstMarks.map((m) => [m.zone, new Date(m.at).toISOString()]),
      [
        ["America/New_York", "2026-03-08T07:00:00.000Z"],
        ["Europe/Amsterdam", "2026-03-29T01:00:00.000Z"],
      ],
    );
  });

  test("Australia/Lord_Howe: 30-minute shifts both ways, the gap run at the transition", () => {
    // DST ends Sunday 5 April 2026 02:00 (+11:00) → 01:30 (+10:30), i.e. 2026-04-04T15:00Z.
    const back = layout([task("app:lh", "15 1 * * *", "Australia/Lord_Howe")], { from: at("2026-04-04T00:00:00Z"), displayZone: "Australia/Lord_Howe" });
    const m = back.dstMarks[0]!;
    assert.equal(m.at, at("2026-04-04T15:00:00Z"));
    assert.deepEqual([m.fromOffset, m.toOffset, m.shiftMinutes, m.wallBefore, m.wallAfter], ["+11:00", "+10:30", -30, "02:00", "01:30"]);
    assert.equal(m.text, "Australia/Lord_Howe: +11:00 → +10:30, clocks go back 30 min (02:00 → 01:30)");
    assert.deepEqual(localRuns(back, "app:lh"), ["2026-04-05T01:15:00+11:00"]);
    // DST starts Sunday 4 October 2026 02:00 (+10:30) → 02:30 (+11:00), i.e. 2026-10-03T15:30Z; 02:15 is skipped.
    const fwd = layout([task("app:lh", "15 2 * * *", "Australia/Lord_Howe")], { from: at("2026-10-03T00:00:00Z"), displayZone: "UTC" });
    assert.deepEqual(
      fwd.dstMarks.map((d) => [d.at, d.shiftMinutes, d.wallBefore, d.wallAfter]),
      [[at("2026-10-03T15:30:00Z"), 30, "02:00", "02:30"]],
    );
    assert.deepEqual(localRuns(fwd, "app:lh"), ["2026-10-04T02:30:00+11:00"]);
    assert.equal(fwd.runs[0]!.display, "2026-10-03T15:30:00+00:00");
  });

  test("maintenance zone: the offset in use on the row and in every time, no DST", () => {
    const t = layout([task("app:maint", "45 0 * * *", "maintenance")], { from: at("2026-03-28T12:00:00Z"), maintenanceOffsetMinutes: 83, displayZone: "Europe/Amsterdam" });
    assert.equal(t.rows[0]!.zoneLabel, "maintenance zone (UTC-01:23: runs 83 min after UTC)");
    assert.equal(t.rows[0]!.offsetAtStart, "-01:23");
    assert.equal(t.maintenanceOffsetMinutes, 83);
    // next = next_UTC(now − 83 min) + 83 min: 00:45 on the maintenance clock is 02:08 UTC.
    assert.deepEqual(
      t.runs.map((r) => [r.at, r.local, r.display]),
      [[at("2026-03-29T02:08:00Z"), "2026-03-29T00:45:00-01:23", "2026-03-29T04:08:00+02:00"]],
    );
    assert.deepEqual(
      t.dstMarks.map((m) => m.zone),
      ["Europe/Amsterdam"],
    );
  });
});

describe("timeline layout: collisions", () => {
  const five = (mask: string, runtz = "") => ["a", "b", "c", "d", "e"].map((n) => task(`app:${n}`, mask, runtz));

  test("more runs starting in one minute than the parallel limit (default 4): flagged, once per minute", () => {
    const t = layout(five("0 3 * * *"), { from: at("2026-06-01T00:00:00Z") });
    assert.equal(t.parallelLimit, 4);
    assert.equal(t.collisions.length, 1);
    const c = t.collisions[0]!;
    assert.equal(c.kind, "parallel");
    if (c.kind !== "parallel") return;
    assert.deepEqual([c.at, c.count, c.limit, c.runs], [at("2026-06-01T03:00:00Z"), 5, 4, [0, 1, 2, 3, 4]]);
    assert.equal(c.text, "5 runs start at 03:00, more than the 4 the runtime starts at once: app:a, app:b, app:c, app:d, app:e");
    assert.ok(t.runs.every((r) => r.flags.includes("parallel")));
  });

  test("crontab lines do not count toward the limit (they run in the background pool, which it does not cover)", () => {
    const tasks = [...five("0 3 * * *").slice(0, 4), task("/app/crontab:1", "0 3 * * *", "", { source: "crontab", dialect: "prudence" })];
    const t = layout(tasks, { from: at("2026-06-01T00:00:00Z") });
    assert.equal(t.runs.length, 5);
    assert.deepEqual(t.collisions, []);
  });

  test("exactly the limit is fine; a lower limit flags it", () => {
    assert.equal(layout(five("0 3 * * *").slice(0, 4), { from: at("2026-06-01T00:00:00Z") }).collisions.length, 0);
    assert.equal(layout(five("0 3 * * *").slice(0, 3), { from: at("2026-06-01T00:00:00Z"), parallelLimit: 2 }).collisions.length, 1);
  });

  test("runs in different zones that start in the same UTC minute collide; the same wall time in different zones does not", () => {
    const mixed = [task("a:1", "0 5 * * *", "Europe/Amsterdam"), task("a:2", "0 3 * * *"), task("a:3", "0 23 * * *", "America/New_York"), task("a:4", "0 3 * * *", "maintenance"), task("a:5", "0 8 * * *", "Asia/Karachi")];
    // June: Amsterdam +02:00, New York -04:00, maintenance at offset 0 = UTC, Karachi +05:00 → all 03:00 UTC.
    const t = layout(mixed, { from: at("2026-06-01T00:00:00Z") });
    assert.deepEqual(
      t.collisions.map((c) => [c.kind, c.at]),
      [["parallel", at("2026-06-01T03:00:00Z")]],
    );
    const wall = layout(five("0 3 * * *").map((x, i) => ({ ...x, runtz: ["UTC", "Europe/Amsterdam", "Asia/Tokyo", "America/Chicago", "Europe/London"][i]! })), { from: at("2026-06-01T00:00:00Z") });
    assert.equal(wall.collisions.length, 0);
  });

  test("a task that would overlap its own previous run, given its last duration", () => {
    const hourly = task("app:hourly", "0 * * * *");
    const t = layout([hourly], { from: at("2026-06-01T00:00:00Z"), hours: 4, lastDurations: new Map([["app:hourly", 90 * 60_000]]) });
    // Every run overlaps: even the first, whose predecessor at 23:00 (before the window) runs until 00:30.
    assert.deepEqual(
      t.collisions.map((c) => (c.kind === "overlap" ? [c.at, c.previousAt, c.durationMs] : null)),
      [
        [at("2026-06-01T00:00:00Z"), at("2026-05-31T23:00:00Z"), 90 * 60_000],
        [at("2026-06-01T01:00:00Z"), at("2026-06-01T00:00:00Z"), 90 * 60_000],
        [at("2026-06-01T02:00:00Z"), at("2026-06-01T01:00:00Z"), 90 * 60_000],
        [at("2026-06-01T03:00:00Z"), at("2026-06-01T02:00:00Z"), 90 * 60_000],
      ],
    );
    assert.equal(t.collisions[1]!.text, "app:hourly starts at 01:00 while its run of 00:00 is expected to take 1 h 30 min (until 01:30)");
    assert.ok(t.runs.every((r) => r.flags.includes("overlap")));
    assert.equal(t.rows[0]!.lastDurationMs, 90 * 60_000);
    // 59 minutes fits in an hour; exactly 60 ends as the next one starts: no overlap either.
    for (const d of [59, 60]) assert.equal(layout([hourly], { from: at("2026-06-01T00:00:00Z"), lastDurations: new Map([["app:hourly", d * 60_000]]) }).collisions.length, 0);
  });

  test("overlaps follow the zone's real time: a daily task around the fall-back night", () => {
    // 23 h 30 min after 03:00 on Saturday is 01:30 on Sunday's... real clock: Sunday has 25 hours, so it fits;
    // the same duration over the spring-forward night (23 hours) does not.
    const daily = task("app:daily", "0 3 * * *", "Europe/Amsterdam");
    const d = new Map([["app:daily", (23 * 60 + 30) * 60_000]]);
    assert.equal(layout([daily], { from: at("2026-10-24T00:00:00Z"), hours: 48, lastDurations: d }).collisions.length, 0);
    const spring = layout([daily], { from: at("2026-03-28T00:00:00Z"), hours: 48, lastDurations: d });
    assert.deepEqual(
      spring.collisions.map((c) => [c.kind, c.display]),
      [["overlap", "2026-03-29T01:00:00+00:00"]],
    );
  });

  test("collisions are sorted by instant, parallel before overlap at the same minute", () => {
    const tasks = [...five("0 3 * * *"), task("app:h", "0 * * * *")];
    const t = layout(tasks, { from: at("2026-06-01T02:30:00Z"), hours: 2, lastDurations: new Map([["app:h", 2 * H]]) });
    assert.deepEqual(
      t.collisions.map((c) => [c.kind, new Date(c.at).toISOString().slice(11, 16)]),
      [
        ["parallel", "03:00"],
        ["overlap", "03:00"],
        ["overlap", "04:00"],
      ],
    );
    // The overlap's run index points at the sorted run list.
    const o = t.collisions[1]!;
    assert.ok(o.kind === "overlap" && t.runs[o.run]!.taskId === "app:h" && t.runs[o.run]!.at === o.at);
  });
});

describe("timeline sources", () => {
  test("<task> declarations with their ranges; declarations that do not apply are skipped with the reason", () => {
    const text = `<module xmlns="http://www.webhare.net/xmlns/system/moduledefinition">
  <servicemanager>
    <task tag="nightly" script="a.ts" runat="0 3 * * *" runtz="Europe/Amsterdam" description="Nightly cleanup"/>
    <task tag="dockeronly" script="a.ts" runat="0 4 * * *" ifenvironset="IN_DOCKER"/>
  </servicemanager>
</module>`;
    const def = parseModuleDefinition(text, { file: "/m/app/moduledefinition.xml", moduleName: "app" });
    const r = tasksFromModuleDefinition(def, { applicability: { env: {}, serverType: "development" } });
    assert.deepEqual(
      r.tasks.map((t) => [t.id, t.mask, t.runtz, t.description, t.range?.start.line, t.range?.start.character]),
      [["app:nightly", "0 3 * * *", "Europe/Amsterdam", "Nightly cleanup", 2, 5]],
    );
    assert.deepEqual(
      r.skipped.map((s) => [s.id, s.reason]),
      [["app:dockeronly", "does not apply here: IN_DOCKER is not set (ifenvironset)"]],
    );
    assert.equal(tasksFromModuleDefinition(def).tasks.length, 2);
  });

  test("crontab lines: prudence dialect, the crontab zone, the pattern's range", () => {
    const tasks = tasksFromCrontab("# comment\n*/5 5-7 * * *|*/30 0-4 * * * /tasks/poll/\n0 3 L * * <% cleanup() %>\n", "/srv/app/crontab", { zone: "Europe/Amsterdam" });
    assert.deepEqual(
      tasks.map((t) => [t.id, t.name, t.mask, t.dialect, t.runtz, t.range?.start.line, t.range?.end.character]),
      [
        ["/srv/app/crontab:2", "app/crontab:2 /tasks/poll/", "*/5 5-7 * * *|*/30 0-4 * * *", "prudence", "Europe/Amsterdam", 1, 28],
        ["/srv/app/crontab:3", "app/crontab:3 <% cleanup() %>", "0 3 L * *", "prudence", "Europe/Amsterdam", 2, 9],
      ],
    );
    const sys = tasksFromCrontab("0 2 * * * DIR:/tmp backup.sh --full\n", "/srv/app/crontab.system", { system: true, zone: "" });
    assert.deepEqual(
      sys.map((t) => [t.name, t.source]),
      [["app/crontab.system:1 backup.sh --full", "system-crontab"]],
    );
    // Crontab runs come from the same engine: the union pattern on 1 June, in Amsterdam.
    const t = layout(tasks.slice(0, 1), { from: at("2026-06-01T00:00:00+02:00"), hours: 24 });
    assert.equal(t.runs.length, 10 + 36);
  });
});
