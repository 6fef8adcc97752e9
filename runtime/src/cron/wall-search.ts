/**
 * The inner search of the engine: the first matching wall-clock minute in a range, skipping
 * whole months, then days, then hours, then minutes through the pattern's tables. No zone and no
 * DST here: the caller maps segments of real time onto wall-clock ranges.
 */
import { civilFromDays, daysFromCivil, daysInMonth, MINUTES_PER_DAY, weekdayOfDays, type CivilDate } from "./calendar";
import { dayMatches, type CompiledPattern } from "./pattern";

const civil: CivilDate = { year: 0, month: 0, day: 0 };

/**
 * The first wall minute in [from, until) that matches p, or -1. Wall minutes count minutes
 * since 1970-01-01 00:00 on the zone's clock, so every day has 1440 of them.
 */
export function nextWall(p: CompiledPattern, from: number, until: number): number {
  let days = Math.floor(from / MINUTES_PER_DAY);
  const mod = from - days * MINUTES_PER_DAY;
  let h = Math.floor(mod / 60);
  let mi = mod - h * 60;
  civilFromDays(days, civil);
  let y = civil.year;
  let m = civil.month;
  let d = civil.day;
  let dim = daysInMonth(y, m);
  const months = p.months;
  const nextHour = p.nextHour;
  const nextMinute = p.nextMinute;
  for (;;) {
    if (days * MINUTES_PER_DAY >= until) return -1;
    if (months[m] !== 1) {
      // Skip to the first day of the next matching month.
      let nm = p.nextMonth[m + 1]!;
      if (nm < 0) {
        y++;
        nm = p.firstMonth;
      }
      m = nm;
      d = 1;
      days = daysFromCivil(y, m, 1);
      dim = daysInMonth(y, m);
      h = 0;
      mi = 0;
      continue;
    }
    if (dayMatches(p, d, dim, weekdayOfDays(days))) {
      for (;;) {
        const hh = nextHour[h]!;
        if (hh < 0) break;
        if (hh !== h) {
          h = hh;
          mi = 0;
        }
        const mm = nextMinute[mi]!;
        if (mm >= 0) {
          const w = days * MINUTES_PER_DAY + h * 60 + mm;
          return w < until ? w : -1;
        }
        h++;
        mi = 0;
      }
    }
    // Next day.
    days++;
    h = 0;
    mi = 0;
    if (++d > dim) {
      d = 1;
      if (++m > 12) {
        m = 1;
        y++;
      }
      dim = daysInMonth(y, m);
    }
  }
}
