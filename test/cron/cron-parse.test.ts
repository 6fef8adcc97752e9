import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseCron, type CronDialect } from "../../runtime/src/cron";
import type { Finding } from "../../runtime/src/text/finding";

/** The one finding with this code (fails if there is not exactly one). */
function only(mask: string, dialect: CronDialect, code: string): Finding {
  const found = parseCron(mask, dialect).issues.filter((f) => f.code === code);
  assert.equal(found.length, 1, `${JSON.stringify(mask)} (${dialect}): expected one ${code}, got ${JSON.stringify(parseCron(mask, dialect).issues)}`);
  return found[0]!;
}

/** Asserts code, severity, the exact span (as [start, end] and as the text it covers), and optionally message and replacement. */
function expectIssue(mask: string, dialect: CronDialect, code: string, span: [number, number], covered: string, opts: { severity?: string; message?: string | RegExp; replacement?: string | null } = {}): Finding {
  const f = only(mask, dialect, code);
  assert.deepEqual([f.span.start, f.span.end], span, `span of ${code} in ${JSON.stringify(mask)}`);
  assert.equal(mask.slice(f.span.start, f.span.end), covered);
  assert.equal(f.severity, opts.severity ?? "error");
  if (typeof opts.message === "string") assert.equal(f.message, opts.message);
  else if (opts.message) assert.match(f.message, opts.message);
  if (opts.replacement === null) assert.equal(f.data?.replacement, undefined);
  else if (opts.replacement !== undefined) assert.equal(f.data?.replacement, opts.replacement);
  return f;
}

function errors(mask: string, dialect: CronDialect): Finding[] {
  return parseCron(mask, dialect).issues.filter((f) => f.severity === "error");
}

