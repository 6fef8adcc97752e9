/**
 * A second, external opinion on field semantics: in UTC (no DST, where the policies cannot
 * differ) the extended dialect must agree with cron-parser on masks both read the same way.
 * Excluded: masks where day of month and day of week are both restricted (cron-parser's OR
 * rule does not follow Vixie's "starts with *" detail), and a/n steps.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CronExpressionParser } from "cron-parser";
import { parseCron } from "../../runtime/src/cron";
import { generateMasks } from "./oracle-lib";

test("the extended dialect agrees with cron-parser 5 in UTC", () => {
  const masks = generateMasks("extended", 777, 600).map((m) => m.text);
  let compared = 0;
  const failures: string[] = [];
  for (const mask of masks) {
    const fields = mask.trim().split(/\s+/);
    if (fields.length !== 5) continue;
    if (fields.some((f) => /^\d+\/\d+$/.test(f) || /(^|,)\d+\/\d+/.test(f))) continue;
    if (fields[2] !== "*" && fields[4] !== "*") continue;
    const s = parseCron(mask, "extended").schedule!;
    let theirs: number[];
    try {
      const e = CronExpressionParser.parse(fields.join(" "), { currentDate: new Date(Date.UTC(2026, 0, 1, 0, 0, 30)), tz: "UTC" });
      theirs = Array.from({ length: 5 }, () => e.next().getTime());
    } catch {
      continue; // cron-parser rejects or gives up on it: nothing to compare
    }
    const ours = s.nextRuns(Date.UTC(2026, 0, 1, 0, 0, 30), { kind: "utc" }, 5);
    compared++;
    if (ours.join() !== theirs.join()) failures.push(`${JSON.stringify(mask)}: ours ${ours.map((t) => new Date(t).toISOString())} theirs ${theirs.map((t) => new Date(t).toISOString())}`);
  }
  assert.deepEqual(failures, []);
  assert.ok(compared > 200, `only ${compared} masks compared`);
});
