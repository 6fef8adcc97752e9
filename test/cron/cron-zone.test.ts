import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { describeCron, formatInZone, listZones, parseCron, parseIsoInZone, resolveRunTz, zoneInfo, zoneWarnings, type Zone } from "../../runtime/src/cron";

const ams: Zone = { kind: "iana", name: "Europe/Amsterdam" };

describe("resolveRunTz", () => {
  test("empty is UTC, maintenance uses the given offset, IANA zones are kept as written", () => {
    assert.deepEqual(resolveRunTz("", 42), { zone: { kind: "utc" }, issues: [] });
    assert.deepEqual(resolveRunTz("maintenance", 42), { zone: { kind: "maintenance", offsetMinutes: 42 }, issues: [] });
    assert.deepEqual(resolveRunTz("Europe/Amsterdam", 42), { zone: ams, issues: [] });
    assert.deepEqual(resolveRunTz("UTC", 0), { zone: { kind: "utc" }, issues: [] });
    // Current IANA names that ICU lists under older aliases, and plain aliases.
    for (const z of ["Asia/Kolkata", "Asia/Calcutta", "Europe/Kyiv", "US/Eastern", "Etc/GMT+5", "America/Argentina/Buenos_Aires", "America/Port-au-Prince"]) {
      assert.deepEqual(resolveRunTz(z, 0).issues, [], z);
    }
  });

  test("a misspelt zone is an error with the suggestion as the fix; wrong case too", () => {
    const cases: [string, string][] = [
      ["Europe/Amsterdm", "Europe/Amsterdam"],
      ["europe/amsterdam", "Europe/Amsterdam"],
      ["EUROPE/AMSTERDAM", "Europe/Amsterdam"],
      ["asia/kolkata", "Asia/Kolkata"],
      ["Maintenance", "maintenance"],
      [" Europe/Amsterdam", "Europe/Amsterdam"],
      ["us/eastern", "America/New_York"],
      // A bare city, as people type it: the last segment, any case, spaces for underscores.
      ["Amsterdam", "Europe/Amsterdam"],
      ["amsterdam", "Europe/Amsterdam"],
      ["New_York", "America/New_York"],
      ["new york", "America/New_York"],
      ["Kolkata", "Asia/Kolkata"],
      ["Amsterdm", "Europe/Amsterdam"],
      ["america/new york", "America/New_York"],
    ];
    for (const [input, suggestion] of cases) {
      const r = resolveRunTz(input, 0);
      assert.equal(r.zone, undefined, input);
      assert.equal(r.issues.length, 1);
      const f = r.issues[0]!;
      assert.equal(f.code, "cron-invalid-zone");
      assert.equal(f.severity, "error");
      assert.deepEqual(f.span, { start: 0, end: input.length });
      assert.equal(f.data?.replacement, suggestion, input);
      assert.match(f.message, new RegExp(`unknown time zone '${input.replace(/[/]/g, "\\/")}' \\(did you mean '${suggestion.replace(/[/]/g, "\\/")}'\\?\\)`));
    }
    const none = resolveRunTz("Nowhere/Special", 0).issues[0]!;
    assert.equal(none.data, undefined);
    assert.match(none.message, /use an IANA zone/);
  });

  test("listZones has every Intl zone plus UTC", () => {
    const zones = listZones();
    assert.ok(zones.includes("UTC"));
    assert.ok(zones.includes("Europe/Amsterdam"));
    assert.ok(zones.length > 300);
    assert.equal(new Set(zones).size, zones.length);
  });
});