describe("webhare dialect: what WebHare rejects is an error at the exact span", () => {
  test("out of range values name the field and its range", () => {
    expectIssue("13 24 * * *", "webhare", "cron-out-of-range", [3, 5], "24", { message: "hour 24 is out of range 0-23" });
    expectIssue("60 0 * * *", "webhare", "cron-out-of-range", [0, 2], "60", { message: "minute 60 is out of range 0-59" });
    expectIssue("0 0 0 * *", "webhare", "cron-out-of-range", [4, 5], "0", { message: "day of month 0 is out of range 1-31" });
    expectIssue("0 0 * 13 *", "webhare", "cron-out-of-range", [6, 8], "13", { message: "month 13 is out of range 1-12" });
    expectIssue("0 0 * * 8", "webhare", "cron-out-of-range", [8, 9], "8", { message: "day of week 8 is out of range 0-7" });
    expectIssue("0 1,2,99 * * *", "webhare", "cron-out-of-range", [6, 8], "99");
  });

  test("ranges: error with the equivalent list as the fix", () => {
    expectIssue("0 0 * * 1-5", "webhare", "cron-unsupported-syntax", [8, 11], "1-5", { message: "range '1-5' in the day of week field (0-7) is not supported by WebHare (use 1,2,3,4,5)", replacement: "1,2,3,4,5" });
    expectIssue("0 9-17/4 * * *", "webhare", "cron-unsupported-syntax", [2, 8], "9-17/4", { replacement: "9,13,17" });
    expectIssue("0 0 * * MON-FRI", "webhare", "cron-unsupported-syntax", [8, 15], "MON-FRI", { replacement: "1,2,3,4,5" });
    // A whole-field range of every minute is just `*`.
    expectIssue("0-59 0 * * *", "webhare", "cron-unsupported-syntax", [0, 4], "0-59", { replacement: "*" });
    // ... but not in day of month, where `*` would change the OR rule.
    expectIssue("0 0 1-31 * 1", "webhare", "cron-unsupported-syntax", [4, 8], "1-31", { replacement: Array.from({ length: 31 }, (_, i) => i + 1).join(",") });
  });

  test("names: error with the number as the fix", () => {
    expectIssue("0 0 * * MON", "webhare", "cron-unsupported-syntax", [8, 11], "MON", { message: "day of week 'MON' is not supported by WebHare (use 1): the day of week field (0-7) takes numbers only", replacement: "1" });
    expectIssue("0 0 * jan *", "webhare", "cron-unsupported-syntax", [6, 9], "jan", { message: "month 'jan' is not supported by WebHare (use 1): the month field (1-12) takes numbers only", replacement: "1" });
  });

  test("L, W, #, ? and nicknames", () => {
    expectIssue("0 0 L * *", "webhare", "cron-unsupported-syntax", [4, 5], "L", { message: "'L' (last day of the month) in the day of month field (1-31) is not supported by WebHare", replacement: null });
    expectIssue("0 0 15W * *", "webhare", "cron-unsupported-syntax", [4, 7], "15W", { message: /'W' \(nearest weekday\) in the day of month field \(1-31\) is not supported by WebHare/ });
    expectIssue("0 0 * * 5#2", "webhare", "cron-unsupported-syntax", [8, 11], "5#2", { message: /'#' \(nth weekday of the month\) in the day of week field \(0-7\) is not supported by WebHare/ });
    expectIssue("0 0 ? * 1", "webhare", "cron-unsupported-syntax", [4, 5], "?", { replacement: "*" });
    expectIssue("0 0 * * 5L", "webhare", "cron-unsupported-syntax", [8, 10], "5L", { message: /last weekday of the month/ });
    expectIssue("@daily", "webhare", "cron-unsupported-syntax", [0, 6], "@daily", { message: "'@daily' is not supported by WebHare (use 0 0 * * *)", replacement: "0 0 * * *" });
    expectIssue("  @weekly ", "webhare", "cron-unsupported-syntax", [2, 9], "@weekly", { replacement: "0 0 * * 0" });
    expectIssue("@reboot", "webhare", "cron-unsupported-syntax", [0, 7], "@reboot", { replacement: null });
    expectIssue("@dayly", "extended", "cron-syntax", [0, 6], "@dayly", { message: /did you mean '@daily'/, replacement: "@daily" });
  });

  test("field count", () => {
    expectIssue("0 0 * * * *", "webhare", "cron-field-count", [10, 11], "*", { message: "the mask has 6 fields; WebHare masks have exactly 5" });
    expectIssue("0 0 * * * 2026 x", "webhare", "cron-field-count", [10, 16], "2026 x", { message: /^the mask has 7 fields; WebHare masks have exactly 5$/ });
    expectIssue(" 0 0 * * ", "webhare", "cron-field-count", [1, 8], "0 0 * *", { message: "the mask has 4 fields; WebHare masks have exactly 5" });
    expectIssue("0 0 * *", "prudence", "cron-field-count", [0, 7], "0 0 * *", { message: "the mask has 4 fields; cron4j patterns have exactly 5" });
    expectIssue("0 0 * * *|0 0 *", "prudence", "cron-field-count", [10, 15], "0 0 *", { message: "pattern 2 of the mask has 3 fields; cron4j patterns have exactly 5" });
  });

  test("steps", () => {
    expectIssue("*/0 * * * *", "webhare", "cron-step-zero", [2, 3], "0", { message: "step 0 in minute field (0-59)" });
    expectIssue("0 */24 * * *", "webhare", "cron-out-of-range", [4, 6], "24", { message: "step 24 in hour field is out of range 1-23" });
    expectIssue("*/ * * * *", "webhare", "cron-syntax", [1, 2], "/", { message: "'/' must be followed by a step in the minute field (0-59)" });
    expectIssue("0 1-5/0 * * *", "extended", "cron-step-zero", [6, 7], "0");
  });

  test("lists: WebHare takes numbers only", () => {
    expectIssue("*,5 * * * *", "webhare", "cron-unsupported-syntax", [0, 1], "*", { message: "'*' in a list in the minute field (0-59) is not supported by WebHare (use '*' alone)" });
    expectIssue("*/20,5 * * * *", "webhare", "cron-unsupported-syntax", [0, 4], "*/20", { replacement: "0,20,40" });
    expectIssue("1,,2 * * * *", "webhare", "cron-syntax", [2, 3], ",", { message: "empty list item in the minute field (0-59)" });
    expectIssue("1, * * * *", "webhare", "cron-syntax", [1, 2], ",");
    assert.deepEqual(errors("*,5 * * * *", "extended"), []);
  });

  test("garbage", () => {
    expectIssue("0 x * * *", "webhare", "cron-syntax", [2, 3], "x", { message: "unexpected 'x' in the hour field (expected a number 0-23)" });
    expectIssue("0 1.5 * * *", "webhare", "cron-syntax", [3, 4], ".", { message: "unexpected character '.' in the hour field (0-23)" });
    expectIssue("-1 0 * * *", "webhare", "cron-syntax", [0, 1], "-");
    expectIssue("0 0 * * 1|2", "webhare", "cron-unsupported-syntax", [9, 10], "|");
    expectIssue("0 0 * * 1-", "extended", "cron-syntax", [9, 10], "-", { message: "'-' must be followed by the end of the range in the day of week field (0-7)" });
  });

  test("empty mask", () => {
    expectIssue("", "webhare", "cron-empty", [0, 0], "");
    expectIssue("   ", "webhare", "cron-empty", [0, 3], "   ");
    assert.equal(parseCron("", "webhare").schedule, undefined);
  });

  test("impossible dates", () => {
    expectIssue("4 5 30 2 *", "webhare", "cron-no-match", [4, 6], "30", { message: "no date matches: February has no day 30" });
    expectIssue("0 0 31 4,6 *", "webhare", "cron-no-match", [4, 6], "31", { message: "no date matches: April and June have no day 31" });
    expectIssue("0 0 30,31 2 *", "prudence", "cron-no-match", [4, 9], "30,31", { message: "no date matches: February has no day 30 or 31" });
    // Leap days and the OR rule are possible.
    assert.deepEqual(errors("0 0 29 2 *", "webhare"), []);
    assert.deepEqual(errors("0 0 30 2 1", "webhare").length, 0);
    // cron4j ANDs day of week in, but Feb 29 is some weekday in some year: possible.
    assert.deepEqual(errors("0 0 29 2 mon", "prudence"), []);
  });

  test("valid masks from WebHare's own modules have no errors and no warnings", () => {
    for (const m of [" 3  2 * * *", "*/10 * * * *", "*/30 * * * *", "*/5 * * * *", "0 8 * * 1", "17  7 * * 7", "19  */6 * * *", "29  * * * *", "35 0,3,6 * * *", "54 */4 * * *", "13 0 * * *"]) {
      assert.deepEqual(parseCron(m, "webhare").issues, [], m);
    }
  });
});

