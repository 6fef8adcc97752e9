/**
 * "What does this field of the mask mean?": the field under the cursor, its allowed range and
 * syntax in the dialect, and the values it selects (read from the engine's compiled pattern, so
 * the explanation can never disagree with the next runs).
 */
import type { CronDialect, CronSchedule } from "../../../runtime/src/cron/index";
import { DAY_LONG, FIELDS, MONTH_LONG, type FieldSpec } from "../../../runtime/src/cron/dialects";
import type { CompiledPattern } from "../../../runtime/src/cron/pattern";
import { tokenizeMask } from "../../../runtime/src/cron/tokens";
import type { Span } from "../../../runtime/src/text/span";

export interface FieldAt {
  spec: FieldSpec;
  /** Index of the `|` alternative (0 without unions). */
  pattern: number;
  text: string;
  /** Relative to the mask. */
  span: Span;
}

/** The field at an offset of the mask (an offset just after a field still counts as on it). */
export function fieldAt(mask: string, offset: number): FieldAt | undefined {
  const { patterns } = tokenizeMask(mask);
  for (let p = 0; p < patterns.length; p++) {
    const fields = patterns[p]!.fields;
    for (let k = 0; k < fields.length && k < 5; k++) {
      const f = fields[k]!;
      if (offset >= f.start && offset <= f.end) return { spec: FIELDS[k]!, pattern: p, text: f.text, span: { start: f.start, end: f.end } };
    }
  }
  return undefined;
}

export const DIALECT_SYNTAX: Record<CronDialect, string> = {
  webhare: "WebHare accepts `*`, a number, a comma list of numbers (`0,30`) or a step `*/n`; no ranges, names or `L`.",
  prudence: "Prudence (cron4j) accepts `*`, numbers, names (`mon`, `jan`), ranges `a-b`, steps `*/n` and `a-b/n`, comma lists, `L` (last day of the month), and `|` between whole patterns. Day of month and day of week must *both* match.",
  extended: "The extended (Vixie) dialect accepts `*`, numbers, names, ranges, steps, comma lists and `@daily`-style nicknames.",
};

function patternsOf(schedule: CronSchedule | undefined): readonly CompiledPattern[] | undefined {
  // The schedule's compiled patterns are not part of its public type; the engine's DST code reads them the same way.
  return (schedule as unknown as { patterns?: readonly CompiledPattern[] } | undefined)?.patterns;
}

function valuesIn(set: Uint8Array, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) if (set[i]) out.push(i);
  return out;
}

function nameOf(spec: FieldSpec, v: number): string {
  if (spec.name === "month") return MONTH_LONG[v - 1] ?? String(v);
  if (spec.name === "dayOfWeek") return DAY_LONG[v % 7] ?? String(v);
  return String(v);
}

/** The values a field selects, in words ("0, 6, 12 and 18"; "every hour"; "Monday"). */
export function fieldValues(schedule: CronSchedule | undefined, field: FieldAt): string | undefined {
  const p = patternsOf(schedule)?.[field.pattern];
  if (!p) return undefined;
  const spec = field.spec;
  let values: number[];
  let all: number;
  switch (spec.name) {
    case "minute":
      values = valuesIn(p.minutes, 0, 59);
      all = 60;
      break;
    case "hour":
      values = valuesIn(p.hours, 0, 23);
      all = 24;
      break;
    case "dayOfMonth":
      values = valuesIn(p.doms, 1, 31);
      all = 31;
      if (p.lastDom) return values.length ? `${values.join(", ")} and the last day of the month` : "the last day of the month";
      break;
    case "month":
      values = valuesIn(p.months, 1, 12);
      all = 12;
      break;
    case "dayOfWeek":
      values = valuesIn(p.dows, 0, 6);
      all = 7;
      break;
  }
  if (values.length === all) return `every ${spec.label}`;
  const names = values.map((v) => nameOf(spec, v));
  if (names.length > 16) return `${names.length} values: ${names.slice(0, 12).join(", ")}, …, ${names[names.length - 1]}`;
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** Markdown explaining one field. */
export function explainField(field: FieldAt, schedule: CronSchedule | undefined): string {
  const spec = field.spec;
  const range = spec.name === "dayOfWeek" ? "0-7, 0 and 7 = Sunday" : `${spec.min}-${spec.max}`;
  const values = fieldValues(schedule, field);
  const head = `**${spec.label}** field \`${field.text}\` (${range})`;
  return values ? `${head}: ${values}` : head;
}