describe("zoneInfo and formatInZone", () => {
  test("offsets and the next transition", () => {
    const winter = zoneInfo(ams, Date.UTC(2026, 0, 15));
    assert.equal(winter.offsetMinutes, 60);
    assert.equal(winter.offsetText, "+01:00");
    assert.deepEqual(winter.nextTransition, { atMs: Date.UTC(2026, 2, 29, 1), fromOffsetMinutes: 60, toOffsetMinutes: 120 });
    assert.equal(zoneInfo(ams, Date.UTC(2026, 6, 1)).offsetText, "+02:00");
    assert.equal(zoneInfo({ kind: "iana", name: "Pacific/Chatham" }, Date.UTC(2026, 6, 1)).offsetText, "+12:45");
    assert.equal(zoneInfo({ kind: "iana", name: "America/St_Johns" }, Date.UTC(2026, 0, 1)).offsetText, "-03:30");
    assert.deepEqual(zoneInfo({ kind: "utc" }, 0), { offsetMinutes: 0, offsetText: "+00:00" });
    assert.deepEqual(zoneInfo({ kind: "maintenance", offsetMinutes: 83 }, 0), { offsetMinutes: -83, offsetText: "-01:23" });
    assert.equal(zoneInfo({ kind: "iana", name: "Asia/Kolkata" }, 0).nextTransition, undefined);
  });

  test("ISO 8601 with the zone's offset, +00:00 for UTC", () => {
    assert.equal(formatInZone(Date.UTC(2026, 10, 23, 14), ams), "2026-11-23T15:00:00+01:00");
    assert.equal(formatInZone(Date.UTC(2026, 6, 1, 12), ams), "2026-07-01T14:00:00+02:00");
    assert.equal(formatInZone(Date.UTC(2026, 0, 1), { kind: "utc" }), "2026-01-01T00:00:00+00:00");
    assert.equal(formatInZone(Date.UTC(2026, 0, 1, 2, 8), { kind: "maintenance", offsetMinutes: 83 }), "2026-01-01T00:45:00-01:23");
    assert.equal(formatInZone(Date.UTC(2026, 0, 1, 0, 0, 5, 250), { kind: "utc" }), "2026-01-01T00:00:05.250+00:00");
    // The two 02:30s of the fall-back night differ only in their offset.
    assert.equal(formatInZone(Date.UTC(2026, 9, 25, 0, 30), ams), "2026-10-25T02:30:00+02:00");
    assert.equal(formatInZone(Date.UTC(2026, 9, 25, 1, 30), ams), "2026-10-25T02:30:00+01:00");
  });

  test("parseIsoInZone: explicit offsets, or the zone's wall clock (first occurrence; after the gap)", () => {
    assert.equal(parseIsoInZone("2026-03-29T02:30:00+01:00", ams), Date.UTC(2026, 2, 29, 1, 30));
    assert.equal(parseIsoInZone("2026-03-29T02:30Z", ams), Date.UTC(2026, 2, 29, 2, 30));
    assert.equal(parseIsoInZone("2026-07-01T14:00", ams), Date.UTC(2026, 6, 1, 12));
    assert.equal(parseIsoInZone("2026-07-01", ams), Date.UTC(2026, 5, 30, 22));
    assert.equal(parseIsoInZone("2026-10-25T02:30", ams), Date.UTC(2026, 9, 25, 0, 30));
    assert.equal(parseIsoInZone("2026-03-29T02:30", ams), Date.UTC(2026, 2, 29, 1));
    assert.equal(parseIsoInZone("2026-02-30T00:00", ams), undefined);
    assert.equal(parseIsoInZone("tomorrow", ams), undefined);
  });
});

describe("describe", () => {
  const d = (mask: string, dialect: "webhare" | "prudence" | "extended" = "webhare") => parseCron(mask, dialect).schedule!.describe();

  test("times, steps and days in English", () => {
    assert.equal(d("0 15 * * 1"), "At 15:00 on Monday");
    assert.equal(d("*/5 * * * *"), "Every 5 minutes");
    assert.equal(d("*/30 * * * *"), "Every 30 minutes");
    assert.equal(d("* * * * *"), "Every minute");
    assert.equal(d("13 0 * * *"), "At 00:13 every day");
    assert.equal(d("29 * * * *"), "At minute 29 past every hour");
    assert.equal(d("35 0,3,6 * * *"), "At 00:35, 03:35 and 06:35 every day");
    assert.equal(d("19 */6 * * *"), "At 00:19, 06:19, 12:19 and 18:19 every day");
    assert.equal(d("0 9-17 * * 1-5", "extended"), "Every hour from 09:00 to 17:00 on Monday through Friday");
    assert.equal(d("*/5 5-7 * * *|*/30 0-4,8-23 * * *", "prudence"), "Every 5 minutes between 05:00 and 07:59; and every 30 minutes between 00:00 and 04:59 and between 08:00 and 23:59");
    assert.equal(d("59 23 * * tue,fri", "prudence"), "At 23:59 on Tuesday and Friday");
    assert.equal(d("0 12 L * *", "prudence"), "At 12:00 on the last day of the month");
    assert.equal(d("0 0 29 2 *"), "At 00:00 on February 29");
    assert.equal(d("0 0 13 * 5"), "At 00:00 on day 13 of the month and on every Friday");
    assert.equal(d("0 0 13 * fri", "prudence"), "At 00:00 on day 13 of the month, if it is a Friday");
    assert.equal(d("@weekly", "extended"), "At 00:00 on Sunday");
    assert.equal(d("* 3 * * *"), "Every minute between 03:00 and 03:59");
    // Steps that do not divide the hour or the day show where the series restarts.
    assert.equal(d("*/7 * * * *"), "Every 7 minutes (at :00, :07, …, :56), every hour");
    assert.equal(d("1-59/2 * * * *", "prudence"), "Every 2 minutes (at :01, :03, …, :59), every hour");
    assert.equal(d("*/7 9-17 * * 1-5", "prudence"), "Every 7 minutes (at :00, :07, …, :56) between 09:00 and 17:59 on Monday through Friday");
    assert.equal(d("0 */2 * * *"), "Every 2 hours, at 00:00, 02:00, …, 22:00");
    assert.equal(d("0 1-23/2 * * *", "prudence"), "Every 2 hours, at 01:00, 03:00, …, 23:00");
    assert.equal(d("*/10 */2 * * *"), "Every 10 minutes in every 2nd hour (00:00-00:59, 02:00-02:59, …, 22:00-22:59)");
    assert.equal(d("5,35 */2 * * *"), "At minutes 5 and 35 past every 2nd hour (00:00, 02:00, …, 22:00)");
    assert.equal(d("0 9-11,14-17 * * *", "prudence"), "Every hour from 09:00 to 11:00 and from 14:00 to 17:00");
    assert.equal(d("30 1,2,5,9,10,20,21 * * *"), "At minute 30 past hours 1, 2, 5, 9, 10, 20 and 21");
    assert.equal(d("5,35 9-17 * * *", "prudence"), "At minutes 5 and 35 past every hour between 09:00 and 17:59");
    assert.equal(d("0 4 * 1,7 *"), "At 04:00 every day in January and July");
    assert.equal(d("0 0 1 1 *"), "At 00:00 on January 1");
    assert.equal(d("0 0 L 2 *", "prudence"), "At 00:00 on the last day of February");
  });

  test("describeCron adds the zone", () => {
    const s = parseCron("0 15 * * 1", "webhare").schedule!;
    assert.equal(describeCron(s, ams), "At 15:00 on Monday, Europe/Amsterdam");
    assert.equal(describeCron(s, { kind: "utc" }), "At 15:00 on Monday, UTC");
    assert.equal(describeCron(s, { kind: "maintenance", offsetMinutes: 83 }), "At 15:00 on Monday, maintenance zone (UTC-01:23: runs 83 min after UTC)");
    assert.equal(describeCron(s), "At 15:00 on Monday");
  });
});