describe("warnings for legal but suspicious masks", () => {
  test("every minute", () => {
    expectIssue("* * * * *", "webhare", "cron-every-minute", [0, 9], "* * * * *", { severity: "warning" });
    expectIssue("* 3 * * *", "webhare", "cron-every-minute", [0, 1], "*", { severity: "warning", message: /did you mean minute 0/, replacement: "0" });
  });

  test("day of month and day of week both restricted: OR", () => {
    expectIssue("0 0 13 * 5", "webhare", "cron-dom-dow-or", [4, 10], "13 * 5", { severity: "warning", message: /EITHER/ });
    // WebHare counts `*/2` as restricted; Vixie (extended) does not, so no warning there.
    expectIssue("0 0 */2 * 1", "webhare", "cron-dom-dow-or", [4, 11], "*/2 * 1", { severity: "warning" });
    assert.equal(parseCron("0 0 */2 * 1", "extended").issues.filter((f) => f.code === "cron-dom-dow-or").length, 0);
    // cron4j ANDs them: nothing to warn about.
    assert.equal(parseCron("0 0 13 * fri", "prudence").issues.length, 0);
  });

  test("WebHare quirks: */n stopping before the maximum", () => {
    expectIssue("*/1 0 * * *", "webhare", "cron-webhare-quirk", [0, 3], "*/1", { severity: "warning", message: /never runs at minute 59/, replacement: "*" });
    expectIssue("0 0 * */1 *", "webhare", "cron-webhare-quirk", [6, 9], "*/1", { severity: "warning", message: /month 12 \(December\)/, replacement: "*" });
    expectIssue("0 0 */2 * *", "webhare", "cron-webhare-quirk", [4, 7], "*/2", { severity: "warning", message: /day of month 31/, replacement: "1,3,5,7,9,11,13,15,17,19,21,23,25,27,29,31" });
    expectIssue("0 */23 * * *", "webhare", "cron-webhare-quirk", [2, 6], "*/23", { severity: "warning", replacement: "0,23" });
    // Day of week: 7 and 0 are both Sunday, so WebHare dropping 7 changes nothing.
    assert.equal(parseCron("0 0 * * */1", "webhare").issues.length, 0);
    assert.equal(parseCron("*/5 * * * *", "webhare").issues.length, 0);
  });

  test("WebHare quirks: a/n read as */n", () => {
    expectIssue("5/15 * * * *", "webhare", "cron-webhare-quirk", [0, 4], "5/15", { severity: "warning", message: /reads '5\/15' as '\*\/15'/, replacement: "5,20,35,50" });
    const s = parseCron("5/15 * * * *", "webhare").schedule!;
    assert.deepEqual(s.nextRuns(Date.UTC(2026, 0, 1), { kind: "utc" }, 4).map((t) => new Date(t).getUTCMinutes()), [5, 20, 35, 50]);
    assert.equal(parseCron("0/15 * * * *", "webhare").issues.length, 0);
  });

  test("WebHare quirks: the day loop keeping the time of day", () => {
    expectIssue("0 * * * 1", "webhare", "cron-webhare-quirk", [0, 3], "0 *", { severity: "warning", message: /16:00 instead of 00:00/ });
    expectIssue("0,30 3 1 * *", "webhare", "cron-webhare-quirk", [0, 6], "0,30 3", { severity: "warning" });
    // One time of day: nothing to keep.
    assert.equal(parseCron("0 15 * * 1", "webhare").issues.length, 0);
    // Only in the webhare dialect.
    assert.equal(parseCron("0 * * * 1", "extended").issues.length, 0);
  });

  test("cron4j: a/n means just a", () => {
    expectIssue("5/15 * * * *", "prudence", "cron-step-ignored", [0, 4], "5/15", { severity: "warning", replacement: "5-59/15" });
    const s = parseCron("5/15 * * * *", "prudence").schedule!;
    assert.deepEqual(s.nextRuns(Date.UTC(2026, 0, 1), { kind: "utc" }, 2).map((t) => new Date(t).toISOString()), ["2026-01-01T00:05:00.000Z", "2026-01-01T01:05:00.000Z"]);
  });
});

