import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatInZone, parseCron, type CronDialect, type Zone } from "../../runtime/src/cron";

const UTC: Zone = { kind: "utc" };
const iana = (name: string): Zone => ({ kind: "iana", name });

/** The next `count` runs after `from`, as UTC ISO strings (so expectations are unambiguous instants). */
function runs(mask: string, zone: Zone, from: string, count: number, dialect: CronDialect = "webhare"): string[] {
  const c = parseCron(mask, dialect);
  assert.ok(c.schedule, `${mask}: ${JSON.stringify(c.issues)}`);
  return c.schedule.nextRuns(Date.parse(from), zone, count).map((t) => new Date(t).toISOString().replace(":00.000Z", "Z"));
}

describe("WebHare's documented examples", () => {
  test("13 0 * * * runs at 00:13 UTC", () => {
    assert.deepEqual(runs("13 0 * * *", UTC, "2026-01-01T00:00:00Z", 3), ["2026-01-01T00:13Z", "2026-01-02T00:13Z", "2026-01-03T00:13Z"]);
    // Strictly after: from the run itself, the next day.
    assert.deepEqual(runs("13 0 * * *", UTC, "2026-01-01T00:13:00Z", 1), ["2026-01-02T00:13Z"]);
    assert.deepEqual(runs("13 0 * * *", UTC, "2026-01-01T00:12:59.999Z", 1), ["2026-01-01T00:13Z"]);
  });

  test("0 15 * * 1 in Europe/Amsterdam: 14:00Z in winter, 13:00Z in summer, across both changes", () => {
    const z = iana("Europe/Amsterdam");
    assert.deepEqual(runs("0 15 * * 1", z, "2026-03-20T00:00:00Z", 2), ["2026-03-23T14:00Z", "2026-03-30T13:00Z"]);
    assert.deepEqual(runs("0 15 * * 1", z, "2026-10-17T00:00:00Z", 2), ["2026-10-19T13:00Z", "2026-10-26T14:00Z"]);
    const c = parseCron("0 15 * * 1", "webhare").schedule!;
    assert.equal(formatInZone(c.next(Date.parse("2026-03-24T00:00:00Z"), z)!, z), "2026-03-30T15:00:00+02:00");
  });

  test("45 0 * * * in the maintenance zone: next_UTC(now − offset) + offset", () => {
    const z: Zone = { kind: "maintenance", offsetMinutes: 83 };
    assert.deepEqual(runs("45 0 * * *", z, "2026-01-01T00:00:00Z", 2), ["2026-01-01T02:08Z", "2026-01-02T02:08Z"]);
    assert.deepEqual(runs("45 0 * * *", z, "2026-01-01T02:07:00Z", 1), ["2026-01-01T02:08Z"]);
    assert.deepEqual(runs("45 0 * * *", z, "2026-01-01T02:08:00Z", 1), ["2026-01-02T02:08Z"]);
    // Offset 0 is plain UTC; the largest offset wraps past midnight.
    assert.deepEqual(runs("45 0 * * *", { kind: "maintenance", offsetMinutes: 0 }, "2026-01-01T00:00:00Z", 1), ["2026-01-01T00:45Z"]);
    // 1439: now − offset is 2025-12-31T00:01Z, next UTC 00:45 that day, + 1439 min = 2026-01-01T00:44Z.
    assert.deepEqual(runs("45 0 * * *", { kind: "maintenance", offsetMinutes: 1439 }, "2026-01-01T00:00:00Z", 1), ["2026-01-01T00:44Z"]);
    // The same formula, computed independently for a spread of offsets and start times.
    const s = parseCron("45 0 * * *", "webhare").schedule!;
    for (let offset = 0; offset < 1440; offset += 37) {
      for (let now = Date.UTC(2026, 0, 1); now < Date.UTC(2026, 0, 4); now += 7 * 3_600_000 + 13_000) {
        const shifted: number = s.next(now - offset * 60_000, UTC)! + offset * 60_000;
        assert.equal(s.next(now, { kind: "maintenance", offsetMinutes: offset }), shifted);
      }
    }
  });

  test("0 0 29 2 *: the next leap day (2028 from 2026)", () => {
    assert.deepEqual(runs("0 0 29 2 *", UTC, "2026-01-01T00:00:00Z", 2), ["2028-02-29T00:00Z", "2032-02-29T00:00Z"]);
    // 2100 is not a leap year.
    assert.deepEqual(runs("0 0 29 2 *", UTC, "2096-03-01T00:00:00Z", 1), ["2104-02-29T00:00Z"]);
  });

  test("4 5 30 2 * is an error, so there is no schedule", () => {
    const c = parseCron("4 5 30 2 *", "webhare");
    assert.equal(c.schedule, undefined);
    assert.equal(c.issues[0]?.code, "cron-no-match");
  });

  test("day of month OR day of week (WebHare rule)", () => {
    // The 13th and every Friday. 2026-02-13 is a Friday, 2026-03-13 too.
    assert.deepEqual(runs("0 0 13 * 5", UTC, "2026-02-01T00:00:00Z", 4), ["2026-02-06T00:00Z", "2026-02-13T00:00Z", "2026-02-20T00:00Z", "2026-02-27T00:00Z"]);
    assert.deepEqual(runs("0 0 1 * 3", UTC, "2026-04-01T00:00:00Z", 3), ["2026-04-08T00:00Z", "2026-04-15T00:00Z", "2026-04-22T00:00Z"]);
  });

  test("we compute the right time where WebHare's own loop does not", () => {
    // `0 * * * 1` from Sunday 15:20: WebHare says Monday 16:00; the first matching minute is Monday 00:00.
    assert.deepEqual(runs("0 * * * 1", UTC, "2026-01-04T15:20:00Z", 2), ["2026-01-05T00:00Z", "2026-01-05T01:00Z"]);
    // `*/1` reaches minute 59 and December.
    assert.deepEqual(runs("*/1 23 31 */1 *", UTC, "2026-12-31T23:57:00Z", 2), ["2026-12-31T23:58Z", "2026-12-31T23:59Z"]);
  });
});

