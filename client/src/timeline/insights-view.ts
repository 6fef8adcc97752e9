/**
 * The "Queue insights" tab as HTML: a chart of the queue over the last hour, throughput, latency
 * per type, the slowest types, what runs now and the next retries, from the runtime's `insights`
 * snapshot. Pure (no `vscode`): classes only, no inline styles (the panel's CSP forbids them).
 */
import type { InsightsSnapshot } from "../../../runtime/src/insights";
import { esc } from "../../../runtime/src/timeline/svg";

/** "850 ms", "12.3 s", "4 min 10 s", "1 h 5 min". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(a)} ms`;
  if (a < 60_000) return `${(a / 1000).toFixed(a < 10_000 ? 2 : 1)} s`;
  const totalS = Math.round(a / 1000);
  if (totalS < 3600) return `${Math.floor(totalS / 60)} min${totalS % 60 ? ` ${totalS % 60} s` : ""}`;
  const m = Math.round(totalS / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}`;
}

function relative(ms: number): string {
  if (ms <= 0) return "due now";
  return `in ${formatMs(ms)}`;
}

/** The count series of the chart: tasks in each state at the end of every minute (QueueCounts samples). */
const SERIES = [
  { key: "queued", label: "queued" },
  { key: "running", label: "running" },
  { key: "failed", label: "failed" },
] as const;

/**
 * The last hour as a picture. Above: the queue's counts at the end of each minute, one line per
 * state (queued = pending + retrying, running, failed), the issue's "queued/running/failed counts
 * over the last hour". Below, on a scale of its own (runs, not tasks): runs that ended per minute,
 * with the failed attempts among them in red. Every value is in a `<title>` too.
 */
