/**
 * The timeline as SVG: an axis with hour and day ticks in the display zone, a row per task, a
 * mark per run, DST changes as dashed lines, collisions highlighted. One renderer for both uses:
 *
 * - standalone (`modtasks timeline --svg`): its own `<style>` (light and dark), a `<title>` per
 *   mark as the tooltip, no external resources, so it opens in any browser, CI artifact or doc;
 * - interactive (the VS Code panel): no `<style>` (the panel's CSS maps the same classes to
 *   `--vscode-*` colours, and its Content-Security-Policy allows no inline styles), rows and
 *   marks focusable with `aria-label`s and `data-*` attributes the panel's script reads.
 *
 * Everything is positioned by attributes and styled by classes only: no `style` attributes.
 */
import { formatInZone } from "../cron";
import { dayLabelOf, durationText, type Timeline } from "./layout";
import { collisionNotes, summaryLine } from "./text";

export interface SvgOptions {
  /** Total width in px (default 1200). */
  width?: number;
  interactive?: boolean;
  /** The title line (default: "Schedule <from> → <to>, times in <zone>"). */
  title?: string;
  /** Title and summary lines at the top, the collisions and problems in words at the bottom (default: true unless interactive, where the panel shows them as HTML). */
  text?: boolean;
}

/** The CSS classes the SVG uses: a stylesheet (the panel's) may restyle each. */
export const SVG_CLASSES = ["mt-timeline", "bg", "title", "summary", "muted", "row", "row-bg", "row-hit", "alt", "row-name", "row-zone", "plot", "hour-line", "day-line", "tick-label", "day-label", "run", "parallel", "overlap", "duration", "collision-band", "dst-line", "dst-label", "legend", "problem", "selected"] as const;

export const STANDALONE_CSS = `
.mt-timeline text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: var(--mt-fg, #1f2328); }
.mt-timeline .bg { fill: var(--mt-bg, #ffffff); }
.mt-timeline .title { font-size: 14px; font-weight: 600; }
.mt-timeline .summary, .mt-timeline .row-zone, .mt-timeline .tick-label, .mt-timeline .legend text, .mt-timeline .problem { font-size: 10.5px; }
.mt-timeline .muted, .mt-timeline .row-zone, .mt-timeline .tick-label, .mt-timeline .problem { fill: var(--mt-muted, #57606a); }
.mt-timeline .row-name { font-size: 12px; }
.mt-timeline .day-label { font-size: 11px; font-weight: 600; }
.mt-timeline .row-bg, .mt-timeline .row-hit { fill: transparent; }
.mt-timeline .row-bg.alt { fill: var(--mt-alt, #f6f8fa); }
.mt-timeline .plot { fill: none; stroke: var(--mt-line, #d0d7de); }
.mt-timeline .hour-line { stroke: var(--mt-grid, #eaeef2); }
.mt-timeline .day-line { stroke: var(--mt-day, #8c959f); }
.mt-timeline .run { fill: var(--mt-run, #0969da); }
.mt-timeline .duration { fill: var(--mt-run, #0969da); fill-opacity: 0.25; }
.mt-timeline .run.parallel { fill: var(--mt-collision, #cf222e); }
.mt-timeline .run.overlap { fill: var(--mt-overlap, #bc4c00); }
.mt-timeline .duration.overlap { fill: var(--mt-overlap, #bc4c00); fill-opacity: 0.35; }
.mt-timeline .collision-band { fill: var(--mt-collision, #cf222e); fill-opacity: 0.14; }
.mt-timeline .dst-line { stroke: var(--mt-dst, #8250df); stroke-dasharray: 5 3; stroke-width: 1.5; }
.mt-timeline text.dst-label { fill: var(--mt-dst, #8250df); font-size: 10.5px; }
@media (prefers-color-scheme: dark) {
  .mt-timeline { --mt-fg: #e6edf3; --mt-bg: #0d1117; --mt-muted: #8d96a0; --mt-alt: #161b22; --mt-line: #30363d; --mt-grid: #21262d; --mt-day: #6e7681;
    --mt-run: #4493f8; --mt-collision: #f85149; --mt-overlap: #db6d28; --mt-dst: #ab7df8; }
}
`;

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const n = (v: number) => (Math.round(v * 10) / 10).toString();