describe("zoneWarnings", () => {
  const from = Date.UTC(2026, 0, 1);

  test("a fixed time in the spring-forward gap and in the fall-back overlap", () => {
    const mask = "30 2 * * *";
    const w = zoneWarnings(parseCron(mask, "webhare").schedule!, ams, from);
    assert.deepEqual(
      w.map((f) => [f.code, f.severity, f.span.start, f.span.end]),
      [
        ["cron-dst-gap", "warning", 3, 4],
        ["cron-dst-overlap", "warning", 3, 4],
      ],
    );
    assert.equal(mask.slice(w[0]!.span.start, w[0]!.span.end), "2");
    assert.match(w[0]!.message, /^02:30 does not exist in Europe\/Amsterdam on 2026-03-29 \(clocks jump from 02:00 to 03:00\): the task runs once at 03:00 instead/);
    assert.match(w[1]!.message, /^02:30 occurs twice in Europe\/Amsterdam on 2026-10-25 \(clocks go back from 03:00 to 02:00\): the task runs once, at the first 02:30 \(\+02:00\)/);
  });

  test("nothing for hourly masks, times outside the transitions, fixed zones", () => {
    assert.deepEqual(zoneWarnings(parseCron("30 * * * *", "webhare").schedule!, ams, from), []);
    assert.deepEqual(zoneWarnings(parseCron("0 15 * * 1", "webhare").schedule!, ams, from), []);
    assert.deepEqual(zoneWarnings(parseCron("30 2 * * *", "webhare").schedule!, { kind: "utc" }, from), []);
    assert.deepEqual(zoneWarnings(parseCron("30 2 * * *", "webhare").schedule!, { kind: "iana", name: "Asia/Kolkata" }, from), []);
    // Sunday 02:30 meets the Amsterdam transitions (always on Sundays); Monday 02:30 never does.
    assert.equal(zoneWarnings(parseCron("30 2 * * 0", "webhare").schedule!, ams, from).length, 2);
    assert.equal(zoneWarnings(parseCron("30 2 * * 1", "webhare").schedule!, ams, from).length, 0);
  });

  test("the span is the hour field of the alternative that hits the transition", () => {
    const mask = "0 12 * * *|30 2 * * *";
    const w = zoneWarnings(parseCron(mask, "prudence").schedule!, ams, from);
    assert.equal(w.length, 2);
    assert.equal(mask.slice(w[0]!.span.start, w[0]!.span.end), "2");
    assert.equal(w[0]!.span.start, 14);
    // Midnight transitions in Santiago: 00:30 is in the gap.
    const s = zoneWarnings(parseCron("30 0 * * *", "webhare").schedule!, { kind: "iana", name: "America/Santiago" }, from);
    assert.deepEqual(s.map((f) => f.code), ["cron-dst-gap"]);
  });
});