describe("Prudence's examples (cron4j semantics)", () => {
  test("*/5 5-7 * * *|*/30 0-4,8-23 * * *: every 5 minutes from 05:00 to 07:55, else every 30", () => {
    assert.deepEqual(runs("*/5 5-7 * * *|*/30 0-4,8-23 * * *", UTC, "2026-01-01T04:00:00Z", 4, "prudence"), ["2026-01-01T04:30Z", "2026-01-01T05:00Z", "2026-01-01T05:05Z", "2026-01-01T05:10Z"]);
    assert.deepEqual(runs("*/5 5-7 * * *|*/30 0-4,8-23 * * *", UTC, "2026-01-01T07:50:00Z", 4, "prudence"), ["2026-01-01T07:55Z", "2026-01-01T08:00Z", "2026-01-01T08:30Z", "2026-01-01T09:00Z"]);
    // 10 + 36 + 32 runs a day, each once.
    const day = runs("*/5 5-7 * * *|*/30 0-4,8-23 * * *", UTC, "2025-12-31T23:59:00Z", 200, "prudence").filter((t) => t.startsWith("2026-01-01"));
    assert.equal(day.length, 78);
    assert.equal(new Set(day).size, 78);
    // The manual's "one added to all minutes" variant.
    assert.deepEqual(runs("1,6,11,16,21,26,31,36,41,46,51,56 5-7 * * *|1,31 0-4,8-23 * * *", UTC, "2026-01-01T04:00:00Z", 4, "prudence"), ["2026-01-01T04:01Z", "2026-01-01T04:31Z", "2026-01-01T05:01Z", "2026-01-01T05:06Z"]);
  });

  test("a minute matched by two alternatives runs once", () => {
    assert.deepEqual(runs("0 * * * *|0 */2 * * *", UTC, "2026-01-01T00:30:00Z", 4, "prudence"), ["2026-01-01T01:00Z", "2026-01-01T02:00Z", "2026-01-01T03:00Z", "2026-01-01T04:00Z"]);
    assert.deepEqual(runs("0,30 * * * *|*/30 * * * *", UTC, "2026-01-01T00:00:00Z", 3, "prudence"), ["2026-01-01T00:30Z", "2026-01-01T01:00Z", "2026-01-01T01:30Z"]);
    assert.deepEqual(runs("0 5 * * *|8 10 * * *|22 17 * * *", UTC, "2026-01-01T00:00:00Z", 4, "prudence"), ["2026-01-01T05:00Z", "2026-01-01T10:08Z", "2026-01-01T17:22Z", "2026-01-02T05:00Z"]);
  });

  test("59 23 * * tue,fri", () => {
    // 2026-01-01 is a Thursday.
    assert.deepEqual(runs("59 23 * * tue,fri", UTC, "2026-01-01T00:00:00Z", 3, "prudence"), ["2026-01-02T23:59Z", "2026-01-06T23:59Z", "2026-01-09T23:59Z"]);
  });

  test("L: the last day of each month, February in leap and common years", () => {
    assert.deepEqual(runs("0 12 L * *", UTC, "2028-01-15T00:00:00Z", 4, "prudence"), ["2028-01-31T12:00Z", "2028-02-29T12:00Z", "2028-03-31T12:00Z", "2028-04-30T12:00Z"]);
    assert.deepEqual(runs("0 12 L 2 *", UTC, "2026-01-01T00:00:00Z", 3, "prudence"), ["2026-02-28T12:00Z", "2027-02-28T12:00Z", "2028-02-29T12:00Z"]);
    assert.deepEqual(runs("0 0 15,L * *", UTC, "2026-04-01T00:00:00Z", 3, "prudence"), ["2026-04-15T00:00Z", "2026-04-30T00:00Z", "2026-05-15T00:00Z"]);
  });

  test("day of month AND day of week (cron4j)", () => {
    // Friday the 13th only: 2026-02-13, 2026-03-13, 2026-11-13.
    assert.deepEqual(runs("0 0 13 * fri", UTC, "2026-01-01T00:00:00Z", 3, "prudence"), ["2026-02-13T00:00Z", "2026-03-13T00:00Z", "2026-11-13T00:00Z"]);
    // The last day of the month if it is a Sunday.
    assert.deepEqual(runs("0 0 L * sun", UTC, "2026-01-01T00:00:00Z", 2, "prudence"), ["2026-05-31T00:00Z", "2027-01-31T00:00Z"]);
  });
});

