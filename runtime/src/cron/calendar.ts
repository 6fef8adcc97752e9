/**
 * Proleptic Gregorian calendar arithmetic on plain integers (days since 1970-01-01), so the
 * engine never touches Date's local-time getters and the host's TZ cannot leak in.
 * Algorithms after Howard Hinnant's "chrono-compatible low-level date algorithms".
 */

export const MINUTES_PER_DAY = 1440;
export const MS_PER_MINUTE = 60_000;

/** Days since 1970-01-01 of the given civil date (month 1-12). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day number; writes into `out` to stay allocation-free in hot loops. */
export function civilFromDays(days: number, out: CivilDate): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  out.day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  out.month = mp < 10 ? mp + 3 : mp - 9;
  out.year = yoe + era * 400 + (out.month <= 2 ? 1 : 0);
  return out;
}

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : DAYS_IN_MONTH[m]!;
}

/** The most days a month can have in any year (February: 29). */
export function maxDaysInMonth(m: number): number {
  return m === 2 ? 29 : DAYS_IN_MONTH[m]!;
}

/** 0 = Sunday … 6 = Saturday. 1970-01-01 was a Thursday. */
export function weekdayOfDays(days: number): number {
  const r = (days + 4) % 7;
  return r < 0 ? r + 7 : r;
}

/** Wall-clock fields of a "wall minute" (minutes since 1970-01-01 00:00 on some zone's clock). */
export interface WallTime extends CivilDate {
  hour: number;
  minute: number;
}

export function wallFromMinutes(wall: number): WallTime {
  const days = Math.floor(wall / MINUTES_PER_DAY);
  const mod = wall - days * MINUTES_PER_DAY;
  const c = civilFromDays(days, { year: 0, month: 0, day: 0 });
  return { year: c.year, month: c.month, day: c.day, hour: Math.floor(mod / 60), minute: mod % 60 };
}

export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "2026-03-29" */
export function formatDate(c: CivilDate): string {
  const y = c.year;
  const ys = y >= 0 && y < 10000 ? String(y).padStart(4, "0") : (y < 0 ? "-" : "+") + String(Math.abs(y)).padStart(6, "0");
  return `${ys}-${pad2(c.month)}-${pad2(c.day)}`;
}

/** "02:30" */
export function formatClock(hour: number, minute: number): string {
  return `${pad2(hour)}:${pad2(minute)}`;
}
