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
  const days = describeDays(p);
  if (!days) return time.daily ? `${time.text} every day` : time.text;
  return `${time.text} ${days}`;
}

/** `daily` = the text names times of day, so "every day" reads well after it. */
function describeTime(minutes: number[], hours: number[]): { text: string; daily: boolean } {
  const allMinutes = minutes.length === 60;
  const allHours = hours.length === 24;
  const hourRange = allHours ? "" : ` ${hourWindows(hours)}`;
  if (allMinutes) return { text: `Every minute${hourRange}`, daily: false };
  const mStep = stepOf(minutes);
  const every = evenStep(minutes);
  if (every > 0) return { text: `Every ${every} minutes${hourRange}`, daily: false };
  if (minutes.length * hours.length <= 6) {
    const times: string[] = [];
    for (const h of hours) for (const m of minutes) times.push(formatClock(h, m));
    return { text: `At ${joinAnd(times)}`, daily: true };
  }
  const minuteText = minutes.length === 1 ? `minute ${minutes[0]}` : mStep > 1 && minutes.length > 4 ? `every ${mStep} minutes from minute ${minutes[0]} to ${minutes[minutes.length - 1]}` : `minutes ${listText(minutes, String)}`;
  if (allHours) return { text: minutes.length === 1 ? `At minute ${minutes[0]} past every hour` : `At ${minuteText} past every hour`, daily: false };
  const hStep = stepOf(hours);
  const hourText = hStep > 1 && hours.length > 4 ? `every ${ordinal(hStep)} hour from ${pad2(hours[0]!)}:00 to ${pad2(hours[hours.length - 1]!)}:00` : `hour${hours.length === 1 ? "" : "s"} ${listText(hours, String)}`;
  return { text: `At ${minuteText} past ${hourText}`, daily: true };
}

/** "between 05:00 and 07:59 and between 20:00 and 21:59" */
function hourWindows(hours: number[]): string {
  return runsOf(hours)
    .map(([a, b]) => `between ${formatClock(a, 0)} and ${formatClock(b, 59)}`)
    .join(" and ");
}

function describeDays(p: CompiledPattern): string {
  const doms = valuesOf(p.doms, 1, 31);
  const dows = valuesOf(p.dows, 0, 6);
  const months = valuesOf(p.months, 1, 12);
  const allDoms = doms.length === 31 && !p.lastDom;
  const allDows = dows.length === 7;
  const monthText = months.length === 12 ? "" : `in ${listText(months, (m) => MONTH_LONG[m - 1]!)}`;
  let dayText = "";
  if (p.dayOr) {
    // Either matches: if either covers every day, so does the union.
    if (!allDoms && !allDows) dayText = `${domText(doms, p.lastDom)} and on every ${listText(dows, (d) => DAY_LONG[d]!)}`;
  } else if (!allDoms && !allDows) {
    dayText = `${domText(doms, p.lastDom)}, if it is a ${listText(dows, (d) => DAY_LONG[d]!).replace(/ and /g, " or ")}`;
  } else if (!allDoms) dayText = domText(doms, p.lastDom);
  else if (!allDows) dayText = `on ${listText(dows, (d) => DAY_LONG[d]!)}`;
  return [dayText, monthText].filter(Boolean).join(" ");
}

function domText(doms: number[], lastDom: boolean): string {
  const parts: string[] = [];
  if (doms.length > 0) parts.push(doms.length === 1 ? `day ${doms[0]}` : `days ${listText(doms, String)}`);
  if (lastDom) parts.push("the last day");
  return `on ${joinAnd(parts)} of the month`;
}