describe("DST policy", () => {
  const ams = iana("Europe/Amsterdam");

  test("gap: a fixed time inside the gap runs once, at the end of the gap", () => {
    // 2026-03-29: 02:00 CET → 03:00 CEST at 01:00Z.
    assert.deepEqual(runs("30 2 * * *", ams, "2026-03-28T12:00:00Z", 2), ["2026-03-29T01:00Z", "2026-03-30T00:30Z"]);
    // Several wall times in the gap and the end of the gap itself: still one run.
    assert.deepEqual(runs("0,30 2,3 * * *", ams, "2026-03-29T00:00:00Z", 3), ["2026-03-29T01:00Z", "2026-03-29T01:30Z", "2026-03-30T00:00Z"]);
    assert.deepEqual(runs("*/15 2 * * *", ams, "2026-03-29T00:00:00Z", 2), ["2026-03-29T01:00Z", "2026-03-30T00:00Z"]);
    // Only that day's skipped wall times count: Sunday 02:00 runs at 03:00 on the change day.
    assert.deepEqual(runs("0 2 * * 0", ams, "2026-03-28T00:00:00Z", 2), ["2026-03-29T01:00Z", "2026-04-05T00:00Z"]);
    // Starting exactly at the transition (just after a run in the last minute before it).
    assert.deepEqual(runs("59 1 * * *|30 2 * * *", ams, "2026-03-29T00:59:00Z", 1, "prudence"), ["2026-03-29T01:00Z"]);
  });

  test("overlap: a fixed time that occurs twice runs once, at its first occurrence", () => {
    // 2026-10-25: 03:00 CEST → 02:00 CET at 01:00Z.
    assert.deepEqual(runs("30 2 * * *", ams, "2026-10-24T12:00:00Z", 2), ["2026-10-25T00:30Z", "2026-10-26T01:30Z"]);
    assert.deepEqual(runs("*/20 2 * * *", ams, "2026-10-25T00:00:00Z", 4), ["2026-10-25T00:20Z", "2026-10-25T00:40Z", "2026-10-26T01:00Z", "2026-10-26T01:20Z"]);
    // A start during the second 02:xx does not bring the repeat back.
    assert.deepEqual(runs("30 2 * * *", ams, "2026-10-25T01:10:00Z", 1), ["2026-10-26T01:30Z"]);
  });

  test("hourly masks follow real time: no hour skipped or repeated", () => {
    // Fall back: 02:30 CEST and 02:30 CET both run, an hour apart.
    assert.deepEqual(runs("30 * * * *", ams, "2026-10-25T00:00:00Z", 4), ["2026-10-25T00:30Z", "2026-10-25T01:30Z", "2026-10-25T02:30Z", "2026-10-25T03:30Z"]);
    // Spring forward: 01:30 CET, then 03:30 CEST one hour later; no extra run at 03:00.
    assert.deepEqual(runs("30 * * * *", ams, "2026-03-29T00:00:00Z", 3), ["2026-03-29T00:30Z", "2026-03-29T01:30Z", "2026-03-29T02:30Z"]);
    assert.deepEqual(runs("*/20 * * * *", ams, "2026-03-29T00:30:00Z", 4), ["2026-03-29T00:40Z", "2026-03-29T01:00Z", "2026-03-29T01:20Z", "2026-03-29T01:40Z"]);
  });

  test("America/New_York", () => {
    const z = iana("America/New_York");
    // 2026-03-08 02:00 EST → 03:00 EDT (07:00Z); 2026-11-01 02:00 EDT → 01:00 EST (06:00Z).
    assert.deepEqual(runs("30 2 * * *", z, "2026-03-07T12:00:00Z", 2), ["2026-03-08T07:00Z", "2026-03-09T06:30Z"]);
    assert.deepEqual(runs("30 1 * * *", z, "2026-10-31T12:00:00Z", 2), ["2026-11-01T05:30Z", "2026-11-02T06:30Z"]);
  });

  test("transitions at midnight: America/Santiago", () => {
    const z = iana("America/Santiago");
    // 2026-09-06: Saturday 24:00 (-04) → Sunday 01:00 (-03) at 04:00Z; Sunday 00:xx does not exist.
    assert.deepEqual(runs("30 0 * * *", z, "2026-09-05T12:00:00Z", 2), ["2026-09-06T04:00Z", "2026-09-07T03:30Z"]);
    assert.deepEqual(runs("0 0 * * 0", z, "2026-09-01T00:00:00Z", 2), ["2026-09-06T04:00Z", "2026-09-13T03:00Z"]);
    // 2026-04-05: Sunday 00:00 (-03) → Saturday 23:00 (-04) at 03:00Z; Saturday 23:30 happens twice.
    assert.deepEqual(runs("30 23 * * *", z, "2026-04-04T12:00:00Z", 2), ["2026-04-05T02:30Z", "2026-04-06T03:30Z"]);
    // Saturday 23:30 by weekday too (the repeat is still Saturday on the wall clock).
    assert.deepEqual(runs("30 23 * * 6", z, "2026-04-04T12:00:00Z", 2), ["2026-04-05T02:30Z", "2026-04-12T03:30Z"]);
  });

  test("transitions at midnight: Africa/Cairo", () => {
    const z = iana("Africa/Cairo");
    // 2026-04-24 00:00 (+02) → 01:00 (+03) at 2026-04-23T22:00Z.
    assert.deepEqual(runs("15 0 * * *", z, "2026-04-23T12:00:00Z", 2), ["2026-04-23T22:00Z", "2026-04-24T21:15Z"]);
    // 2026-10-29 24:00 (+03) → 23:00 (+02) at 21:00Z; 23:15 happens twice.
    assert.deepEqual(runs("15 23 * * *", z, "2026-10-29T12:00:00Z", 2), ["2026-10-29T20:15Z", "2026-10-30T21:15Z"]);
  });

  test("30-minute shifts: Australia/Lord_Howe", () => {
    const z = iana("Australia/Lord_Howe");
    // 2026-10-04 02:00 (+10:30) → 02:30 (+11) at 2026-10-03T15:30Z.
    assert.deepEqual(runs("15 2 * * *", z, "2026-10-03T12:00:00Z", 2), ["2026-10-03T15:30Z", "2026-10-04T15:15Z"]);
    // An hourly mask follows real time: 01:15, (02:15 does not exist), 03:15.
    assert.deepEqual(runs("15 * * * *", z, "2026-10-03T14:00:00Z", 3), ["2026-10-03T14:45Z", "2026-10-03T16:15Z", "2026-10-03T17:15Z"]);
    // 2026-04-05 02:00 (+11) → 01:30 (+10:30) at 2026-04-04T15:00Z; 01:45 happens twice.
    assert.deepEqual(runs("45 1 * * *", z, "2026-04-04T12:00:00Z", 2), ["2026-04-04T14:45Z", "2026-04-05T15:15Z"]);
    // Hourly: both 01:45s run (30 minutes of real time apart), then 02:45 (+10:30).
    assert.deepEqual(runs("45 * * * *", z, "2026-04-04T14:00:00Z", 3), ["2026-04-04T14:45Z", "2026-04-04T15:15Z", "2026-04-04T16:15Z"]);
  });

  test("45-minute offsets: Pacific/Chatham (+12:45/+13:45)", () => {
    const z = iana("Pacific/Chatham");
    // 2026-09-27 02:45 (+12:45) → 03:45 (+13:45) at 2026-09-26T14:00Z.
    assert.deepEqual(runs("0 3 * * *", z, "2026-09-26T00:00:00Z", 2), ["2026-09-26T14:00Z", "2026-09-27T13:15Z"]);
    const c = parseCron("0 3 * * *", "webhare").schedule!;
    assert.equal(formatInZone(c.next(Date.parse("2026-09-26T00:00:00Z"), z)!, z), "2026-09-27T03:45:00+13:45");
    assert.equal(formatInZone(c.next(Date.parse("2026-09-26T14:00:00Z"), z)!, z), "2026-09-28T03:00:00+13:45");
  });

  test("no DST: Asia/Kolkata is a fixed +05:30", () => {
    const z = iana("Asia/Kolkata");
    assert.deepEqual(runs("30 2 * * *", z, "2026-03-28T00:00:00Z", 2), ["2026-03-28T21:00Z", "2026-03-29T21:00Z"]);
    assert.deepEqual(runs("30 2 * * *", z, "2026-10-24T00:00:00Z", 2), ["2026-10-24T21:00Z", "2026-10-25T21:00Z"]);
  });
});

