/**
 * An independent brute-force oracle for the cron engine. It shares no code with
 * runtime/src/cron: masks are generated together with the value sets they stand for (so the
 * oracle never parses), wall clocks come straight from Intl (memoised per UTC day, refined per
 * hour and minute where the offset changes), calendar facts come from Date's UTC getters, and
 * the DST policy is re-implemented minute by minute from its definition in the README:
 *
 *   1. a UTC minute runs if its wall time matches, except a wall time that already occurred
 *      (fall-back overlap) runs again only for an hourly alternative;
 *   2. at a spring-forward transition, a non-hourly alternative that matches any skipped wall
 *      time of the gap runs once, at the transition.
 */
import type { CronDialect } from "../../runtime/src/cron";
import { prng } from "../helpers/prng";
export { prng };

// ---------------------------------------------------------------- seeded PRNG


// ---------------------------------------------------------------- generated masks with their meaning

export interface OracleAlt {
  minutes: boolean[];
  hours: boolean[];
  doms: boolean[];
  lastDom: boolean;
  months: boolean[];
  dows: boolean[];
  dayOr: boolean;
  hourly: boolean;
}

export interface GeneratedMask {
  text: string;
  alts: OracleAlt[];
}

interface GenField {
  text: string;
  values: number[];
  lastDom?: boolean;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

type FieldKind = "minute" | "hour" | "dom" | "month" | "dow";
const LIMITS: Record<FieldKind, [number, number]> = { minute: [0, 59], hour: [0, 23], dom: [1, 31], month: [1, 12], dow: [0, 7] };

class Gen {
  constructor(
    private readonly rnd: () => number,
    private readonly dialect: CronDialect,
  ) {}

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }

  /** A value for a field, biased towards the hours where DST transitions happen. */
  value(kind: FieldKind): number {
    const [lo, hi] = LIMITS[kind];
    if (kind === "hour" && this.chance(0.6)) return this.pick([0, 1, 2, 3, 23, 22, 4]);
    if (kind === "minute" && this.chance(0.3)) return this.pick([0, 30, 45, 15, 59]);
    return this.int(lo, hi);
  }

  valueText(kind: FieldKind, v: number): string {
    if (this.dialect !== "webhare" && kind === "month" && this.chance(0.3)) return this.caseOf(MONTHS[v - 1]!);
    if (this.dialect !== "webhare" && kind === "dow" && v < 7 && this.chance(0.3)) return this.caseOf(DAYS[v]!);
    return String(v);
  }

  caseOf(s: string): string {
    return this.pick([s, s.toUpperCase(), s[0]!.toUpperCase() + s.slice(1)]);
  }

  step(kind: FieldKind): number {
    const [lo, hi] = LIMITS[kind];
    const steps = kind === "minute" ? [2, 3, 5, 7, 10, 13, 15, 20, 30, 1] : kind === "hour" ? [2, 3, 4, 5, 6, 7, 12, 1] : kind === "dom" ? [2, 3, 5, 7, 10, 15] : kind === "month" ? [2, 3, 4, 6] : [2, 3];
    return Math.min(this.pick(steps), hi - lo);
  }

  field(kind: FieldKind): GenField {
    const [lo, hi] = LIMITS[kind];
    const allowRanges = this.dialect !== "webhare";
    const starP = { minute: 0.08, hour: 0.35, dom: 0.7, month: 0.8, dow: 0.65 }[kind];
    if (this.chance(starP)) return { text: "*", values: range(lo, hi) };
    const r = this.rnd();
    if (r < 0.15) {
      // */n
      const n = this.step(kind);
      return { text: `*/${n}`, values: stepped(range(lo, hi), n) };
    }
    if (r < 0.2) {
      // a/n: to the maximum (webhare, extended); just a in cron4j
      const a = this.int(lo, Math.min(hi, lo + 10));
      const n = this.step(kind);
      return { text: `${a}/${n}`, values: this.dialect === "prudence" ? [a] : stepped(range(a, hi), n) };
    }
    if (kind === "dom" && this.dialect === "prudence" && r < 0.3) {
      // L, alone or in a list
      if (this.chance(0.5)) return { text: "L", values: [], lastDom: true };
      const v = this.int(1, 28);
      return { text: this.chance(0.5) ? `${v},L` : `L,${v}`, values: [v], lastDom: true };
    }
    if (allowRanges && r < 0.45) return this.rangeField(kind);
    if (r < 0.75) {
      const v = this.value(kind);
      return { text: this.valueText(kind, v), values: [v] };
    }
    // A list of 2-4 items (with ranges in the relaxed dialects).
    const count = this.int(2, 4);
    const texts: string[] = [];
    const values: number[] = [];
    for (let i = 0; i < count; i++) {
      if (allowRanges && this.chance(0.3)) {
        const f = this.rangeField(kind);
        texts.push(f.text);
        values.push(...f.values);
      } else {
        const v = this.value(kind);
        texts.push(this.valueText(kind, v));
        values.push(v);
      }
    }
    return { text: texts.join(","), values };
  }

