/** The engine's field API for editors: the field under the cursor and the values it selects. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fieldValues, maskFieldAt, parseCron } from "../../runtime/src/cron/index";

describe("maskFieldAt", () => {
  it("finds the field under an offset, counting the offset just after it", () => {
    const mask = "*/20 8,12 * * 1";
    assert.deepEqual(maskFieldAt(mask, 0), { index: 0, name: "minute", label: "minute", min: 0, max: 59, pattern: 0, text: "*/20", span: { start: 0, end: 4 } });
    assert.equal(maskFieldAt(mask, 4)?.name, "minute");
    assert.equal(maskFieldAt(mask, 6)?.name, "hour");
    assert.deepEqual(maskFieldAt(mask, 14), { index: 4, name: "dayOfWeek", label: "day of week", min: 0, max: 7, pattern: 0, text: "1", span: { start: 14, end: 15 } });
  });

  it("knows the alternative of a union and tolerates any text", () => {
    const mask = "0 5 * * * | 30 6 * * *";
    assert.deepEqual([maskFieldAt(mask, 15)?.pattern, maskFieldAt(mask, 15)?.name, maskFieldAt(mask, 15)?.text], [1, "hour", "6"]);
    assert.equal(maskFieldAt("1 2 3 4 5 6", 11), undefined);
    assert.equal(maskFieldAt("", 0), undefined);
    assert.equal(maskFieldAt("x\u{1F600} ???", 2)?.name, "minute");
  });
});

describe("fieldValues", () => {
  it("reads the values from the compiled schedule, with names for months and weekdays", () => {
    const s = parseCron("*/20 8,12 * 3,jan 1-5", "prudence").schedule!;
    assert.deepEqual(fieldValues(s, "minute"), { values: [0, 20, 40], every: false, lastDayOfMonth: false, names: ["0", "20", "40"] });
    assert.equal(fieldValues(s, "dayOfMonth")!.every, true);
    assert.deepEqual(fieldValues(s, "month")!.names, ["January", "March"]);
    assert.deepEqual(fieldValues(s, "dayOfWeek")!.names, ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]);
  });

  it("reports L, a written 7 as Sunday, and the alternatives of a union", () => {
    assert.equal(fieldValues(parseCron("0 0 L * *", "prudence").schedule!, "dayOfMonth")!.lastDayOfMonth, true);
    assert.deepEqual(fieldValues(parseCron("0 0 * * 7", "webhare").schedule!, "dayOfWeek")!.values, [0]);
    const u = parseCron("0 5 * * * | 30 6 * * *", "prudence").schedule!;
    assert.deepEqual(fieldValues(u, "hour", 1)!.values, [6]);
    assert.equal(fieldValues(u, "hour", 2), undefined);
    // Alternatives keep their numbers when one before them can never run (it is not compiled).
    const d = parseCron("0 0 31 2 * | 30 6 * * *", "prudence").schedule!;
    assert.equal(fieldValues(d, "hour", 0), undefined);
    assert.deepEqual(fieldValues(d, "hour", 1)!.values, [6]);
  });
});
