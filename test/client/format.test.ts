import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { firstLine, formatDuration, formatInScheduleZone, formatRelative, jsonPreview } from "../../client/src/format";

describe("format", () => {
  it("durations and relative times", () => {
    assert.equal(formatDuration(850), "850 ms");
    assert.equal(formatDuration(12_400), "12 s");
    assert.equal(formatDuration(35 * 60_000), "35 min");
    assert.equal(formatDuration(3 * 3_600_000), "3 h");
    assert.equal(formatDuration(3 * 86_400_000), "3 d");
    assert.equal(formatRelative(10_000 + 3 * 3_600_000, 10_000), "in 3 h");
    assert.equal(formatRelative(0, 5 * 60_000), "5 min ago");
    assert.equal(formatRelative(100, 500), "now");
  });

  it("run times on the schedule's own clock, across DST", () => {
    const winter = Date.UTC(2026, 2, 28, 14, 0); // Sat 15:00 in Amsterdam (UTC+1)
    const summer = Date.UTC(2026, 2, 29, 13, 0); // Sun 15:00 in Amsterdam (UTC+2)
    assert.equal(formatInScheduleZone(winter, "Europe/Amsterdam", 0), "Sat 2026-03-28 15:00 Europe/Amsterdam");
    assert.equal(formatInScheduleZone(summer, "Europe/Amsterdam", 0), "Sun 2026-03-29 15:00 Europe/Amsterdam");
    assert.equal(formatInScheduleZone(summer, "", 0), "Sun 2026-03-29 13:00 UTC");
    assert.equal(formatInScheduleZone(summer, "maintenance", 90), "Sun 2026-03-29 11:30 maintenance");
  });

  it("previews", () => {
    assert.equal(jsonPreview({ doubled: 42 }), '{"doubled":42}');
    assert.equal(jsonPreview("x".repeat(100), 10), '"xxxxxxxx…');
    assert.equal(jsonPreview(undefined), "undefined");
    assert.equal(firstLine("Error: a\n  at b"), "Error: a");
  });
});