  rangeField(kind: FieldKind): GenField {
    const [lo, hi] = LIMITS[kind];
    let a = this.value(kind);
    let b = this.value(kind);
    const wrap = this.dialect === "prudence" && a > b && this.chance(0.7);
    if (!wrap && a > b) [a, b] = [b, a];
    // cron4j: a reversed range wraps around the field (22-2 = 22,23,0,1,2); a step counts along that list.
    const list = a <= b ? range(a, b) : [...range(a, hi), ...range(lo, b)];
    const withStep = this.chance(0.35);
    const n = withStep ? Math.max(1, Math.min(this.step(kind), hi - lo)) : 1;
    const text = `${this.valueText(kind, a)}-${this.valueText(kind, b)}${withStep ? `/${n}` : ""}`;
    return { text, values: stepped(list, n) };
  }

  alt(): { text: string; alt: OracleAlt } | undefined {
    const kinds: FieldKind[] = ["minute", "hour", "dom", "month", "dow"];
    const fields = kinds.map((k) => this.field(k));
    const [mi, ho, dm, mo, dw] = fields as [GenField, GenField, GenField, GenField, GenField];
    const toSet = (vs: number[], size: number, mod?: number) => {
      const s = new Array<boolean>(size).fill(false);
      for (const v of vs) s[mod ? v % mod : v] = true;
      return s;
    };
    const restricted = (t: string) => (this.dialect === "extended" ? !t.startsWith("*") : t !== "*");
    const alt: OracleAlt = {
      minutes: toSet(mi.values, 60),
      hours: toSet(ho.values, 24),
      doms: toSet(dm.values, 32),
      lastDom: dm.lastDom === true,
      months: toSet(mo.values, 13),
      dows: toSet(dw.values, 7, 7),
      dayOr: this.dialect !== "prudence" && restricted(dm.text) && restricted(dw.text),
      hourly: ho.values.length > 0 && range(0, 23).every((h) => ho.values.includes(h)),
    };
    // Skip impossible combinations (the engine rejects them: a separate test covers that).
    if (!alt.dayOr && !alt.lastDom) {
      const maxDays = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
      let possible = false;
      for (let m = 1; m <= 12 && !possible; m++) if (alt.months[m]) for (let d = 1; d <= maxDays[m]!; d++) if (alt.doms[d]) possible = true;
      if (!possible) return undefined;
    }
    return { text: fields.map((f) => f.text).join(this.pick([" ", " ", "  ", "\t"])), alt };
  }

  mask(): GeneratedMask {
    for (;;) {
      if (this.dialect === "extended" && this.chance(0.03)) {
        const nick = this.pick(["@hourly", "@daily", "@midnight", "@weekly"]);
        const all = (n: number) => new Array<boolean>(n).fill(true);
        const only = (n: number, v: number) => new Array<boolean>(n).fill(false).map((_, i) => i === v);
        const hourly = nick === "@hourly";
        return {
          text: nick,
          alts: [{ minutes: only(60, 0), hours: hourly ? all(24) : only(24, 0), doms: all(32), lastDom: false, months: all(13), dows: nick === "@weekly" ? only(7, 0) : all(7), dayOr: false, hourly }],
        };
      }
      const n = this.dialect === "prudence" ? this.pick([1, 1, 2, 2, 3]) : 1;
      const parts: string[] = [];
      const alts: OracleAlt[] = [];
      for (let i = 0; i < n; i++) {
        const a = this.alt();
        if (!a) break;
        parts.push(a.text);
        alts.push(a.alt);
      }
      if (alts.length !== n) continue;
      return { text: parts.join(this.pick(["|", " | ", "| ", " |"])), alts };
    }
  }
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let v = a; v <= b; v++) out.push(v);
  return out;
}

function stepped(list: number[], n: number): number[] {
  return list.filter((_, i) => i % n === 0);
}

export function generateMasks(dialect: CronDialect, seed: number, count: number): GeneratedMask[] {
  const g = new Gen(prng(seed), dialect);
  const out: GeneratedMask[] = [];
  for (let i = 0; i < count; i++) out.push(g.mask());
  return out;
}

// ---------------------------------------------------------------- wall clocks from Intl

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

export class OracleZone {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly atMinute = new Map<number, number>();
  private readonly dayStart = new Map<number, number>();
  /** One-entry cache: minutes [lo, hi) are known to have offset `off`. */
  private lo = 1;
  private hi = 0;
  private off = 0;

