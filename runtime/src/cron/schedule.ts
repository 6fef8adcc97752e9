/**
 * Next-run computation: wall-clock semantics in a zone, under the DST policy of dst.ts.
 *
 * The zone's timeline is a series of segments with a constant offset. Inside a segment the
 * search runs on wall-clock minutes (nextWall: skip whole months, then days, then hours, then
 * minutes via the pattern's tables) and converts back by subtracting the offset; between
 * segments the DST policy decides what happens to wall times that are skipped or repeated.
 */
import { MINUTES_PER_DAY, MS_PER_MINUTE } from "./calendar";
import type { CronDialect } from "./dialects";
import { describePatterns } from "./describe";
import { runsAtGapEnd, skipsRepeatedWalls } from "./dst";
import type { CompiledPattern } from "./pattern";
import { nextWall } from "./wall-search";
import { zoneModel, type Segment, type Zone } from "./zone";

export interface CronSchedule {
  readonly mask: string;
  readonly dialect: CronDialect;
  /** First run strictly after `afterMs` (epoch ms), whole minutes, under the DST policy; undefined if none. */
  next(afterMs: number, zone: Zone): number | undefined;
  nextRuns(afterMs: number, zone: Zone, count: number): number[];
  /** English, e.g. "At 15:00 on Monday" / "Every 5 minutes". */
  describe(): string;
}

/**
 * How far a search may go. Valid masks always match within 28 years (Feb 29 on a given weekday
 * under cron4j's AND rule; 40 across a non-leap century year); the cap only guards against bugs.
 */
const HORIZON_MINUTES = 400 * 366 * MINUTES_PER_DAY;

export class CronScheduleImpl implements CronSchedule {
  constructor(
    readonly mask: string,
    readonly dialect: CronDialect,
    /** One per `|` alternative; a minute matched by several still runs once. */
    readonly patterns: readonly CompiledPattern[],
  ) {}

  next(afterMs: number, zone: Zone): number | undefined {
    if (typeof afterMs !== "number" || !Number.isFinite(afterMs)) return undefined;
    const start = Math.floor(afterMs / MS_PER_MINUTE) + 1;
    let best = Infinity;
    for (const p of this.patterns) {
      const t = nextForPattern(p, start, zone, best);
      if (t < best) best = t;
    }
    return best === Infinity ? undefined : best * MS_PER_MINUTE;
  }

  nextRuns(afterMs: number, zone: Zone, count: number): number[] {
    const out: number[] = [];
    let after = afterMs;
    for (let i = 0; i < count; i++) {
      const t = this.next(after, zone);
      if (t === undefined) break;
      out.push(t);
      after = t;
    }
    return out;
  }

  describe(): string {
    return describePatterns(this.patterns);
  }
}

const seg: Segment = { start: 0, end: 0, offset: 0, prevOffset: 0, nextOffset: 0 };

/** First UTC minute ≥ start (and < limit) at which pattern p runs in the zone, or Infinity. */
export function nextForPattern(p: CompiledPattern, start: number, zone: Zone, limit: number): number {
  const model = zoneModel(zone);
  const horizon = Math.min(limit, start + HORIZON_MINUTES);
  if (model.fixed !== undefined) {
    const o = model.fixed;
    const w = nextWall(p, start + o, horizon + o);
    return w < 0 ? Infinity : w - o;
  }
  let c = start;
  while (c < horizon) {
    model.segment(c, seg);
    // Rule 2: wall times skipped by the spring-forward that starts this segment run once, at the transition.
    if (c === seg.start && runsAtGapEnd(p, seg)) return c;
    const o = seg.offset;
    let from = c + o;
    // Rule 1: right after a fall-back, walls that already happened in the previous segment run only there.
    if (skipsRepeatedWalls(p, seg)) from = Math.max(from, seg.start + seg.prevOffset);
    const until = Math.min(seg.end, horizon) + o;
    if (from < until) {
      const w = nextWall(p, from, until);
      if (w >= 0) return w - o;
    }
    if (seg.end >= horizon) return Infinity;
    c = seg.end;
  }
  return Infinity;
}
