/**
 * The three cron dialects and the five fields. Everything that differs between WebHare's
 * `runat`, a Prudence (cron4j) crontab and the relaxed "extended" (Vixie) dialect is a row
 * here, so the parser reads as one algorithm with a few switches instead of three parsers.
 */

export type CronDialect = "webhare" | "prudence" | "extended";

export const DIALECTS: readonly CronDialect[] = ["webhare", "prudence", "extended"];

export type FieldName = "minute" | "hour" | "dayOfMonth" | "month" | "dayOfWeek";

export interface FieldSpec {
  readonly index: 0 | 1 | 2 | 3 | 4;
  readonly name: FieldName;
  /** Used in messages: "hour 24 is out of range 0-23". */
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Three-letter names (lowercase), value = position + namesBase; absent for numeric-only fields. */
  readonly names?: readonly string[];
  readonly namesBase?: number;
  /** Full English names, only to suggest the 3-letter form ("monday" → "mon"). */
  readonly longNames?: readonly string[];
}

export const MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] as const;
export const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export const MONTH_LONG = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"] as const;
export const DAY_LONG = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

export const FIELDS: readonly FieldSpec[] = [
  { index: 0, name: "minute", label: "minute", min: 0, max: 59 },
  { index: 1, name: "hour", label: "hour", min: 0, max: 23 },
  { index: 2, name: "dayOfMonth", label: "day of month", min: 1, max: 31 },
  { index: 3, name: "month", label: "month", min: 1, max: 12, names: MONTH_NAMES, namesBase: 1, longNames: MONTH_LONG },
  // 0-7: 0 and 7 are both Sunday in all three dialects (WebHare, Vixie, and cron4j's parser).
  { index: 4, name: "dayOfWeek", label: "day of week", min: 0, max: 7, names: DAY_NAMES, namesBase: 0, longNames: DAY_LONG },
];

/** What each dialect accepts and how it reads it. */
export interface DialectRules {
  readonly dialect: CronDialect;
  /** For messages: "… is not supported by WebHare". */
  readonly notSupported: string;
  /** Short name for hovers and the README table. */
  readonly title: string;
  readonly ranges: boolean;
  readonly names: boolean;
  /** `L` (last day of the month) as a day-of-month list item. */
  readonly lastDay: boolean;
  /** `a|b`: several patterns, one run per minute matched by any. */
  readonly union: boolean;
  readonly nicknames: boolean;
  /** `*` or a stepped `*` as one item of a comma list (`*,5`). WebHare only takes numbers in a list. */
  readonly starInList: boolean;
  /**
   * How day of month and day of week combine when both are restricted: "or" (WebHare, Vixie:
   * either matches) or "and" (cron4j: both must hold).
   */
  readonly dayCombine: "or" | "and";
  /**
   * When a field counts as restricted for the OR rule: WebHare only treats an exact `*` as
   * unrestricted; Vixie treats any field starting with `*` (so also a stepped star) as unrestricted.
   */
  readonly unrestricted: "exact-star" | "starts-with-star";
  /**
   * `a/n` without a range: "to-max" = a, a+n, … up to the field's maximum (Vixie, cronie,
   * cron-parser); "single" = just a (cron4j applies a step only to `*` or a range).
   */
  readonly startStep: "to-max" | "single";
  /** `22-2`: cron4j wraps around (22,23,0,1,2); Vixie rejects it. */
  readonly reversedRange: "wrap" | "error";
}

export const RULES: Readonly<Record<CronDialect, DialectRules>> = {
  webhare: {
    dialect: "webhare",
    notSupported: "is not supported by WebHare",
    title: "WebHare",
    ranges: false,
    names: false,
    lastDay: false,
    union: false,
    nicknames: false,
    starInList: false,
    dayCombine: "or",
    unrestricted: "exact-star",
    // WebHare accepts `5/15` but reads it as a step from 0 (0,15,30,45); we read 5,20,35,50 and warn.
    startStep: "to-max",
    reversedRange: "error",
  },
  prudence: {
    dialect: "prudence",
    notSupported: "is not supported by Prudence (cron4j)",
    title: "Prudence (cron4j)",
    ranges: true,
    names: true,
    lastDay: true,
    union: true,
    nicknames: false,
    starInList: true,
    dayCombine: "and",
    unrestricted: "exact-star",
    startStep: "single",
    reversedRange: "wrap",
  },
  extended: {
    dialect: "extended",
    notSupported: "is not supported in the extended dialect",
    title: "extended (Vixie cron)",
    ranges: true,
    names: true,
    lastDay: false,
    union: false,
    nicknames: true,
    starInList: true,
    dayCombine: "or",
    unrestricted: "starts-with-star",
    startStep: "to-max",
    reversedRange: "error",
  },
};

/**
 * Vixie nicknames and their 5-field equivalents (also offered as the quick fix where a dialect
 * has no nicknames). `@reboot` is not a time and has no equivalent.
 */
export const NICKNAMES: Readonly<Record<string, string | undefined>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
  "@reboot": undefined,
};

export function isDialect(s: string): s is CronDialect {
  return (DIALECTS as readonly string[]).includes(s);
}
