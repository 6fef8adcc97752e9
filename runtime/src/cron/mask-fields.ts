/**
 * The fields of a mask as an editor explains them: which field is under the cursor (from the
 * tokenizer, so it works on a mask with errors), and which values a field of a compiled schedule
 * selects (read from the schedule's own lookup tables, so an explanation can never disagree with
 * the next runs). Part of the engine's public API (index.ts).
 */
import type { Span } from "../text/span";
import { DAY_LONG, FIELDS, MONTH_LONG, type FieldName } from "./dialects";
import type { CompiledPattern } from "./pattern";
import { CronScheduleImpl, type CronSchedule } from "./schedule";
import { tokenizeMask } from "./tokens";

/** One of the five fields of a mask, where it is written. */
export interface MaskField {
  /** 0 minute, 1 hour, 2 day of month, 3 month, 4 day of week. */
  index: 0 | 1 | 2 | 3 | 4;
  name: FieldName;
  /** For text: "minute", "hour", "day of month", "month", "day of week". */
  label: string;
  /** The range values may be written in: 0-59, 0-23, 1-31, 1-12, 0-7 (0 and 7 are Sunday). */
  min: number;
  max: number;
  /** Which `|` alternative the field belongs to (0 without alternatives). */
  pattern: number;
  /** The field as written, and its span relative to the mask. */
  text: string;
  span: Span;
}

/**
 * The field of `mask` at `offset` (an offset just after a field still counts as on it), or
 * undefined between fields or past the fifth. Any dialect, any input; never throws.
 */
export function maskFieldAt(mask: string, offset: number): MaskField | undefined {
  const { patterns } = tokenizeMask(mask);
  for (let p = 0; p < patterns.length; p++) {
    const fields = patterns[p]!.fields;
    for (let k = 0; k < fields.length && k < 5; k++) {
      const f = fields[k]!;
      if (offset < f.start || offset > f.end) continue;
      const spec = FIELDS[k]!;
      return { index: spec.index, name: spec.name, label: spec.label, min: spec.min, max: spec.max, pattern: p, text: f.text, span: { start: f.start, end: f.end } };
    }
  }
  return undefined;
}

/** What one field of a schedule selects. */
export interface FieldValues {
  /**
   * The matching values, ascending: minute 0-59, hour 0-23, day of month 1-31, month 1-12, day
   * of week 0-6 (Sunday is 0; a written 7 is 0).
   */
  values: number[];
  /** Every value of the field matches (`*`, or a list that happens to name them all). */
  every: boolean;
  /** Day of month only: `L` (Prudence), the last day of each month, matches as well. */
  lastDayOfMonth: boolean;
  /** The values in words, in the same order: numbers as digits, months and weekdays by English name ("March", "Monday"). */
  names: string[];
}

const TABLES: Record<FieldName, { of: (p: CompiledPattern) => Uint8Array; from: number; to: number }> = {
  minute: { of: (p) => p.minutes, from: 0, to: 59 },
  hour: { of: (p) => p.hours, from: 0, to: 23 },
  dayOfMonth: { of: (p) => p.doms, from: 1, to: 31 },
  month: { of: (p) => p.months, from: 1, to: 12 },
  dayOfWeek: { of: (p) => p.dows, from: 0, to: 6 },
};

/**
 * The values field `field` of a compiled schedule selects, in alternative `pattern` of a `|`
 * mask (default the first); undefined when the schedule has no such alternative.
 */
export function fieldValues(schedule: CronSchedule, field: FieldName, pattern = 0): FieldValues | undefined {
  // By alternative number, not position: an alternative that can never run is not compiled.
  const p = schedule instanceof CronScheduleImpl ? schedule.patterns.find((x) => x.alternative === pattern) : undefined;
  const table = TABLES[field];
  if (!p || !table) return undefined;
  const set = table.of(p);
  const values: number[] = [];
  for (let v = table.from; v <= table.to; v++) if (set[v]) values.push(v);
  const names = values.map((v) => (field === "month" ? (MONTH_LONG[v - 1] ?? String(v)) : field === "dayOfWeek" ? (DAY_LONG[v % 7] ?? String(v)) : String(v)));
  return { values, every: values.length === table.to - table.from + 1, lastDayOfMonth: field === "dayOfMonth" && p.lastDom, names };
}