export function insightsChart(s: InsightsSnapshot): string {
  const W = 640;
  const left = 36;
  const right = 8;
  const top = 10;
  const ph = 120; // counts plot
  const gap = 16;
  const sh = 32; // activity strip
  const bottom = 22;
  const stripTop = top + ph + gap;
  const H = stripTop + sh + bottom;
  const pw = W - left - right;
  const n = s.buckets.length;
  const max = Math.max(1, ...s.buckets.flatMap((b) => SERIES.map((x) => b[x.key] ?? 0)));
  const X = (i: number) => left + ((i + 0.5) / n) * pw;
  const Y = (v: number) => top + ph - (v / max) * ph;
  const time = (b: InsightsSnapshot["buckets"][number]) => new Date(b.start + s.bucketMs).toISOString().slice(11, 16);
  const line = (key: (typeof SERIES)[number]["key"], label: string) => {
    const segs: string[][] = [];
    let cur: string[] = [];
    s.buckets.forEach((b, i) => {
      const v = b[key];
      if (v === null) {
        if (cur.length) segs.push(cur);
        cur = [];
      } else cur.push(`${X(i).toFixed(1)},${Y(v).toFixed(1)}`);
    });
    if (cur.length) segs.push(cur);
    const last = [...s.buckets].reverse().find((b) => b[key] !== null)?.[key] ?? null;
    // A lone sample is a point, not a line: draw it as a dot so it shows.
    return segs
      .map((pts) =>
        pts.length === 1
          ? `<circle class="ins-${key}" data-series="${key}" cx="${pts[0]!.split(",")[0]}" cy="${pts[0]!.split(",")[1]}" r="2.5"><title>${label}: ${last}</title></circle>`
          : `<polyline class="ins-${key}" data-series="${key}" points="${pts.join(" ")}"><title>${label}: ${last} now</title></polyline>`,
      )
      .join("");
  };
  const smax = Math.max(1, ...s.buckets.map((b) => b.finished));
  const barW = Math.max(1, pw / n - 2);
  const SY = (v: number) => stripTop + sh - (v / smax) * sh;
  const activity = s.buckets
    .map((b, i) => {
      if (!b.finished) return "";
      const x = (X(i) - barW / 2).toFixed(1);
      const ok = b.finished - b.failures;
      const tip = `<title>${time(b)} UTC: ${b.finished} run${b.finished === 1 ? "" : "s"} ended${b.failures ? `, ${b.failures} failed attempt${b.failures === 1 ? "" : "s"}` : ""}</title>`;
      const okBar = ok ? `<rect class="ins-finished" x="${x}" y="${SY(ok).toFixed(1)}" width="${barW.toFixed(1)}" height="${(stripTop + sh - SY(ok)).toFixed(1)}"/>` : "";
      const failBar = b.failures ? `<rect class="ins-failures" x="${x}" y="${SY(b.finished).toFixed(1)}" width="${barW.toFixed(1)}" height="${(SY(ok) - SY(b.finished)).toFixed(1)}"/>` : "";
      return `<g class="ins-minute" data-finished="${b.finished}" data-failures="${b.failures}">${tip}${okBar}${failBar}</g>`;
    })
    .join("");
  const minutes = Math.round((s.windowMs / 60_000) * 10) / 10;
  const hasCounts = s.buckets.some((b) => b.queued !== null);
  const legend = SERIES.map((x) => `<span class="key ins-${x.key}-key"></span>${x.label}`).join(" ");
  return `<svg class="ins-chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Queued, running and failed tasks at the end of each minute, and runs ended per minute, over the last ${minutes} minutes">
<line class="ins-axis" x1="${left}" y1="${top + ph}" x2="${left + pw}" y2="${top + ph}"/>
<line class="ins-grid" x1="${left}" y1="${top}" x2="${left + pw}" y2="${top}"/>
<text class="ins-label" x="${left - 4}" y="${top + 4}" text-anchor="end">${max}</text>
<text class="ins-label" x="${left - 4}" y="${top + ph + 4}" text-anchor="end">0</text>
${SERIES.map((x) => line(x.key, x.label)).join("")}
${hasCounts ? "" : `<text class="ins-label" x="${left + pw / 2}" y="${top + ph / 2}" text-anchor="middle">no queue counts yet</text>`}
<line class="ins-axis" x1="${left}" y1="${stripTop + sh}" x2="${left + pw}" y2="${stripTop + sh}"/>
<text class="ins-label" x="${left - 4}" y="${stripTop + 4}" text-anchor="end">${smax}</text>
<text class="ins-label" x="${left - 4}" y="${stripTop + sh + 4}" text-anchor="end">0</text>
${activity}
<text class="ins-label" x="${left}" y="${H - 6}">−${minutes} min</text>
<text class="ins-label" x="${left + pw / 2}" y="${H - 6}" text-anchor="middle">−${Math.round(minutes / 2)} min</text>
<text class="ins-label" x="${left + pw}" y="${H - 6}" text-anchor="end">now</text>
</svg>
<p class="ins-legend">Tasks at the end of each minute: ${legend}. Below, runs ended per minute (own scale): <span class="key ins-finished-key"></span>completed or ended <span class="key ins-failures-key"></span>failed attempts</p>`;
}

