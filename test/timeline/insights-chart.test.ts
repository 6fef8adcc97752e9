/**
 * The insights chart (client/src/timeline/insights-view.ts): queued, running and failed counts
 * over the last hour as three lines on one scale, runs ended per minute (failed attempts apart)
 * on a strip of their own, and a legend that names exactly what is drawn.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { insightsChart } from "../../client/src/timeline/insights-view";
import { QueueInsights } from "../../runtime/src/insights";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const MIN = 60_000;

/** The y values of a series, by bucket index (x → index through the chart's own geometry). */
function series(svg: string, key: string): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (const m of svg.matchAll(new RegExp(`<polyline class="ins-${key}" data-series="${key}" points="([^"]+)"`, "g"))) {
    for (const p of m[1]!.split(" ")) {
      const [x, y] = p.split(",").map(Number);
      out.push({ x: x!, y: y! });
    }
  }
  for (const m of svg.matchAll(new RegExp(`<circle class="ins-${key}" data-series="${key}" cx="([\\d.]+)" cy="([\\d.]+)"`, "g"))) out.push({ x: Number(m[1]), y: Number(m[2]) });
  return out;
}

function snapshot() {
  const q = new QueueInsights();
  // 12:10 — 4 queued (3 pending + 1 retrying), 1 running, 0 failed; 12:40 — 0 queued, 2 running, 3 failed.
  q.record({ event: "queue-counts", at: NOW - 50 * MIN + 5_000, counts: { pending: 3, running: 1, retrying: 1, failed: 0 } });
  q.record({ event: "queue-counts", at: NOW - 20 * MIN + 5_000, counts: { pending: 0, running: 2, retrying: 0, failed: 3 } });
  // In the last minute: three runs end, one of them a failed attempt.
  for (const [id, outcome, state] of [[1, "completed", "finished"], [2, "failed", "finished"], [3, "completed", "finished"]] as const) {
    q.record({ event: "task-started", id, type: "app:t", at: NOW - 40_000 });
    q.record({ event: "task-finished", id, type: "app:t", state, outcome, at: NOW - 30_000 });
  }
  return q.snapshot(NOW);
}

describe("insights chart", () => {
  test("queued, running and failed counts are three lines on one scale, from the first sample on", () => {
    const svg = insightsChart(snapshot());
    const queued = series(svg, "queued");
    const running = series(svg, "running");
    const failed = series(svg, "failed");
    // Buckets from the one of the first sample (index 10 of 60) to the last: 50 points each.
    assert.deepEqual([queued.length, running.length, failed.length], [50, 50, 50]);
    // Scale: max 4 over a 120 px plot starting at y 10 → y = 130 - v * 30.
    const y = (v: number) => 130 - v * 30;
    assert.deepEqual([queued[0]!.y, running[0]!.y, failed[0]!.y], [y(4), y(1), y(0)]);
    assert.deepEqual([queued.at(-1)!.y, running.at(-1)!.y, failed.at(-1)!.y], [y(0), y(2), y(3)]);
    assert.match(svg, /<text class="ins-label" x="32" y="14" text-anchor="end">4<\/text>/);
    assert.match(svg, /<title>failed: 3 now<\/title>/);
  });

  test("runs ended per minute sit on their own strip, failed attempts apart, each minute with its numbers", () => {
    const svg = insightsChart(snapshot());
    const minutes = [...svg.matchAll(/<g class="ins-minute" data-finished="(\d+)" data-failures="(\d+)">/g)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.deepEqual(minutes, [[3, 1]]);
    assert.match(svg, /<title>12:00 UTC: 3 runs ended, 1 failed attempt<\/title>/);
    // The strip's scale is its own (3 runs), not the counts' (4 tasks).
    assert.match(svg, /<text class="ins-label" x="32" y="150" text-anchor="end">3<\/text>/);
    // Bars: 2 ended otherwise (2/3 of the 32 px strip), 1 failed on top.
    assert.match(svg, /<rect class="ins-finished" x="[\d.]+" y="156\.7" width="[\d.]+" height="21\.3"\/><rect class="ins-failures" x="[\d.]+" y="146\.0" width="[\d.]+" height="10\.7"\/>/);
  });

  test("the legend names what is drawn, and only that", () => {
    const html = insightsChart(snapshot());
    const legend = /<p class="ins-legend">([\s\S]*)<\/p>/.exec(html)![1]!;
    const keys = [...legend.matchAll(/class="key ins-([\w]+)-key"/g)].map((m) => m[1]!).sort();
    assert.deepEqual(keys, ["failed", "failures", "finished", "queued", "running"]);
    for (const k of keys) assert.match(html, new RegExp(`class="ins-${k}"`), `${k} is in the legend but not drawn`);
    const drawn = new Set([...html.matchAll(/<(?:polyline|circle|rect) class="ins-(\w+)"/g)].map((m) => m[1]!));
    assert.deepEqual([...drawn].sort(), keys);
    assert.match(legend, /queued.*running.*failed/s);
    assert.match(legend, /own scale/);
  });

  test("before the first sample it says so; a single sample is a dot, not an invisible line", () => {
    assert.match(insightsChart(new QueueInsights().snapshot(NOW)), /no queue counts yet/);
    const q = new QueueInsights();
    q.record({ event: "queue-counts", at: NOW - 1000, counts: { pending: 1, running: 0, retrying: 0, failed: 0 } });
    const svg = insightsChart(q.snapshot(NOW));
    assert.doesNotMatch(svg, /no queue counts yet/);
    assert.equal(series(svg, "queued").length, 1);
    assert.match(svg, /<circle class="ins-queued" data-series="queued"/);
  });
});