describe("prudence and extended dialects", () => {
  test("names, ranges, steps, case-insensitive", () => {
    for (const d of ["prudence", "extended"] as const) {
      assert.deepEqual(errors("59 23 * * tue,fri", d), []);
      assert.deepEqual(errors("0 9-17/2 * JAN-mar Mon-Fri", d), []);
    }
    expectIssue("0 0 * * monday", "prudence", "cron-unknown-name", [8, 14], "monday", { message: "unknown day of week 'monday' (did you mean MON?); the day of week field takes 0-7 or SUN-SAT", replacement: "MON" });
    expectIssue("0 0 * jnu *", "extended", "cron-unknown-name", [6, 9], "jnu", { replacement: "JUN" });
    expectIssue("0 0 * * xyz", "prudence", "cron-unknown-name", [8, 11], "xyz", { message: "unknown day of week 'xyz' (use sun-sat or 0-7)", replacement: null });
    expectIssue("0 0 * * monday", "webhare", "cron-unknown-name", [8, 14], "monday", { replacement: "1" });
  });

  test("L only in the prudence day of month", () => {
    assert.deepEqual(errors("0 0 L * *", "prudence"), []);
    assert.deepEqual(errors("0 0 1,L * *", "prudence"), []);
    expectIssue("0 0 L * *", "extended", "cron-unsupported-syntax", [4, 5], "L", { message: "'L' (last day of the month) in the day of month field (1-31) is not supported in the extended dialect" });
    expectIssue("0 0 * * L", "prudence", "cron-unsupported-syntax", [8, 9], "L");
    expectIssue("0 0 25-L * *", "prudence", "cron-unsupported-syntax", [4, 8], "25-L", { message: "'L' cannot be part of a range in the day of month field (1-31); use it alone or in a list" });
    expectIssue("0 L * * *", "prudence", "cron-unsupported-syntax", [2, 3], "L");
  });

  test("reversed ranges: cron4j wraps, Vixie rejects", () => {
    const s = parseCron("0 22-2 * * *", "prudence").schedule!;
    assert.deepEqual(
      s.nextRuns(Date.UTC(2026, 0, 1, 12), { kind: "utc" }, 5).map((t) => new Date(t).getUTCHours()),
      [22, 23, 0, 1, 2],
    );
    // A step counts along the wrapped list (cron4j): 22,0,2.
    const st = parseCron("0 22-2/2 * * *", "prudence").schedule!;
    assert.deepEqual(st.nextRuns(Date.UTC(2026, 0, 1, 12), { kind: "utc" }, 3).map((t) => new Date(t).getUTCHours()), [22, 0, 2]);
    expectIssue("0 22-2 * * *", "extended", "cron-reversed-range", [2, 6], "22-2", { message: "range 22-2 in the hour field (0-23) is reversed (use 22-23,0-2)", replacement: "22-23,0-2" });
  });

  test("unions: prudence only, spaces around | allowed", () => {
    assert.deepEqual(errors("*/5 5-7 * * *|*/30 0-4,8-23 * * *", "prudence"), []);
    assert.deepEqual(errors("0 5 * * * | 8 10 * * * |22 17 * * *", "prudence"), []);
    expectIssue("0 0 * * *|", "prudence", "cron-syntax", [9, 10], "|", { message: "empty pattern next to '|'" });
    expectIssue("0 0 * * *|0 0 * * *", "extended", "cron-unsupported-syntax", [9, 10], "|");
  });

  test("nicknames in extended", () => {
    for (const [nick, eq] of [["@yearly", "0 0 1 1 *"], ["@annually", "0 0 1 1 *"], ["@monthly", "0 0 1 * *"], ["@weekly", "0 0 * * 0"], ["@daily", "0 0 * * *"], ["@midnight", "0 0 * * *"], ["@hourly", "0 * * * *"]]) {
      const a = parseCron(nick!, "extended").schedule!;
      const b = parseCron(eq!, "extended").schedule!;
      assert.deepEqual(a.nextRuns(Date.UTC(2026, 1, 3, 4, 5), { kind: "utc" }, 3), b.nextRuns(Date.UTC(2026, 1, 3, 4, 5), { kind: "utc" }, 3), nick);
    }
    expectIssue("@daily 5", "extended", "cron-syntax", [7, 8], "5", { message: "unexpected text after '@daily'" });
    expectIssue("@daily", "prudence", "cron-unsupported-syntax", [0, 6], "@daily", { replacement: "0 0 * * *" });
  });

  test("Vixie: a field starting with * is unrestricted for the OR rule", () => {
    // extended: */2 day of month with a weekday → both must hold (odd days that are Mondays).
    const e = parseCron("0 0 */2 * 1", "extended").schedule!;
    const runs = e.nextRuns(Date.UTC(2026, 0, 1), { kind: "utc" }, 3).map((t) => new Date(t));
    for (const d of runs) {
      assert.equal(d.getUTCDay(), 1);
      assert.equal(d.getUTCDate() % 2, 1);
    }
    // webhare: */2 is restricted → either (the 1st, 3rd, … and every Monday).
    const w = parseCron("0 0 */2 * 1", "webhare").schedule!;
    assert.deepEqual(w.nextRuns(Date.UTC(2026, 0, 1), { kind: "utc" }, 3).map((t) => new Date(t).getUTCDate()), [3, 5, 7]);
  });

  test("day of week 7 is Sunday everywhere", () => {
    for (const d of ["webhare", "prudence", "extended"] as const) {
      const s = parseCron("0 12 * * 7", d).schedule!;
      assert.equal(new Date(s.next(Date.UTC(2026, 0, 1), { kind: "utc" })!).getUTCDay(), 0, d);
    }
    const r = parseCron("0 12 * * 5-7", "extended").schedule!;
    assert.deepEqual(r.nextRuns(Date.UTC(2026, 0, 1), { kind: "utc" }, 3).map((t) => new Date(t).getUTCDay()), [5, 6, 0]);
  });
});

