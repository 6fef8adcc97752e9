/**
 * A compiled pattern: one `|` alternative of a mask as lookup tables. The schedule walks these
 * tables (next allowed hour/minute in O(1), months skipped whole) instead of testing minutes
 * one by one, which is what keeps next() fast enough to call on every hover and tick.
 */
import type { Span } from "../text/span";
import { maxDaysInMonth } from "./calendar";

export interface CompiledPattern {
  /** 1 where the value matches. minutes[0..59], hours[0..23], doms[1..31], months[1..12], dows[0..6] (Sunday = 0). */
  readonly minutes: Uint8Array;
  readonly hours: Uint8Array;
  readonly doms: Uint8Array;
  readonly months: Uint8Array;
  readonly dows: Uint8Array;
  /** `L` in day of month (Prudence): the last day of each month also matches. */
  readonly lastDom: boolean;
  /** Smallest matching value ≥ index, or -1: nextMinute[0..60], nextHour[0..24], nextMonth[0..13]. */
  readonly nextMinute: Int8Array;
  readonly nextHour: Int8Array;
  readonly nextMonth: Int8Array;
  readonly firstMonth: number;
  /** Day of month OR day of week (both restricted in an OR dialect); otherwise both must match. */
  readonly dayOr: boolean;
  /** The hour field matches all 24 hours: such a pattern follows real time across DST changes. */
  readonly hourly: boolean;
  /** Which `|` alternative of the mask this is (0-based, counting alternatives that never run too). */
  readonly alternative: number;
  /** Where this alternative and each of its fields are in the mask (a nickname: all the nickname). */
  readonly span: Span;
  readonly fieldSpans: readonly Span[];
  readonly fieldTexts: readonly string[];
}

export interface PatternSets {
  minutes: Uint8Array;
  hours: Uint8Array;
  doms: Uint8Array;
  months: Uint8Array;
  dows: Uint8Array;
  lastDom: boolean;
  dayOr: boolean;
  alternative: number;
  span: Span;
  fieldSpans: Span[];
  fieldTexts: string[];
}

function nextTable(set: Uint8Array, size: number): Int8Array {
  const t = new Int8Array(size + 1).fill(-1);
  let next = -1;
  for (let i = size - 1; i >= 0; i--) {
    if (set[i]) next = i;
    t[i] = next;
  }
  return t;
}

export function compilePattern(s: PatternSets): CompiledPattern {
  const nextMonth = nextTable(s.months, 13);
  let hourly = true;
  for (let h = 0; h < 24; h++) if (!s.hours[h]) hourly = false;
  return {
    minutes: s.minutes,
    hours: s.hours,
    doms: s.doms,
    months: s.months,
    dows: s.dows,
    lastDom: s.lastDom,
    nextMinute: nextTable(s.minutes, 60),
    nextHour: nextTable(s.hours, 24),
    nextMonth,
    firstMonth: nextMonth[1]!,
    dayOr: s.dayOr,
    hourly,
    alternative: s.alternative,
    span: s.span,
    fieldSpans: s.fieldSpans,
    fieldTexts: s.fieldTexts,
  };
}

/** Whether a date matches the day fields (month checked separately). `dim` = days in that month. */
export function dayMatches(p: CompiledPattern, day: number, dim: number, weekday: number): boolean {
  const domOk = p.doms[day] === 1 || (p.lastDom && day === dim);
  const dowOk = p.dows[weekday] === 1;
  return p.dayOr ? domOk || dowOk : domOk && dowOk;
}

/**
 * Can any date match? Only day of month and month can conflict (`30 2`, `31 4,6`): with day
 * of week in an AND rule every (month, day) pair meets every weekday within 28 years, and in
 * an OR rule a weekday matches in every month.
 */
export function impossibleMonths(p: PatternSets): { months: number[]; days: number[] } | undefined {
  if (p.dayOr || p.lastDom) return undefined;
  const months: number[] = [];
  for (let m = 1; m <= 12; m++) if (p.months[m]) months.push(m);
  const days: number[] = [];
  for (let d = 1; d <= 31; d++) if (p.doms[d]) days.push(d);
  for (const m of months) for (const d of days) if (d <= maxDaysInMonth(m)) return undefined;
  return { months, days };
}

export function countSet(set: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i <= to; i++) if (set[i]) n++;
  return n;
}

export function valuesOf(set: Uint8Array, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) if (set[i]) out.push(i);
  return out;
}
