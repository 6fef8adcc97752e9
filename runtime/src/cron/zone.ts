/**
 * Time zones as the engine sees them: a UTC offset that is constant between transitions.
 *
 * IANA zones come from Intl (the only tz database Node ships), but Intl is slow (~3 µs a
 * call), so each zone's transitions are found once per year — one sample per UTC day, then a
 * binary search for the exact minute where the offset changes — and cached. After that an
 * offset lookup is a binary search over a few dozen numbers, which keeps next() arithmetic.
 * Offsets are whole minutes (historic LMT offsets with seconds are rounded).
 */
import { civilFromDays, daysFromCivil, MINUTES_PER_DAY, MS_PER_MINUTE, pad2 } from "./calendar";

export type Zone = { kind: "utc" } | { kind: "iana"; name: string } | { kind: "maintenance"; offsetMinutes: number };

/** A UTC minute where the offset (wall − UTC, in minutes) changes. */
export interface Transition {
  at: number;
  from: number;
  to: number;
}

/** The stretch of time around a UTC minute with one offset. */
export interface Segment {
  /** UTC minute of the transition that started it (or where the cached range starts). */
  start: number;
  /** UTC minute of the next transition (or where the cached range ends: then nextOffset === offset). */
  end: number;
  offset: number;
  /** Offset before `start`: larger than `offset` right after a fall-back. */
  prevOffset: number;
  /** Offset from `end` on. */
  nextOffset: number;
}

export interface ZoneModel {
  /** The constant offset of a zone without transitions (UTC, maintenance), else undefined. */
  readonly fixed: number | undefined;
  offsetAt(utcMinute: number): number;
  segment(utcMinute: number, out: Segment): Segment;
  /** Real transitions with fromMinute <= at < toMinute. */
  transitionsBetween(fromMinute: number, toMinute: number): Transition[];
}

/** Years outside this range are treated as having the offset of the nearest year inside it. */
const MIN_YEAR = 1;
const MAX_YEAR = 9999;

class FixedZone implements ZoneModel {
  constructor(readonly fixed: number) {}
  offsetAt(): number {
    return this.fixed;
  }
  segment(_utcMinute: number, out: Segment): Segment {
    out.start = -Infinity;
    out.end = Infinity;
    out.offset = out.prevOffset = out.nextOffset = this.fixed;
    return out;
  }
  transitionsBetween(): Transition[] {
    return [];
  }
}

const scratchDate = { year: 0, month: 0, day: 0 };

function yearOfMinute(utcMinute: number): number {
  return civilFromDays(Math.floor(utcMinute / MINUTES_PER_DAY), scratchDate).year;
}

function yearStartMinute(y: number): number {
  return daysFromCivil(y, 1, 1) * MINUTES_PER_DAY;
}

/** One UTC year of a zone: its transitions and the offset it starts with. */
interface YearData {
  at: number[];
  from: number[];
  to: number[];
  startOffset: number;
}

class IanaZone implements ZoneModel {
  readonly fixed = undefined;
  private readonly format: Intl.DateTimeFormat;
  /** Per-year buckets, computed on first use; years need not be contiguous (a lookup in 2999 costs three years, not a thousand). */
  private readonly years = new Map<number, YearData>();
  /** The last segment handed out: consecutive next() calls almost always land in it again. */
  private readonly last: Segment = { start: 1, end: 0, offset: 0, prevOffset: 0, nextOffset: 0 };

  constructor(readonly name: string) {
    // Throws RangeError for an unknown zone; callers validate with resolveRunTz first.
    this.format = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  }

  /** The offset at a UTC minute straight from Intl (slow path). */
  private intlOffset(utcMinute: number): number {
    let y = 0,
      mo = 0,
      d = 0,
      h = 0,
      mi = 0,
      s = 0;
    for (const p of this.format.formatToParts(utcMinute * MS_PER_MINUTE)) {
      switch (p.type) {
        case "year":
          y = Number(p.value);
          break;
        case "month":
          mo = Number(p.value);
          break;
        case "day":
          d = Number(p.value);
          break;
        case "hour":
          h = Number(p.value) % 24;
          break;
        case "minute":
          mi = Number(p.value);
          break;
        case "second":
          s = Number(p.value);
          break;
      }
    }
    const wallSeconds = (daysFromCivil(y, mo, d) * MINUTES_PER_DAY + h * 60 + mi) * 60 + s;
    return Math.round((wallSeconds - utcMinute * 60) / 60);
  }