describe("audit fixes", () => {
  test("every field error names its field and the field's range", () => {
    // Each: the mask, the dialect, and the field context its error must carry.
    const cases: [string, CronDialect, string][] = [
      ["0 1-5 * * *", "webhare", "in the hour field (0-23)"],
      ["*/5,7 * * * *", "webhare", "in the minute field (0-59)"],
      ["5/15,7 * * * *", "webhare", "in the minute field (0-59)"],
      ["*,5 * * * *", "webhare", "in the minute field (0-59)"],
      ["0 0 ? * *", "webhare", "in the day of month field (1-31)"],
      ["0 0 L * *", "webhare", "in the day of month field (1-31)"],
      ["0 L * * *", "prudence", "in the hour field (0-23)"],
      ["0 0 * * 5L", "prudence", "in the day of week field (0-7)"],
      ["0 0 15W * *", "webhare", "in the day of month field (1-31)"],
      ["0 0 * * 5#2", "extended", "in the day of week field (0-7)"],
      ["0 0 L/2 * *", "prudence", "in the day of month field (1-31)"],
      ["0 0 25-L * *", "prudence", "in the day of month field (1-31)"],
      ["0 22-2 * * *", "extended", "in the hour field (0-23)"],
      ["0 0 * jan *", "webhare", "the month field (1-12)"],
      ["0 0 * * monday", "prudence", "day of week field takes 0-7 or SUN-SAT"],
      ["1,,2 * * * *", "webhare", "in the minute field (0-59)"],
      ["0 1.5 * * *", "webhare", "in the hour field (0-23)"],
      ["*/ * * * *", "webhare", "in the minute field (0-59)"],
      ["*/0 * * * *", "webhare", "in minute field (0-59)"],
      ["0 x * * *", "webhare", "hour field (expected a number 0-23)"],
      ["0 24 * * *", "webhare", "hour 24 is out of range 0-23"],
      ["0 */24 * * *", "webhare", "in hour field is out of range 1-23"],
    ];
    for (const [mask, dialect, context] of cases) {
      const errs = errors(mask, dialect);
      assert.equal(errs.length, 1, `${mask}: ${JSON.stringify(errs)}`);
      assert.ok(errs[0]!.message.includes(context), `${mask} (${dialect}): '${errs[0]!.message}' lacks '${context}'`);
    }
    // The examples of issue #3 still read as the issue says.
    assert.ok(only("0 0 * * MON", "webhare", "cron-unsupported-syntax").message.startsWith("day of week 'MON' is not supported by WebHare (use 1)"));
    assert.ok(only("*/0 * * * *", "webhare", "cron-step-zero").message.startsWith("step 0 in minute field"));
    assert.equal(only("13 24 * * *", "webhare", "cron-out-of-range").message, "hour 24 is out of range 0-23");
  });

  test("a Quartz mask (seconds first, ?, weekdays 1-7 from Sunday) gets the equivalent 5-field mask as its fix", () => {
    const fixOf = (mask: string, dialect: CronDialect) => {
      const f = only(mask, dialect, "cron-field-count");
      assert.equal(f.message, `the mask has ${mask.split(" ").length} fields; ${dialect === "webhare" ? "WebHare masks have" : dialect === "prudence" ? "cron4j patterns have" : "cron masks have"} exactly 5`);
      const e = f.data?.edits?.[0];
      if (!e) return undefined;
      assert.deepEqual(e.span, { start: 0, end: mask.length });
      assert.equal(f.data!.fixTitle, `Change to '${e.newText}'`);
      return e.newText;
    };
    assert.equal(fixOf("0 0 12 ? * MON", "webhare"), "0 12 * * 1");
    assert.equal(fixOf("0 0 12 ? * MON-FRI", "webhare"), "0 12 * * 1,2,3,4,5");
    assert.equal(fixOf("0 0 12 ? * 2-6", "prudence"), "0 12 * * 1-5");
    assert.equal(fixOf("0 15 10 15 * ?", "webhare"), "15 10 15 * *");
    assert.equal(fixOf("0 0 12 * * ? *", "webhare"), "0 12 * * *");
    // Nothing equivalent: seconds other than 0, a year, Quartz-only syntax.
    assert.equal(fixOf("30 0 12 * * ?", "webhare"), undefined);
    assert.equal(fixOf("0 0 12 * * ? 2026", "webhare"), undefined);
    assert.equal(fixOf("0 0 12 ? * 6L", "webhare"), undefined);
    // The fix runs at the Quartz mask's times: Mondays at 12:00.
    const s = parseCron(fixOf("0 0 12 ? * MON", "webhare")!, "webhare").schedule!;
    assert.equal(new Date(s.next(Date.UTC(2026, 0, 1), { kind: "utc" })!).toISOString(), "2026-01-05T12:00:00.000Z");
  });

  test("fix titles quote the replacement", () => {
    assert.equal(only("0 0 * * MON", "webhare", "cron-unsupported-syntax").data?.fixTitle, "Change to '1'");
    assert.equal(only("0 0 * * monday", "prudence", "cron-unknown-name").data?.fixTitle, "Change to 'MON'");
    assert.equal(only("0 0 * * 1-5", "webhare", "cron-unsupported-syntax").data?.fixTitle, "Change to '1,2,3,4,5'");
  });

  test("a | union with one impossible alternative: a warning on that alternative; the others run", () => {
    const mask = "0 0 31 2 *|0 0 L 2 *";
    const c = parseCron(mask, "prudence");
    const f = expectIssue(mask, "prudence", "cron-dead-pattern", [0, 10], "0 0 31 2 *", {
      severity: "warning",
      message: "pattern 1 of 2 never runs: February has no day 31 (the rest of the mask still runs)",
    });
    assert.deepEqual(f.data?.edits, [{ span: { start: 0, end: 11 }, newText: "" }], "the fix removes the alternative and its '|'");
    assert.deepEqual(errors(mask, "prudence"), []);
    assert.deepEqual(
      c.schedule!.nextRuns(Date.UTC(2026, 0, 1), { kind: "utc" }, 3).map((t) => new Date(t).toISOString()),
      ["2026-02-28T00:00:00.000Z", "2027-02-28T00:00:00.000Z", "2028-02-29T00:00:00.000Z"],
    );
    assert.equal(c.schedule!.describe(), "At 00:00 on the last day of February");
    // A dead alternative in the middle: its removal takes the '|' before it.
    const mid = "0 12 * * *| 4 5 30 2 * |0 13 * * *";
    const g = only(mid, "prudence", "cron-dead-pattern");
    assert.equal(mid.slice(g.span.start, g.span.end), "4 5 30 2 *");
    assert.equal(mid.slice(0, g.data!.edits![0]!.span.start) + mid.slice(g.data!.edits![0]!.span.end), "0 12 * * * |0 13 * * *");
    // Every alternative impossible: still an error, at each one's day of month.
    const all = errors("0 0 31 2 *|0 0 30 2 *", "prudence");
    assert.deepEqual(all.map((e) => [e.code, e.message]), [
      ["cron-no-match", "no date matches: February has no day 31"],
      ["cron-no-match", "no date matches: February has no day 30"],
    ]);
    assert.equal(parseCron("0 0 31 2 *|0 0 30 2 *", "prudence").schedule, undefined);
  });

  test("webhare: a non-breaking or other Unicode space between fields is an error at its position", () => {
    const mask = "0\u00a015 * * 1";
    expectIssue(mask, "webhare", "cron-syntax", [1, 2], "\u00a0", {
      message: "a non-breaking space (U+00A0) separates fields here; WebHare separates fields with plain spaces only",
      replacement: " ",
    });
    assert.equal(parseCron(mask, "webhare").schedule, undefined);
    expectIssue("0 15\u2009* * 1", "webhare", "cron-syntax", [4, 5], "\u2009", { message: /a Unicode space \(U\+2009\)/ });
    // Prudence and extended read it as a separator, as before.
    assert.deepEqual(parseCron(mask, "prudence").issues, []);
    assert.deepEqual(parseCron(mask, "extended").issues, []);
    // Tabs are ASCII whitespace: fine everywhere.
    assert.deepEqual(parseCron("0\t15 * * 1", "webhare").issues, []);
  });
});

