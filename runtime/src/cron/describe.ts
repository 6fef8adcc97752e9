/**
 * English descriptions for hovers and the CLI: "At 15:00 on Monday", "Every 5 minutes between
 * 05:00 and 07:59". Built from the compiled sets (not the text), so `1-5`, `1,2,3,4,5` and
 * `mon-fri` read the same, and the description can never disagree with next().
 */
import { formatClock, pad2 } from "./calendar";
import { DAY_LONG, MONTH_LONG } from "./dialects";
import { valuesOf, type CompiledPattern } from "./pattern";

export function describePatterns(patterns: readonly CompiledPattern[]): string {
  const parts = patterns.map(describePattern);
  return parts.map((p, i) => (i === 0 ? p : lowerFirst(p))).join("; and ");
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function joinAnd(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** Maximal runs of consecutive values: [[1,5],[8,8]]. */
function runsOf(values: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of values) {
    const last = out[out.length - 1];
    if (last && v === last[1] + 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

/** The step n if values are exactly from, from+n, … (at least 3 values), else 0. */
function stepOf(values: number[]): number {
  if (values.length < 3) return 0;
  const n = values[1]! - values[0]!;
  for (let i = 2; i < values.length; i++) if (values[i]! - values[i - 1]! !== n) return 0;
  return n;
}

/** n if minutes are exactly 0, n, 2n, … with n dividing the hour (so runs are n minutes apart all day), else 0. */
function evenStep(minutes: number[]): number {
  if (minutes.length < 2 || minutes[0] !== 0) return 0;
  const n = minutes[1]!;
  if (60 % n !== 0 || minutes.length !== 60 / n) return 0;
  return minutes.every((m, i) => m === i * n) ? n : 0;
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? "th" : n % 10 === 1 ? "st" : n % 10 === 2 ? "nd" : n % 10 === 3 ? "rd" : "th";
  return `${n}${s}`;
}

/** "1, 3 and 5" / "1 through 5" / "1 through 5 and 8" for plain numbers or names. */
function listText(values: number[], name: (v: number) => string): string {
  const parts: string[] = [];
  for (const [a, b] of runsOf(values)) {
    if (b - a >= 2) parts.push(`${name(a)} through ${name(b)}`);
    else for (let v = a; v <= b; v++) parts.push(name(v));
  }
  return joinAnd(parts);
}

function describePattern(p: CompiledPattern): string {
  const minutes = valuesOf(p.minutes, 0, 59);
  const hours = valuesOf(p.hours, 0, 23);
  const time = describeTime(minutes, hours);
  const { day, month } = describeDays(p);
  // "every day" only after times of day, and only when no day is named ("At 04:00 every day in July").
  const parts = [time.text, day === "" && time.daily ? "every day" : day, month];
  return parts.filter(Boolean).join(" ");
}

/** "a, b, …, z" for a long regular series, the full list for a short one. */
function series(items: string[]): string {
  return items.length > 4 ? `${items[0]}, ${items[1]}, …, ${items[items.length - 1]}` : joinAnd(items);
}

/**
 * The times of day. `daily` = the text names times of day, so "every day" reads well after it.
 * Stepped minutes and hours say their step and list the series ("Every 7 minutes (at :00, :07,
 * …, :56), every hour"), because a step that does not divide the hour or the day restarts at
 * :00 or 00:00 and the reader should see where it does.
 */
function describeTime(minutes: number[], hours: number[]): { text: string; daily: boolean } {
  const allHours = hours.length === 24;
  const during = allHours ? "" : ` ${hoursPhrase(hours)}`;
  if (minutes.length === 60) return { text: `Every minute${during}`, daily: false };
  const every = evenStep(minutes);
  if (every > 0) return { text: `Every ${every} minutes${during}`, daily: false };
  if (minutes.length * hours.length <= 6) {
    const times: string[] = [];
    for (const h of hours) for (const m of minutes) times.push(formatClock(h, m));
    return { text: `At ${joinAnd(times)}`, daily: true };
  }
  const mStep = stepOf(minutes);
  if (mStep > 1 && minutes.length > 4) {
    const head = `Every ${mStep} minutes (at ${series(minutes.map((m) => `:${pad2(m)}`))})`;
    return { text: allHours ? `${head}, every hour` : `${head}${during}`, daily: false };
  }
  const minuteText = minutes.length === 1 ? `minute ${minutes[0]}` : `minutes ${listText(minutes, String)}`;
  if (allHours) return { text: `At ${minuteText} past every hour`, daily: false };
  const hStep = stepOf(hours);
  const runs = runsOf(hours);
  if (minutes.length === 1) {
    const m = minutes[0]!;
    if (hStep > 1 && hours.length > 4) return { text: `Every ${hStep} hours, at ${series(hours.map((h) => formatClock(h, m)))}`, daily: false };
    // "Every hour from 09:00 to 17:00": the first and last run of each window, as they appear in the run list.
    if (runs.length <= 2) return { text: `Every hour ${runs.map(([a, b]) => `from ${formatClock(a, m)} to ${formatClock(b, m)}`).join(" and ")}`, daily: false };
  }
  if (runs.length <= 2) return { text: `At ${minuteText} past every hour${during}`, daily: false };
  return { text: `At ${minuteText} past ${hStep > 1 && hours.length > 4 ? `every ${ordinal(hStep)} hour (${series(hours.map((h) => formatClock(h, 0)))})` : `hours ${listText(hours, String)}`}`, daily: false };
}

/** Restricted hours for runs within them: "between 09:00 and 17:59", "in every 2nd hour (00:00-00:59, …)", "in hours 1, 4 and 9". */
function hoursPhrase(hours: number[]): string {
  const runs = runsOf(hours);
  if (runs.length <= 2) return hourWindows(hours);
  const hStep = stepOf(hours);
  if (hStep > 1 && hours.length > 4) return `in every ${ordinal(hStep)} hour (${series(hours.map((h) => `${formatClock(h, 0)}-${formatClock(h, 59)}`))})`;
  return `in hours ${listText(hours, String)}`;
}

/** "between 05:00 and 07:59 and between 20:00 and 21:59" */
function hourWindows(hours: number[]): string {
  return runsOf(hours)
    .map(([a, b]) => `between ${formatClock(a, 0)} and ${formatClock(b, 59)}`)
    .join(" and ");
}

/** The days ("on Monday", "on January 1", "on day 13 of the month, if it is a Friday") and months ("in July"). */
function describeDays(p: CompiledPattern): { day: string; month: string } {
  const doms = valuesOf(p.doms, 1, 31);
  const dows = valuesOf(p.dows, 0, 6);
  const months = valuesOf(p.months, 1, 12);
  const allDoms = doms.length === 31 && !p.lastDom;
  const allDows = dows.length === 7;
  const monthNames = listText(months, (m) => MONTH_LONG[m - 1]!);
  let month = months.length === 12 ? "" : `in ${monthNames}`;
  let day = "";
  if (p.dayOr) {
    // Either matches: if either covers every day, so does the union.
    if (!allDoms && !allDows) day = `${domText(doms, p.lastDom)} and on every ${listText(dows, (d) => DAY_LONG[d]!)}`;
  } else if (!allDoms && !allDows) {
    day = `${domText(doms, p.lastDom)}, if it is a ${listText(dows, (d) => DAY_LONG[d]!).replace(/ and /g, " or ")}`;
  } else if (!allDoms) {
    if (months.length === 1 && doms.length + (p.lastDom ? 1 : 0) === 1) {
      // One date a year: "on February 29", "on the last day of February".
      day = doms.length === 1 ? `on ${MONTH_LONG[months[0]! - 1]} ${doms[0]}` : `on the last day of ${MONTH_LONG[months[0]! - 1]}`;
      month = "";
    } else day = domText(doms, p.lastDom);
  } else if (!allDows) day = `on ${listText(dows, (d) => DAY_LONG[d]!)}`;
  return { day, month };
}

function domText(doms: number[], lastDom: boolean): string {
  const parts: string[] = [];
  if (doms.length > 0) parts.push(doms.length === 1 ? `day ${doms[0]}` : `days ${listText(doms, String)}`);
  if (lastDom) parts.push("the last day");
  return `on ${joinAnd(parts)} of the month`;
}