  /** Transitions inside UTC year y, found by daily samples refined to the minute by binary search. */
  private year(y: number): YearData {
    let data = this.years.get(y);
    if (data) return data;
    const startDay = daysFromCivil(y, 1, 1);
    const endDay = daysFromCivil(y + 1, 1, 1);
    data = { at: [], from: [], to: [], startOffset: 0 };
    if (y < MIN_YEAR || y > MAX_YEAR) {
      // Outside what Intl formats reliably: the offset of the nearest supported instant, no transitions.
      data.startOffset = this.intlOffset(yearStartMinute(y < MIN_YEAR ? MIN_YEAR : MAX_YEAR));
      this.years.set(y, data);
      return data;
    }
    let prev = (data.startOffset = this.intlOffset(startDay * MINUTES_PER_DAY));
    for (let day = startDay + 1; day <= endDay; day++) {
      const cur = this.intlOffset(day * MINUTES_PER_DAY);
      if (cur === prev) continue;
      let lo = (day - 1) * MINUTES_PER_DAY;
      let hi = day * MINUTES_PER_DAY;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (this.intlOffset(mid) === prev) lo = mid;
        else hi = mid;
      }
      const to = this.intlOffset(hi);
      data.at.push(hi);
      data.from.push(prev);
      data.to.push(to);
      // Two changes within one day (never seen in tzdata): record the second at the day boundary.
      if (to !== cur) {
        data.at.push(day * MINUTES_PER_DAY);
        data.from.push(to);
        data.to.push(cur);
      }
      prev = cur;
    }
    // A transition exactly at the next year's first minute belongs to that year.
    while (data.at.length > 0 && data.at[data.at.length - 1]! >= endDay * MINUTES_PER_DAY) {
      data.at.pop();
      data.from.pop();
      data.to.pop();
    }
    this.years.set(y, data);
    return data;
  }

  offsetAt(utcMinute: number): number {
    if (utcMinute >= this.last.start && utcMinute < this.last.end) return this.last.offset;
    return this.segment(utcMinute, { start: 0, end: 0, offset: 0, prevOffset: 0, nextOffset: 0 }).offset;
  }

  segment(utcMinute: number, out: Segment): Segment {
    const last = this.last;
    if (!(utcMinute >= last.start && utcMinute < last.end)) this.locate(utcMinute, last);
    out.start = last.start;
    out.end = last.end;
    out.offset = last.offset;
    out.prevOffset = last.prevOffset;
    out.nextOffset = last.nextOffset;
    return out;
  }

  /** Fills `out` with the segment around utcMinute, looking at most a year back and ahead. */
  private locate(utcMinute: number, out: Segment): void {
    const y = yearOfMinute(utcMinute);
    const cur = this.year(y);
    // The last transition at or before utcMinute: in this year, else the previous one.
    let i = cur.at.length - 1;
    while (i >= 0 && cur.at[i]! > utcMinute) i--;
    if (i >= 0) {
      out.start = cur.at[i]!;
      out.offset = cur.to[i]!;
      out.prevOffset = cur.from[i]!;
    } else {
      const prev = this.year(y - 1);
      const n = prev.at.length;
      if (n > 0) {
        out.start = prev.at[n - 1]!;
        out.prevOffset = prev.from[n - 1]!;
      } else {
        out.start = yearStartMinute(y - 1);
        out.prevOffset = cur.startOffset;
      }
      out.offset = cur.startOffset;
    }
    // The next transition: later in this year, else in the next one, else a pseudo end (no change).
    if (i + 1 < cur.at.length) {
      out.end = cur.at[i + 1]!;
      out.nextOffset = cur.to[i + 1]!;
    } else {
      const next = this.year(y + 1);
      if (next.at.length > 0) {
        out.end = next.at[0]!;
        out.nextOffset = next.to[0]!;
      } else {
        out.end = yearStartMinute(y + 2);
        out.nextOffset = out.offset;
      }
    }
  }

  transitionsBetween(fromMinute: number, toMinute: number): Transition[] {
    const out: Transition[] = [];
    for (let y = yearOfMinute(fromMinute); y <= yearOfMinute(toMinute); y++) {
      const d = this.year(y);
      for (let i = 0; i < d.at.length; i++) if (d.at[i]! >= fromMinute && d.at[i]! < toMinute) out.push({ at: d.at[i]!, from: d.from[i]!, to: d.to[i]! });
    }
    return out;
  }
}

const UTC_MODEL = new FixedZone(0);
const ianaModels = new Map<string, IanaZone>();
const maintenanceModels = new Map<number, FixedZone>();