  constructor(readonly name: string) {
    this.fmt = new Intl.DateTimeFormat("en-US", { timeZone: name, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
  }

  /** Offset (wall − UTC, minutes) at a UTC minute, straight from Intl. */
  intl(utcMinute: number): number {
    const cached = this.atMinute.get(utcMinute);
    if (cached !== undefined) return cached;
    const p: Record<string, number> = {};
    for (const part of this.fmt.formatToParts(utcMinute * MINUTE_MS)) if (part.type !== "literal") p[part.type] = Number(part.value);
    const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!);
    const o = Math.round((wall - utcMinute * MINUTE_MS) / MINUTE_MS);
    this.atMinute.set(utcMinute, o);
    return o;
  }

  private dayOffset(day: number): number {
    let o = this.dayStart.get(day);
    if (o === undefined) this.dayStart.set(day, (o = this.intl(day * DAY_MINUTES)));
    return o;
  }

  /** Offset at a UTC minute: per day when the day starts and ends with the same offset, else per hour, else per minute. */
  offset(t: number): number {
    if (t >= this.lo && t < this.hi) return this.off;
    const day = Math.floor(t / DAY_MINUTES);
    const a = this.dayOffset(day);
    if (a === this.dayOffset(day + 1)) {
      this.lo = day * DAY_MINUTES;
      this.hi = this.lo + DAY_MINUTES;
      this.off = a;
      return a;
    }
    const hour = Math.floor(t / 60);
    const h0 = this.intl(hour * 60);
    if (h0 === this.intl(hour * 60 + 60)) {
      this.lo = hour * 60;
      this.hi = this.lo + 60;
      this.off = h0;
      return h0;
    }
    return this.intl(t);
  }

  /** UTC minutes at which the offset changes within [fromMinute, toMinute). */
  transitions(fromMinute: number, toMinute: number): number[] {
    const out: number[] = [];
    for (let day = Math.floor(fromMinute / DAY_MINUTES); day * DAY_MINUTES < toMinute; day++) {
      if (this.dayOffset(day) === this.dayOffset(day + 1)) continue;
      for (let t = day * DAY_MINUTES + 1; t <= (day + 1) * DAY_MINUTES; t++) if (this.offset(t) !== this.offset(t - 1)) out.push(t);
    }
    return out;
  }
}

// ---------------------------------------------------------------- the walk

interface WallFields {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
  daysInMonth: number;
}

class WallCache {
  private dayNo = NaN;
  private readonly f: WallFields = { minute: 0, hour: 0, day: 0, month: 0, weekday: 0, daysInMonth: 0 };
  at(wall: number): WallFields {
    const day = Math.floor(wall / DAY_MINUTES);
    if (day !== this.dayNo) {
      const d = new Date(day * DAY_MINUTES * MINUTE_MS);
      this.dayNo = day;
      this.f.day = d.getUTCDate();
      this.f.month = d.getUTCMonth() + 1;
      this.f.weekday = d.getUTCDay();
      this.f.daysInMonth = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    }
    const mod = wall - day * DAY_MINUTES;
    this.f.hour = Math.floor(mod / 60);
    this.f.minute = mod % 60;
    return this.f;
  }
}

function matches(a: OracleAlt, f: WallFields): boolean {
  if (!a.minutes[f.minute] || !a.hours[f.hour] || !a.months[f.month]) return false;
  const domOk = a.doms[f.day] === true || (a.lastDom && f.day === f.daysInMonth);
  const dowOk = a.dows[f.weekday] === true;
  return a.dayOr ? domOk || dowOk : domOk && dowOk;
}

/** The first `count` runs (epoch ms) strictly after afterMs, looking at most `capMinutes` ahead. */
export function oracleRuns(mask: GeneratedMask, zone: OracleZone, afterMs: number, count: number, capMinutes: number): number[] {
  const runs: number[] = [];
  const s = Math.floor(afterMs / MINUTE_MS) + 1;
  const wc = new WallCache();
  const gapCache = new WallCache();
  let prevOff = zone.offset(s - 1);
  for (let t = s; t < s + capMinutes && runs.length < count; t++) {
    const off = zone.offset(t);
    const wall = t + off;
    const f = wc.at(wall);
    let run = false;
    let second: boolean | undefined;
    for (const a of mask.alts) {
      if (!matches(a, f)) continue;
      if (a.hourly) {
        run = true;
        break;
      }
      if (second === undefined) {
        // Has this wall time occurred before? Only possible when the offset changed within the last day.
        const before = zone.offset(t - DAY_MINUTES);
        second = before !== off && wall - before < t && zone.offset(wall - before) === before;
      }
      if (!second) {
        run = true;
        break;
      }
    }
    if (!run && off > prevOff) {
      // Spring forward at t: wall times [t + prevOff, t + off) never happened.
      for (let w = t + prevOff; w < t + off && !run; w++) {
        const g = gapCache.at(w);
        for (const a of mask.alts) if (!a.hourly && matches(a, g)) run = true;
      }
    }
    prevOff = off;
    if (run) runs.push(t * MINUTE_MS);
  }
  return runs;
}