describe("robustness", () => {
  test("issues are sorted, spans stay inside the mask, schedule iff no error", () => {
    const masks = ["*/0 x 1,,2 ? 1#2", "61 25 32 13 8", "a b c d e", "0 0 * * * * *", "\t0\t0\t*\t*\t*\t"];
    for (const d of ["webhare", "prudence", "extended"] as const) {
      for (const m of masks) {
        const c = parseCron(m, d);
        for (let i = 1; i < c.issues.length; i++) assert.ok(c.issues[i - 1]!.span.start <= c.issues[i]!.span.start);
        for (const f of c.issues) assert.ok(f.span.start >= 0 && f.span.end <= m.length && f.span.start <= f.span.end);
        assert.equal(c.schedule !== undefined, !c.issues.some((f) => f.severity === "error"));
      }
    }
    assert.ok(parseCron("\t0\t0\t*\t*\t*\t", "webhare").schedule);
  });

  test("reports every problem at once", () => {
    const codes = parseCron("*/0 x 1,,2 ? 1#2", "extended").issues.map((f) => f.code);
    assert.deepEqual(codes, ["cron-step-zero", "cron-syntax", "cron-syntax", "cron-unsupported-syntax", "cron-unsupported-syntax"]);
  });

  test("non-string input does not throw", () => {
    assert.equal(parseCron(undefined as unknown as string, "webhare").issues[0]?.code, "cron-empty");
    assert.equal(parseCron(42 as unknown as string, "webhare").issues[0]?.code, "cron-field-count");
  });
});
