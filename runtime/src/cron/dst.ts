/**
 * The DST policy, in one place (README: "DST policy").
 *
 * 1. A UTC minute runs if the zone's wall clock at that minute matches the mask, except in a
 *    fall-back overlap: a wall time that occurs twice runs only at its first occurrence, unless
 *    the pattern is hourly (its hour field matches all 24 hours). Hourly patterns follow real
 *    time and run at both occurrences, so no hour of real time is skipped or repeated.
 * 2. Spring-forward gap: if a non-hourly pattern matches one or more wall times that the gap
 *    skips on that date, it runs once, at the first instant after the gap (the transition).
 *    Hourly patterns just follow real time (no extra run).
 * The policy is per `|` alternative; a minute chosen by several alternatives runs once.
 */
import type { Finding } from "../text/finding";
import { formatClock, formatDate, MINUTES_PER_DAY, MS_PER_MINUTE, wallFromMinutes } from "./calendar";
import type { CompiledPattern } from "./pattern";
import type { CronSchedule } from "./schedule";
import { nextWall } from "./wall-search";
import { offsetText, zoneLabel, zoneModel, type Segment, type Zone } from "./zone";

/** Rule 1: in the segment after a fall-back, must the pattern skip the walls that already happened? */
export function skipsRepeatedWalls(p: CompiledPattern, seg: Segment): boolean {
  return !p.hourly && seg.prevOffset > seg.offset;
}

/** Rule 2: does the pattern get one run at seg.start because the spring-forward there skipped a matching wall time? */
export function runsAtGapEnd(p: CompiledPattern, seg: Segment): boolean {
  return !p.hourly && seg.offset > seg.prevOffset && nextWall(p, seg.start + seg.prevOffset, seg.start + seg.offset) >= 0;
}

/** How far ahead zoneWarnings looks. */
const WARNING_YEARS = 2;

/**
 * Warnings for the DST transitions of the next ~2 years at which this mask has a wall time in
 * a gap (it runs at the end of the gap instead) or in an overlap (it runs once, not twice).
 * One warning per kind, naming the first date; span = the hour field of the alternative.
 */
export function zoneWarnings(schedule: CronSchedule, zone: Zone, fromMs: number): Finding[] {
  const patterns = (schedule as { patterns?: readonly CompiledPattern[] }).patterns;
  if (!patterns || !Number.isFinite(fromMs)) return [];
  const model = zoneModel(zone);
  if (model.fixed !== undefined) return [];
  const from = Math.floor(fromMs / MS_PER_MINUTE);
  const transitions = model.transitionsBetween(from, from + WARNING_YEARS * 366 * MINUTES_PER_DAY);
  const out: Finding[] = [];
  const zoneName = zoneLabel(zone);
  for (const kind of ["gap", "overlap"] as const) {
    let first: { p: CompiledPattern; wall: number; at: number; fromOffset: number; toOffset: number } | undefined;
    let count = 0;
    for (const t of transitions) {
      const isGap = t.to > t.from;
      if ((kind === "gap") !== isGap) continue;
      // Gap: walls [at+from, at+to) never happen. Overlap: walls [at+to, at+from) happen twice.
      const lo = t.at + (isGap ? t.from : t.to);
      const hi = t.at + (isGap ? t.to : t.from);
      for (const p of patterns) {
        if (p.hourly) continue;
        const w = nextWall(p, lo, hi);
        if (w >= 0) {
          count++;
          if (!first) first = { p, wall: w, at: t.at, fromOffset: t.from, toOffset: t.to };
          break;
        }
      }
    }
    if (!first) continue;
    const wt = wallFromMinutes(first.wall);
    const date = formatDate(wt);
    const time = formatClock(wt.hour, wt.minute);
    const before = wallFromMinutes(first.at + first.fromOffset);
    const after = wallFromMinutes(first.at + first.toOffset);
    const more = count > 1 ? ` (and at ${count - 1} more transition${count > 2 ? "s" : ""} in the next ${WARNING_YEARS} years)` : "";
    const span = first.p.fieldSpans[1]!;
    if (kind === "gap") {
      out.push({
        span: { start: span.start, end: span.end },
        severity: "warning",
        code: "cron-dst-gap",
        message:
          `${time} does not exist in ${zoneName} on ${date} (clocks jump from ${formatClock(before.hour, before.minute)} to ${formatClock(after.hour, after.minute)}): ` +
          `the task runs once at ${formatClock(after.hour, after.minute)} instead${more}`,
        data: { transitionMs: first.at * MS_PER_MINUTE },
      });
    } else {
      out.push({
        span: { start: span.start, end: span.end },
        severity: "warning",
        code: "cron-dst-overlap",
        message:
          `${time} occurs twice in ${zoneName} on ${date} (clocks go back from ${formatClock(before.hour, before.minute)} to ${formatClock(after.hour, after.minute)}): ` +
          `the task runs once, at the first ${time} (${offsetText(first.fromOffset)})${more}`,
        data: { transitionMs: first.at * MS_PER_MINUTE },
      });
    }
  }
  return out;
}