/** Width of a text in px, roughly (no font metrics in Node): enough to truncate labels and avoid overlaps. */
function textWidth(s: string, px: number): number {
  return s.length * px * 0.58;
}

function truncate(s: string, px: number, max: number): string {
  if (textWidth(s, px) <= max) return s;
  const keep = Math.max(3, Math.floor(max / (px * 0.58)) - 1);
  return `${s.slice(0, keep)}…`;
}

/** Label every `step` hours so labels stay at least ~46 px apart. */
function labelStep(pxPerHour: number): number {
  for (const s of [1, 2, 3, 6, 12, 24]) if (pxPerHour * s >= 46) return s;
  return 24;
}

export interface SvgLayoutMetrics {
  width: number;
  height: number;
  plotLeft: number;
  plotWidth: number;
  rowsTop: number;
  rowHeight: number;
}

const ROW_H = 32;
const PAD = 12;

/** The legend's entries: a mark (with {x} and {y} for its place) and its text. */
function legendItems(t: Timeline): { mark: string; text: string }[] {
  const items = [
    { mark: `<rect class="run" x="{x}" y="{y-7}" width="3" height="14"/>`, text: "run" },
    { mark: `<rect class="run parallel" x="{x}" y="{y-7}" width="3" height="14"/>`, text: `more than ${t.parallelLimit} runs in a minute` },
    { mark: `<rect class="run overlap" x="{x}" y="{y-7}" width="3" height="14"/>`, text: "overlaps its previous run" },
  ];
  if (t.rows.some((r) => r.lastDurationMs)) items.push({ mark: `<rect class="duration" x="{x}" y="{y-4}" width="10" height="8"/>`, text: "last duration" });
  items.push({ mark: `<line class="dst-line" x1="{x}" y1="{y-7}" x2="{x}" y2="{y+7}"/>`, text: "DST change" });
  return items;
}

export function svgMetrics(
  t: Timeline,
  o: SvgOptions = {},
): SvgLayoutMetrics & { top: number; labelWidth: number; dstLanes: number[]; dstAnchors: ("start" | "end")[]; dstTop: number; legendTop: number; legendRows: number[]; problemsTop: number } {
  const width = Math.max(480, Math.round(o.width ?? 1200));
  const longest = Math.max(60, ...t.rows.map((r) => Math.max(textWidth(r.name, 12), textWidth(r.zoneLabel, 10.5))));
  const labelWidth = Math.round(Math.min(Math.max(140, longest + 16), width * 0.32));
  const plotLeft = PAD + labelWidth;
  const plotWidth = width - plotLeft - PAD - 4;
  const top = (o.text ?? !o.interactive) ? 44 : 0;
  const rowsTop = top + 56;
  // DST labels below the rows, in lanes so that labels close in time do not overlap.
  const lanes: number[] = [];
  const laneEnds: number[] = [];
  const anchors: ("start" | "end")[] = [];
  for (const m of t.dstMarks) {
    const x = plotLeft + m.x * plotWidth;
    const w = textWidth(dstLabel(m), 10.5) + 8;
    // A label that would run past the right edge ends at its line instead of starting there.
    const anchor = x + w > width - PAD ? "end" : "start";
    const [from, to] = anchor === "start" ? [x, x + w] : [x - w, x];
    let lane = laneEnds.findIndex((end) => end < from);
    if (lane < 0) lane = laneEnds.push(-Infinity) - 1;
    laneEnds[lane] = to;
    lanes.push(lane);
    anchors.push(anchor);
  }
  const dstTop = rowsTop + Math.max(1, t.rows.length) * ROW_H + 6;
  const legendTop = dstTop + laneEnds.length * 15 + 14;
  // The legend wraps when the picture is narrow.
  const legend = legendItems(t);
  const legendRows: number[] = [];
  let lx = plotLeft;
  let lrow = 0;
  for (const it of legend) {
    const w = 34 + textWidth(it.text, 10.5);
    if (lx > plotLeft && lx + w > width - PAD) {
      lrow++;
      lx = plotLeft;
    }
    legendRows.push(lrow);
    lx += w;
  }
  const problemsTop = legendTop + lrow * 18 + 22;
  const problems = (o.text ?? !o.interactive) ? t.rows.filter((r) => r.problem || r.truncated).length + collisionNotes(t).length : 0;
  const height = problems ? problemsTop + Math.min(problems, 40) * 14 + (problems > 40 ? 14 : 0) + 8 : problemsTop - 8;
  return { width, height, top, plotLeft, plotWidth, rowsTop, rowHeight: ROW_H, labelWidth, dstLanes: lanes, dstAnchors: anchors, dstTop, legendTop, legendRows, problemsTop };
}