/** The cached model of a zone. Throws RangeError for an IANA name Intl does not know. */
export function zoneModel(zone: Zone): ZoneModel {
  switch (zone.kind) {
    case "utc":
      return UTC_MODEL;
    case "maintenance": {
      // WebHare: next = next_UTC(now − offset) + offset, i.e. the wall clock runs `offset` behind UTC.
      // Whole minutes in [0,1440), so a bad value can never produce runs off the minute.
      const raw = Number.isFinite(zone.offsetMinutes) ? Math.round(zone.offsetMinutes) : 0;
      const offset = ((raw % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
      let m = maintenanceModels.get(offset);
      if (!m) maintenanceModels.set(offset, (m = new FixedZone(-offset)));
      return m;
    }
    case "iana": {
      let m = ianaModels.get(zone.name);
      if (!m) {
        if (zone.name === "UTC") return UTC_MODEL;
        try {
          m = new IanaZone(zone.name);
        } catch {
          throw new RangeError(`unknown time zone '${zone.name}'`);
        }
        ianaModels.set(zone.name, m);
      }
      return m;
    }
  }
}

/** "+01:00", "-03:30", "+12:45" (never "Z": the brief's format keeps the offset visible). */
export function offsetText(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? "-" : "+";
  const a = Math.abs(offsetMinutes);
  return `${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

/** How far ahead zoneInfo looks for the next transition. */
const NEXT_TRANSITION_YEARS = 5;

export function zoneInfo(zone: Zone, atMs: number): { offsetMinutes: number; offsetText: string; nextTransition?: { atMs: number; fromOffsetMinutes: number; toOffsetMinutes: number } } {
  const model = zoneModel(zone);
  const minute = Math.floor(atMs / MS_PER_MINUTE);
  const offsetMinutes = model.offsetAt(minute);
  const info: ReturnType<typeof zoneInfo> = { offsetMinutes, offsetText: offsetText(offsetMinutes) };
  if (model.fixed === undefined) {
    const next = model.transitionsBetween(minute + 1, minute + NEXT_TRANSITION_YEARS * 366 * MINUTES_PER_DAY)[0];
    if (next) info.nextTransition = { atMs: next.at * MS_PER_MINUTE, fromOffsetMinutes: next.from, toOffsetMinutes: next.to };
  }
  return info;
}

/**
 * The zone in a table column, where a header line explains the maintenance zone: its label
 * without the words, "maintenance (UTC-01:23)"; other zones as `zoneLabel` gives them.
 */
export function zoneColumnLabel(zone: Zone): string {
  return zone.kind === "maintenance" ? `maintenance (UTC${offsetText(zoneModel(zone).fixed!)})` : zoneLabel(zone);
}

/** A short label for descriptions: "UTC", "Europe/Amsterdam", "maintenance zone (UTC-01:23: runs 83 min after UTC)". */
export function zoneLabel(zone: Zone): string {
  switch (zone.kind) {
    case "utc":
      return "UTC";
    case "iana":
      return zone.name;
    case "maintenance": {
      // The zone's UTC offset has the sign its times print with (a 00:45 run is 00:45-01:23), and
      // the words say what that means in the terms users configure (WEBHARE_MAINTENANCE_OFFSET
      // minutes after UTC), so the label and the times below it can never seem to disagree.
      const offset = zoneModel(zone).fixed!;
      return `maintenance zone (UTC${offsetText(offset)}: ${offset === 0 ? "same as UTC" : `runs ${-offset} min after UTC`})`;
    }
  }
}

/**
 * The UTC instant of a wall-clock time in a zone: the first occurrence in a fall-back overlap,
 * the first instant after the gap for a time that does not exist (the DST policy's choice).
 */
export function wallToUtcMinute(zone: Zone, wallMinute: number): number {
  const model = zoneModel(zone);
  if (model.fixed !== undefined) return wallMinute - model.fixed;
  const seg: Segment = { start: 0, end: 0, offset: 0, prevOffset: 0, nextOffset: 0 };
  // Try the offsets of the segments around the guess; the earliest consistent one wins.
  const guess = wallMinute - model.offsetAt(wallMinute);
  model.segment(guess, seg);
  const candidates = new Set<number>([seg.prevOffset, seg.offset, seg.nextOffset, model.offsetAt(guess - MINUTES_PER_DAY), model.offsetAt(guess + MINUTES_PER_DAY)]);
  let best = Infinity;
  for (const o of candidates) {
    const t = wallMinute - o;
    if (model.offsetAt(t) === o && t < best) best = t;
  }
  if (best !== Infinity) return best;
  // In a gap: the transition that skipped it.
  for (const tr of model.transitionsBetween(guess - MINUTES_PER_DAY, guess + MINUTES_PER_DAY)) {
    if (tr.to > tr.from && wallMinute >= tr.at + tr.from && wallMinute < tr.at + tr.to) return tr.at;
  }
  return guess;
}
