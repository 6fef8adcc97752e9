/**
 * The timeline as text: one line per run, sorted by time, for terminals and CI logs. DST changes
 * get a line of their own at their instant; collisions are flagged on the runs they concern.
 *
 *   2026-03-29T03:00:00+02:00  app:nightly  Europe/Amsterdam  2026-03-29T03:00:00+02:00  [parallel: 5 runs this minute, limit 4]
 */
import { formatInZone } from "../cron";
import { durationText, type Timeline } from "./layout";

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The header line: counts of tasks, runs, DST changes and both kinds of collision. */
export function summaryLine(t: Timeline): string {
  const parallel = t.collisions.filter((c) => c.kind === "parallel").length;
  const overlap = t.collisions.length - parallel;
  const parts = [plural(t.rows.length, "task"), plural(t.runs.length, "run"), plural(t.dstMarks.length, "DST change")];
  parts.push(parallel ? `${plural(parallel, "minute")} over the parallel limit of ${t.parallelLimit}` : `no minute over the parallel limit of ${t.parallelLimit}`);
  if (overlap) parts.push(`${plural(overlap, "run")} overlapping the previous run`);
  return parts.join(", ");
}

/**
 * The collisions in words, one line each, overlaps grouped per task (an hourly task that takes
 * 90 minutes overlaps every run; one line says so).
 */
export function collisionNotes(t: Timeline): string[] {
  const out: string[] = [];
  const overlapsByRow = new Map<number, Extract<Timeline["collisions"][number], { kind: "overlap" }>[]>();
  for (const c of t.collisions) {
    if (c.kind === "parallel") out.push(`${c.display}: ${c.text}`);
    else overlapsByRow.set(c.row, [...(overlapsByRow.get(c.row) ?? []), c]);
  }
  for (const [row, list] of overlapsByRow) {
    const first = list[0]!;
    out.push(list.length === 1 ? `${first.display}: ${first.text}` : `${t.rows[row]!.name}: ${list.length} runs start before the previous one ends (its last run took ${durationText(first.durationMs)}), first at ${first.display}`);
  }
  return out;
}

/** The flags of the run at `index` of t.runs. */
export function flagText(t: Timeline, index: number): string {
  const out: string[] = [];
  for (const c of t.collisions) {
    if (c.kind === "parallel" && c.runs.includes(index)) out.push(`[parallel: ${c.count} runs this minute, limit ${c.limit}]`);
    if (c.kind === "overlap" && c.run === index) out.push(`[overlaps its previous run: the last one took ${durationText(c.durationMs)}]`);
  }
  return out.join(" ");
}

export function renderText(t: Timeline): string {
  const lines: string[] = [];
  lines.push(`Schedule ${t.fromText} → ${t.toText} (${t.hours % 24 === 0 && t.hours > 24 ? `${t.hours / 24} days` : `${t.hours} h`}), times in ${t.displayZone.label}`);
  lines.push(summaryLine(t));
  if (t.rows.some((r) => r.zoneLabel.startsWith("maintenance"))) lines.push(`maintenance zone: offset ${t.maintenanceOffsetMinutes} min (its clock runs ${durationText(t.maintenanceOffsetMinutes * 60_000)} behind UTC)`);
  lines.push("");

  const nameWidth = Math.min(40, Math.max(4, ...t.rows.map((r) => r.name.length)));
  const zoneWidth = Math.min(36, Math.max(4, ...t.rows.map((r) => r.zoneColumnLabel.length)));
  // Merge runs and DST marks in time order; a DST line comes before the runs at its instant.
  let d = 0;
  const dstLine = (i: number) => {
    const m = t.dstMarks[i]!;
    return `${formatInZone(m.at, t.displayZone.zone)}  ~~ DST ${m.text}`;
  };
  t.runs.forEach((run, i) => {
    while (d < t.dstMarks.length && t.dstMarks[d]!.at <= run.at) lines.push(dstLine(d++));
    const row = t.rows[run.row]!;
    const flags = flagText(t, i);
    lines.push(`${run.display}  ${row.name.padEnd(nameWidth)}  ${row.zoneColumnLabel.padEnd(zoneWidth)}  ${run.local}${flags ? `  ${flags}` : ""}`.trimEnd());
  });
  while (d < t.dstMarks.length) lines.push(dstLine(d++));
  if (t.runs.length === 0) lines.push("(no runs in this window)");

  const off = t.rows.filter((r) => r.problem || r.truncated);
  if (off.length) {
    lines.push("");
    for (const r of off) lines.push(`${r.name}: ${r.problem ?? `more than ${r.runCount} runs; only the first ${r.runCount} are shown`}`);
  }
  return `${lines.join("\n")}\n`;
}

