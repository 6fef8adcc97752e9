/**
 * "What does this field of the mask mean?": the field under the cursor, its allowed range and
 * syntax in the dialect, and the values it selects. Both the field and its values come from the
 * cron engine's public API (`maskFieldAt`, `fieldValues`), so the explanation can never disagree
 * with the next runs.
 */
import { fieldValues, maskFieldAt, type CronDialect, type CronSchedule, type MaskField } from "../../../runtime/src/cron/index";

export type { MaskField };

/** The field at an offset of the mask (an offset just after a field still counts as on it). */
export const fieldAt = maskFieldAt;

export const DIALECT_SYNTAX: Record<CronDialect, string> = {
  webhare: "WebHare accepts `*`, a number, a comma list of numbers (`0,30`) or a step `*/n`; no ranges, names or `L`.",
  prudence: "Prudence (cron4j) accepts `*`, numbers, names (`mon`, `jan`), ranges `a-b`, steps `*/n` and `a-b/n`, comma lists, `L` (last day of the month), and `|` between whole patterns. Day of month and day of week must *both* match.",
  extended: "The extended (Vixie) dialect accepts `*`, numbers, names, ranges, steps, comma lists and `@daily`-style nicknames.",
};

/** The values a field selects, in words ("0, 6, 12 and 18"; "every hour"; "Monday"). */
export function describeFieldValues(schedule: CronSchedule | undefined, field: MaskField): string | undefined {
  const v = schedule && fieldValues(schedule, field.name, field.pattern);
  if (!v) return undefined;
  if (v.lastDayOfMonth) return v.values.length ? `${v.names.join(", ")} and the last day of the month` : "the last day of the month";
  if (v.every) return `every ${field.label}`;
  const names = v.names;
  if (names.length > 16) return `${names.length} values: ${names.slice(0, 12).join(", ")}, …, ${names[names.length - 1]}`;
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** Markdown explaining one field. */
export function explainField(field: MaskField, schedule: CronSchedule | undefined): string {
  const range = field.name === "dayOfWeek" ? "0-7, 0 and 7 = Sunday" : `${field.min}-${field.max}`;
  const values = describeFieldValues(schedule, field);
  const head = `**${field.label}** field \`${field.text}\` (${range})`;
  return values ? `${head}: ${values}` : head;
}