function dstLabel(m: Timeline["dstMarks"][number]): string {
  return `${m.zone} ${m.fromOffset}→${m.toOffset} (${m.wallBefore}→${m.wallAfter})`;
}

export function renderSvg(t: Timeline, o: SvgOptions = {}): string {
  const m = svgMetrics(t, o);
  const { width, height, plotLeft, plotWidth, rowsTop, top } = m;
  const interactive = o.interactive === true;
  const withText = o.text ?? !interactive;
  const X = (x: number) => plotLeft + x * plotWidth;
  const rowsBottom = rowsTop + Math.max(1, t.rows.length) * ROW_H;
  const out: string[] = [];
  const title = o.title ?? `Schedule ${t.fromText} → ${t.toText}, times in ${t.displayZone.label}`;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="mt-timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}" data-runs="${t.runs.length}" data-from="${t.from}" data-to="${t.to}">`,
  );
  if (!interactive) out.push(`<title>${esc(title)}</title>`, `<style>${STANDALONE_CSS}</style>`);
  out.push(`<rect class="bg" x="0" y="0" width="${width}" height="${height}"/>`);
  if (withText) {
    out.push(`<text class="title" x="${PAD}" y="22">${esc(truncate(title, 15.5, width - 2 * PAD))}</text>`);
    const maint = t.rows.some((r) => r.zoneLabel.startsWith("maintenance")) ? ` · maintenance offset ${t.maintenanceOffsetMinutes} min` : "";
    out.push(`<text class="summary muted" x="${PAD}" y="40">${esc(truncate(summaryLine(t) + maint, 10.5, width - 2 * PAD))}</text>`);
  }

  const backgrounds = t.rows.map((_, i) => `<rect class="row-bg${i % 2 ? " alt" : ""}" x="0" y="${rowsTop + i * ROW_H}" width="${width}" height="${ROW_H}"/>`);
  out.push(`<g class="row-bgs">${backgrounds.join("")}</g>`);

  // Axis: day bands and hour ticks on the display zone's wall clock.
  const pxPerHour = plotWidth / t.hours;
  const step = labelStep(pxPerHour);
  const axis: string[] = [];
  const firstDay = t.ticks.find((k) => k.day);
  if (!firstDay || X(firstDay.x) - plotLeft > 80) axis.push(`<text class="day-label" x="${n(plotLeft + 2)}" y="${top + 20}">${esc(dayLabelOf(t.fromText))}</text>`);
  for (const k of t.ticks) {
    const x = X(k.x);
    if (k.day) {
      axis.push(`<line class="day-line" x1="${n(x)}" y1="${top + 6}" x2="${n(x)}" y2="${rowsBottom}"/>`);
      // Long windows: shorter day labels ("29"), and only every few days when even those crowd.
      const pxPerDay = pxPerHour * 24;
      const dayNumber = Number((k.dayLabel ?? "").split(" ")[1]);
      if (pxPerDay >= 70) axis.push(`<text class="day-label" x="${n(x + 3)}" y="${top + 20}">${esc(k.dayLabel ?? "")}</text>`);
      else if (pxPerDay >= 18 || dayNumber % 7 === 1) axis.push(`<text class="day-label" x="${n(x + 3)}" y="${top + 20}">${dayNumber}</text>`);
    } else if (pxPerHour >= 8 || k.hour % step === 0) {
      axis.push(`<line class="hour-line" x1="${n(x)}" y1="${top + (k.hour % step === 0 ? 32 : 40)}" x2="${n(x)}" y2="${rowsBottom}"/>`);
    }
    if (k.hour % step === 0 && (step < 24 || !k.day) && x + textWidth(k.label, 10.5) / 2 < plotLeft + plotWidth + 8) {
      axis.push(`<text class="tick-label" x="${n(x)}" y="${top + 44}" text-anchor="middle">${esc(k.label)}</text>`);
    }
  }
  out.push(`<g class="axis">${axis.join("")}</g>`);

  out.push(`<rect class="plot" x="${n(plotLeft)}" y="${rowsTop}" width="${n(plotWidth)}" height="${rowsBottom - rowsTop}"/>`);

  // Parallel collisions: a band over every row at that minute (under the marks).
  const minuteW = Math.max(5, plotWidth / (t.hours * 60));
  for (const c of t.collisions) {
    if (c.kind !== "parallel") continue;
    const x = X(c.x);
    const tip = `${c.display}: ${c.text}`;
    out.push(`<rect class="collision-band" x="${n(x - minuteW / 2)}" y="${rowsTop}" width="${n(minuteW)}" height="${rowsBottom - rowsTop}" data-at="${c.at}"${interactive ? ` data-tip="${esc(tip)}"` : ""}>${interactive ? "" : `<title>${esc(tip)}</title>`}</rect>`);
  }

  // Per row: its name and zone (the focusable label in the panel; backgrounds went in first), then
  // its runs in time order, so the document order is the keyboard order: a row, its runs, the next row.
  const runsByRow = t.rows.map(() => [] as number[]);
  t.runs.forEach((run, i) => runsByRow[run.row]!.push(i));
  t.rows.forEach((r, i) => {
    const y = rowsTop + i * ROW_H;
    const label = `${r.name}, ${r.zoneLabel}, ${r.runCount === 1 ? "1 run" : `${r.runCount} runs`}${r.problem ? `, ${r.problem}` : ""}`;
    const rowAttrs = interactive ? ` tabindex="0" role="button" aria-label="${esc(`${label}. Enter reveals the declaration.`)}"` : "";
    out.push(`<g class="row" data-row="${i}" data-task="${esc(r.taskId)}"${rowAttrs}>`);
    out.push(`<rect class="row-hit" x="2" y="${y + 1}" width="${m.labelWidth + PAD - 6}" height="${ROW_H - 2}"/>`);
    out.push(`<text class="row-name" x="${PAD}" y="${y + 14}">${esc(truncate(r.name, 12, m.labelWidth - 8))}${interactive ? "" : `<title>${esc(label)}</title>`}</text>`);
    out.push(`<text class="row-zone" x="${PAD}" y="${y + 27}">${esc(truncate(r.problem ? `${r.zoneLabel} · ${r.problem}` : r.zoneLabel, 10.5, m.labelWidth - 8))}</text>`);
    out.push(`</g>`);
    // Runs: a duration bar when the last duration is known, and the start mark.
    const marks: string[] = [];
    runsByRow[i]!.forEach((index, k) => {
      const run = t.runs[index]!;
      const x = X(run.x);
      if (r.lastDurationMs) {
        const w = Math.max(1, Math.min((r.lastDurationMs / (t.to - t.from)) * plotWidth, plotLeft + plotWidth - x));
        marks.push(`<rect class="duration${run.flags.includes("overlap") ? " overlap" : ""}" x="${n(x)}" y="${y + 12}" width="${n(w)}" height="8"/>`);
      }
      const tip = runTip(t, index);
      // One run per row is in the tab order (the panel's script moves it with the arrow keys).
      const focus = interactive ? ` tabindex="${k === 0 ? "0" : "-1"}" role="button" aria-label="${esc(tip)}" data-tip="${esc(tip)}"` : "";
      marks.push(
        `<rect class="${["run", ...run.flags].join(" ")}" x="${n(x - 1.5)}" y="${y + 7}" width="3" height="18" data-row="${i}" data-task="${esc(run.taskId)}" data-at="${run.at}" data-x="${run.x.toFixed(6)}"${focus}>${interactive ? "" : `<title>${esc(tip)}</title>`}</rect>`,
      );
    });
    if (marks.length) out.push(`<g class="runs" data-row="${i}">${marks.join("")}</g>`);
  });

  // DST changes: a dashed line over the rows, the label below them.
  t.dstMarks.forEach((d, i) => {
    const x = X(d.x);
    const lane = m.dstLanes[i] ?? 0;
    const tip = `${formatInZone(d.at, t.displayZone.zone)} DST ${d.text}${d.displayZone ? " (the display zone: the axis jumps here)" : ""}`;
    out.push(
      `<g class="dst" data-at="${d.at}" data-x="${d.x.toFixed(6)}" data-zone="${esc(d.zone)}"${interactive ? ` data-tip="${esc(tip)}"` : ""}>${interactive ? "" : `<title>${esc(tip)}</title>`}<line class="dst-line" x1="${n(x)}" y1="${top + 26}" x2="${n(x)}" y2="${m.dstTop + lane * 15 + 4}"/><text class="dst-label" x="${n(m.dstAnchors[i] === "end" ? x - 3 : x + 3)}" y="${m.dstTop + lane * 15 + 10}"${m.dstAnchors[i] === "end" ? ` text-anchor="end"` : ""}>${esc(dstLabel(d))}</text></g>`,
    );
  });

  // Legend (wrapped as svgMetrics decided).
  const legend: string[] = [];
  let lx = plotLeft;
  let lastRow = 0;
  legendItems(t).forEach((it, k) => {
    const row = m.legendRows[k] ?? 0;
    if (row !== lastRow) {
      lx = plotLeft;
      lastRow = row;
    }
    const ly = m.legendTop + row * 18;
    legend.push(it.mark.replace(/\{x\}/g, n(lx)).replace(/\{y([+-]\d+)\}/g, (_, d: string) => String(ly + Number(d))), `<text x="${n(lx + 14)}" y="${ly + 4}">${esc(it.text)}</text>`);
    lx += 34 + textWidth(it.text, 10.5);
  });
  out.push(`<g class="legend">${legend.join("")}</g>`);

  // Problems and collisions in words (also what a screen reader gets from the standalone file).
  const notes: string[] = !withText ? [] : [
    ...collisionNotes(t).map((text) => `⚠ ${text}`),
    ...t.rows.filter((r) => r.problem || r.truncated).map((r) => `${r.name}: ${r.problem ?? `only the first ${r.runCount} runs are shown`}`),
  ];
  notes.slice(0, 40).forEach((text, i) => out.push(`<text class="problem" x="${PAD}" y="${m.problemsTop + i * 14}">${esc(truncate(text, 10.5, width - 2 * PAD))}</text>`));
  if (notes.length > 40) out.push(`<text class="problem" x="${PAD}" y="${m.problemsTop + 40 * 14}">… and ${notes.length - 40} more</text>`);
  out.push(`</svg>`);
  return out.join("\n");
}

/** The tooltip of a run: task, zone, exact times, flags. */
export function runTip(t: Timeline, index: number): string {
  const run = t.runs[index]!;
  const r = t.rows[run.row]!;
  const parts = [`${r.name}`, `${run.display} (${t.displayZone.label})`];
  if (run.local !== run.display || r.zoneLabel !== t.displayZone.label) parts.push(`${run.local} (${r.zoneLabel})`);
  if (r.description) parts.push(r.description);
  for (const c of t.collisions) {
    if (c.kind === "parallel" && c.runs.includes(index)) parts.push(`⚠ ${c.count} runs start this minute, limit ${c.limit}`);
    if (c.kind === "overlap" && c.run === index) parts.push(`⚠ overlaps its previous run (last took ${durationText(c.durationMs)})`);
  }
  return parts.join("\n");
}