export function renderInsights(s: InsightsSnapshot, header: string): string {
  const t = s.throughput;
  const c = s.counts;
  const parts: string[] = [];
  parts.push(`<p class="muted">${esc(header)}</p>`);
  parts.push(`<div class="ins-now">${c ? `<span><b>${c.pending + c.retrying}</b> queued</span><span><b>${c.running}</b> running</span><span><b>${c.retrying}</b> waiting to retry</span><span><b>${c.failed}</b> failed</span>` : `<span class="muted">No queue counts yet.</span>`}</div>`);
  parts.push(`<h3>Last hour</h3>${insightsChart(s)}`);
  parts.push(
    `<h3>Throughput</h3><dl class="ins-stats"><div><dt>finished</dt><dd>${t.finished}</dd></div><div><dt>per minute</dt><dd>${t.perMinute}</dd></div><div><dt>last minute</dt><dd>${t.lastMinute}</dd></div><div><dt>completed</dt><dd>${t.completed}</dd></div><div><dt>failed</dt><dd>${t.failed}</dd></div><div><dt>to run again</dt><dd>${t.rescheduled}</dd></div><div><dt>cancelled</dt><dd>${t.cancelled}</dd></div></dl>`,
  );
  const a = s.latency.all;
  parts.push(`<h3>Latency</h3><p>Waiting (runnable → started): p50 ${formatMs(a.waitP50)}, p95 ${formatMs(a.waitP95)} · Running: p50 ${formatMs(a.runP50)}, p95 ${formatMs(a.runP95)}, max ${formatMs(a.runMax)}</p>`);
  if (s.latency.byType.length) {
    parts.push(
      `<table class="ins-table"><caption>Per task type, runs that ended in the last hour</caption><thead><tr><th scope="col">type</th><th scope="col">runs</th><th scope="col">failed</th><th scope="col">wait p50</th><th scope="col">wait p95</th><th scope="col">run p50</th><th scope="col">run p95</th><th scope="col">max</th></tr></thead><tbody>${s.latency.byType
        .map((r) => `<tr><th scope="row">${esc(r.type)}</th><td>${r.runs}</td><td>${r.failures}</td><td>${formatMs(r.waitP50)}</td><td>${formatMs(r.waitP95)}</td><td>${formatMs(r.runP50)}</td><td>${formatMs(r.runP95)}</td><td>${formatMs(r.runMax)}</td></tr>`)
        .join("")}</tbody></table>`,
    );
  }
  parts.push(`<h3>Slowest types</h3>${s.slowest.length ? `<ol class="ins-list">${s.slowest.map((r) => `<li><b>${esc(r.type)}</b> p95 ${formatMs(r.runP95)} (max ${formatMs(r.runMax)}, ${r.runs} run${r.runs === 1 ? "" : "s"})</li>`).join("")}</ol>` : `<p class="muted">No runs ended in the last hour.</p>`}`);
  parts.push(`<h3>Running now</h3>${s.running.length ? `<ul class="ins-list">${s.running.map((r) => `<li>#${r.id} <b>${esc(r.type)}</b> for ${formatMs(r.forMs)}</li>`).join("")}</ul>` : `<p class="muted">Nothing runs.</p>`}`);
  parts.push(
    `<h3>Next retries</h3>${
      s.nextRetries.length
        ? `<table class="ins-table"><thead><tr><th scope="col">task</th><th scope="col">type</th><th scope="col">attempt</th><th scope="col">when</th><th scope="col">last error</th></tr></thead><tbody>${s.nextRetries
            .map((r) => `<tr><td>#${r.id}</td><th scope="row">${esc(r.type)}</th><td>${r.failures + 1}</td><td title="${esc(new Date(r.runAt).toISOString())}">${relative(r.inMs)}</td><td class="ins-error">${esc((r.lastError ?? "").slice(0, 200))}</td></tr>`)
            .join("")}</tbody></table>`
        : `<p class="muted">No task waits for a retry.</p>`
    }`,
  );
  return parts.join("\n");
}

/** What the tab shows when there is no snapshot. */
export function renderInsightsUnavailable(state: "no-runtime" | "unsupported" | "error", detail?: string): string {
  switch (state) {
    case "no-runtime":
      return `<p>Queue insights come live from the modtasks runtime, and none is running for this workspace.</p><p><button type="button" data-command="modtasks.startRuntime">Start Runtime</button> <button type="button" class="secondary" data-command="modtasks.attachRuntime">Attach to Running Runtime</button></p>`;
    case "unsupported":
      return `<p>This runtime does not report queue insights yet (it has no <code>insights</code> control operation). Update modtasks and restart the runtime.</p><p><button type="button" class="secondary" data-command="modtasks.showQueue">Show Task Queue</button></p>`;
    case "error":
      return `<p>Could not read the queue insights: ${esc(detail ?? "unknown error")}</p>`;
  }
}
