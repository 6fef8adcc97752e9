/**
 * Option values the CLI checks itself, so a typo gets a message that says what is allowed
 * instead of a surprising meaning (`--not-before 1` as 1970, a priority that overflows the
 * database column, a retention of "3 days" read as 3 ms).
 */
import { MAX_PRIORITY, MIN_PRIORITY, PRIORITY_HELP } from "../queue/scheduling";
import { PRIORITIES, type PriorityName } from "../queue/types";
import { CliError } from "./command";

/** ISO 8601 as `--help` promises: a date, or a date and time (zone optional: local time without). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

export function isoTime(value: string, option: string): number {
  const v = value.trim();
  const t = ISO_8601.test(v) && realDate(v) ? Date.parse(v.replace(" ", "T")) : NaN;
  if (Number.isNaN(t)) throw new CliError(`${option}: '${value}' is not an ISO 8601 time (e.g. 2030-12-25, 2030-12-25T08:00, 2030-12-25T08:00:00Z)`);
  return t;
}

/** Date.parse rolls 2030-02-30 over into March: a day the month does not have is a typo. */
function realDate(v: string): boolean {
  const [y, m, d] = v.slice(0, 10).split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return m >= 1 && m <= 12 && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** A priority name or an integer within the range the scheduling API accepts. */
export function priority(value: string, option = "--priority"): PriorityName | number {
  const v = value.trim();
  if (Object.prototype.hasOwnProperty.call(PRIORITIES, v)) return v as PriorityName;
  if (/^[+-]?\d+$/.test(v)) {
    const n = Number(v);
    if (n >= MIN_PRIORITY && n <= MAX_PRIORITY) return n;
  }
  throw new CliError(`${option} must be ${PRIORITY_HELP}; got '${value}'`);
}

/** Milliseconds: a whole number from 0 (what a timeout of 0 means is up to the option). */
export function milliseconds(value: number, option: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new CliError(`${option} must be a whole number of milliseconds (0 or more); got '${value}'`);
  return value;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration: milliseconds (`500`), or a number with a unit: `500ms`, `30s`, `10m`, `12h`, `3d`. */
export function duration(value: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i.exec(value.trim());
  const ms = m ? Math.round(Number(m[1]) * UNITS[(m[2] ?? "ms").toLowerCase()]!) : NaN;
  if (!Number.isSafeInteger(ms)) throw new CliError(`${option} must be a duration: milliseconds, or a number with ms, s, m, h or d (e.g. 12h, 3d); got '${value}'`);
  return ms;
}