describe("next() edges", () => {
  test("results are whole minutes strictly after the start, also for odd starts", () => {
    const s = parseCron("* * * * *", "webhare").schedule!;
    assert.equal(s.next(Date.UTC(2026, 0, 1, 0, 0, 0, 0), UTC), Date.UTC(2026, 0, 1, 0, 1));
    assert.equal(s.next(Date.UTC(2026, 0, 1, 0, 0, 59, 999), UTC), Date.UTC(2026, 0, 1, 0, 1));
    assert.equal(s.next(-1, UTC), 0);
    assert.equal(s.next(Number.NaN, UTC), undefined);
    assert.deepEqual(s.nextRuns(0, UTC, 0), []);
  });

  test("before 1970 and far in the future", () => {
    assert.deepEqual(runs("0 12 1 1 *", UTC, "1969-06-01T00:00:00Z", 2), ["1970-01-01T12:00Z", "1971-01-01T12:00Z"]);
    assert.deepEqual(runs("0 0 29 2 1", UTC, "2026-01-01T00:00:00Z", 1, "prudence"), ["2044-02-29T00:00Z"]);
    assert.deepEqual(runs("0 12 * * *", iana("Europe/Amsterdam"), "2999-06-01T00:00:00Z", 1), ["2999-06-01T10:00Z"]);
  });

  test("an unknown IANA zone throws a RangeError (validate with resolveRunTz first)", () => {
    const s = parseCron("0 0 * * *", "webhare").schedule!;
    assert.throws(() => s.next(0, iana("Mars/Olympus_Mons")), RangeError);
  });
});
