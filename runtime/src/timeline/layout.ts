/**
 * The schedule timeline (issue #9): every run of every task in a window, placed on an axis in a
 * display zone, with the DST changes of every zone involved and the collisions a runtime would
 * meet. Pure: the clock, the local zone and the maintenance offset are inputs, so tests pin them.
 *
 * Every run comes from the shared cron engine with the runtime's zone resolution
 * (`resolveRunTz(runtz, maintenanceOffset)` + `schedule.next`), so the picture cannot disagree
 * with what the scheduler will do, DST policy included. Text, SVG and the VS Code panel all
 * render this one layout.
 */
import { describeCron, formatInZone, offsetText, parseCron, resolveRunTz, zoneInfo, type Zone } from "../cron";
import { zoneColumnLabel, zoneLabel } from "../cron/zone";
import type { Range } from "../text/span";
import type { TimelineTask, TimelineTaskSource } from "./sources";

/** How many scheduled runs the runtime starts at once (issue #9: "default 4"). */
export const DEFAULT_PARALLEL_LIMIT = 4;
/** Beyond this many runs a row is cut off (an every-minute task fills 10080 in 7 days). */
export const DEFAULT_MAX_RUNS_PER_TASK = 20_000;
export const MAX_HOURS = 31 * 24;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface TimelineOptions {
  /** Start of the window (epoch ms). Runs at exactly this instant are included. */
  from: number;
  /** Length of the window in hours (24 and 168 in the panel; 1..744). */
  hours: number;
  /** "local" (default), "UTC", "maintenance" or an IANA zone. */
  displayZone?: string;
  /** What "local" means (default: the machine's zone); also the default crontab zone. */
  localZone?: string;
  /** The maintenance zone's offset in minutes, resolved by the caller as the runtime does (resolveMaintenanceOffset). */
  maintenanceOffsetMinutes: number;
  /** Runs starting in one minute beyond this are a collision (default 4). */
  parallelLimit?: number;
  /** Last measured run duration per task id (`module:tag`), in ms: a run that starts before the previous one would end overlaps it. */
  lastDurations?: ReadonlyMap<string, number>;
  maxRunsPerTask?: number;
}

export type RunFlag = "parallel" | "overlap";

export interface TimelineRun {
  /** Index into `rows`. */
  row: number;
  taskId: string;
  /** Epoch ms (whole minutes). */
  at: number;
  /** Position on the axis, 0 (window start) .. 1 (window end). */
  x: number;
  /** ISO 8601 in the display zone. */
  display: string;
  /** ISO 8601 in the task's own zone (for `maintenance`: on the maintenance clock). */
  local: string;
  flags: RunFlag[];
}

export interface TimelineRow {
  taskId: string;
  name: string;
  source: TimelineTaskSource;
  mask: string;
  /** The zone as written. */
  runtz: string;
  /** "Europe/Amsterdam", "UTC", "maintenance zone (UTC-01:23: runs 83 min after UTC)"; the runtz as written when it is invalid. */
  zoneLabel: string;
  /** The same for a table column: "maintenance (UTC-01:23)" (see `zoneColumnLabel`). */
  zoneColumnLabel: string;
  /** The zone's offset at the window's start ("+01:00"; for maintenance "-01:00", its clock behind UTC). */
  offsetAtStart?: string;
  /** "At 03:00 every day, Europe/Amsterdam". */
  description?: string;
  /** The declaration's own description attribute. */
  note?: string;
  file?: string;
  range?: Range;
  runCount: number;
  /** More runs than maxRunsPerTask: the row stops early. */
  truncated?: boolean;
  lastDurationMs?: number;
  /** Why the row has no runs: no mask, an invalid mask or zone. */
  problem?: string;
}

export interface DstMark {
  /** Epoch ms of the transition. */
  at: number;
  x: number;
  zone: string;
  fromOffset: string;
  toOffset: string;
  /** Signed minutes the wall clock jumps (+60 spring forward, -60 fall back, +30 Lord Howe). */
  shiftMinutes: number;
  /** The wall clock before and after, in that zone ("02:00" → "03:00"). */
  wallBefore: string;
  wallAfter: string;
  /** True when it is the display zone's own transition (the axis labels jump there). */
  displayZone: boolean;
  /** Rows of tasks in this zone. */
  rows: number[];
  /** "Europe/Amsterdam: +01:00 → +02:00, clocks go forward 1 h (02:00 → 03:00)". */
  text: string;
}

export type Collision =
  | {
      kind: "parallel";
      /** The minute (epoch ms). */
      at: number;
      x: number;
      display: string;
      count: number;
      limit: number;
      /** Indexes into `runs`. */
      runs: number[];
      text: string;
    }
  | {
      kind: "overlap";
      at: number;
      x: number;
      display: string;
      row: number;
      /** Index into `runs` of the run that starts too early. */
      run: number;
      /** Start of the previous run (may lie before the window). */
      previousAt: number;
      durationMs: number;
      text: string;
    };

export interface AxisTick {
  at: number;
  x: number;
  /** "03:00" (wall clock of the display zone). */
  label: string;
  /** A wall-clock midnight: the day's label ("Sun 29 Mar") is in dayLabel. */
  day: boolean;
  dayLabel?: string;
  hour: number;
}

export interface Timeline {
  from: number;
  to: number;
  hours: number;
  /** ISO of from/to in the display zone. */
  fromText: string;
  toText: string;
  displayZone: { name: string; label: string; zone: Zone };
  parallelLimit: number;
  maintenanceOffsetMinutes: number;
  rows: TimelineRow[];
  /** Sorted by instant, then row. */
  runs: TimelineRun[];
  dstMarks: DstMark[];
  collisions: Collision[];
  ticks: AxisTick[];
}

/** Resolves a display zone as typed ("local", "UTC", "utc", "maintenance", an IANA name). */
export function resolveDisplayZone(name: string | undefined, localZone: string, maintenanceOffsetMinutes: number): { zone: Zone; name: string; label: string } | { error: string } {
  const raw = (name ?? "local").trim();
  if (raw === "" || raw.toLowerCase() === "local") {
    const r = resolveRunTz(localZone === "UTC" ? "" : localZone, maintenanceOffsetMinutes);
    const zone: Zone = r.zone ?? { kind: "utc" };
    return { zone, name: "local", label: `${zoneLabel(zone)} (local)` };
  }
  if (raw.toLowerCase() === "utc") return { zone: { kind: "utc" }, name: "UTC", label: "UTC" };
  const r = resolveRunTz(raw, maintenanceOffsetMinutes);
  if (!r.zone) return { error: r.issues[0]?.message ?? `unknown time zone '${raw}'` };
  return { zone: r.zone, name: raw, label: zoneLabel(r.zone) };
}

function zoneKey(z: Zone): string {
  return z.kind === "iana" ? z.name : z.kind === "utc" ? "UTC" : `maintenance:${z.offsetMinutes}`;
}

/** "02:00" from an ISO time. */
function wallOf(iso: string): string {
  return iso.slice(11, 16);
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Sun 29 Mar" from an ISO time (its date part is the wall date in the zone). */
export function dayLabelOf(iso: string): string {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  return `${WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]} ${d} ${MONTHS[m - 1]}`;
}

/** "1 h", "30 min", "1 h 30 min". */
export function durationText(ms: number): string {
  const totalMin = Math.round(Math.abs(ms) / MINUTE);
  if (totalMin === 0) return `${Math.max(1, Math.round(Math.abs(ms) / 1000))} s`;
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  if (h >= 48 && m === 0 && h % 24 === 0) return `${h / 24} days`;
  return h && m ? `${h} h ${m} min` : h ? `${h} h` : `${m} min`;
}

export function computeTimeline(tasks: readonly TimelineTask[], o: TimelineOptions): Timeline {
  if (!Number.isFinite(o.from)) throw new RangeError("timeline: 'from' must be a time");
  if (!Number.isFinite(o.hours) || o.hours <= 0 || o.hours > MAX_HOURS) throw new RangeError(`timeline: hours must be between 1 and ${MAX_HOURS}`);
  const from = o.from;
  const to = from + o.hours * HOUR;
  const span = to - from;
  const xOf = (t: number) => (t - from) / span;
  const localZone = o.localZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
  const display = resolveDisplayZone(o.displayZone, localZone, o.maintenanceOffsetMinutes);
  if ("error" in display) throw new RangeError(`timeline: ${display.error}`);
  const dz = display.zone;
  const limit = o.parallelLimit ?? DEFAULT_PARALLEL_LIMIT;
  const maxRuns = o.maxRunsPerTask ?? DEFAULT_MAX_RUNS_PER_TASK;

  const rows: TimelineRow[] = [];
  const runs: TimelineRun[] = [];
  const collisions: Collision[] = [];
  const rowZones: (Zone | undefined)[] = [];
  /** Per row: the start of the run before the window, when a duration could make the first run overlap it. */
  const overlapChecks: { row: number; runIndexes: number[]; before: number | undefined; duration: number }[] = [];

  for (const task of tasks) {
    const rowIndex = rows.length;
    const row: TimelineRow = { taskId: task.id, name: task.name, source: task.source, mask: task.mask, runtz: task.runtz, zoneLabel: task.runtz || "UTC", zoneColumnLabel: task.runtz || "UTC", runCount: 0 };
    if (task.description) row.note = task.description;
    if (task.file) row.file = task.file;
    if (task.range) row.range = task.range;
    const duration = o.lastDurations?.get(task.id);
    if (duration !== undefined && Number.isFinite(duration) && duration >= 0) row.lastDurationMs = duration;
    rows.push(row);
    rowZones.push(undefined);

    const tz = resolveRunTz(task.runtz, o.maintenanceOffsetMinutes);
    if (tz.zone) {
      row.zoneLabel = zoneLabel(tz.zone);
      row.zoneColumnLabel = zoneColumnLabel(tz.zone);
      row.offsetAtStart = zoneInfo(tz.zone, from).offsetText;
      rowZones[rowIndex] = tz.zone;
    }
    if (task.mask.trim() === "") {
      row.problem = "no schedule: runs only at startup or by hand";
      continue;
    }
    const compiled = parseCron(task.mask, task.dialect);
    if (!compiled.schedule) {
      row.problem = `invalid mask: ${compiled.issues.find((i) => i.severity === "error")?.message ?? "the mask has errors"}`;
      continue;
    }
    if (!tz.zone) {
      row.problem = `invalid zone: ${tz.issues[0]?.message ?? task.runtz}`;
      continue;
    }
    const zone = tz.zone;
    const schedule = compiled.schedule;
    row.description = describeCron(schedule, zone);

    // With a known duration, look back that far for the run before the window: it may still be running.
    let before: number | undefined;
    if (row.lastDurationMs !== undefined && row.lastDurationMs > 0) {
      const lookBack = Math.min(row.lastDurationMs, 31 * 24 * HOUR);
      for (let t = schedule.next(from - lookBack - 1, zone); t !== undefined && t < from; t = schedule.next(t, zone)) before = t;
    }
    const mine: number[] = [];
    for (let t = schedule.next(from - 1, zone); t !== undefined && t < to; t = schedule.next(t, zone)) {
      if (mine.length >= maxRuns) {
        row.truncated = true;
        break;
      }
      mine.push(runs.length);
      runs.push({ row: rowIndex, taskId: task.id, at: t, x: xOf(t), display: formatInZone(t, dz), local: formatInZone(t, zone), flags: [] });
    }
    row.runCount = mine.length;
    if (row.lastDurationMs !== undefined && row.lastDurationMs > 0) overlapChecks.push({ row: rowIndex, runIndexes: mine, before, duration: row.lastDurationMs });
  }

  // (b) A run that starts while the task's previous run (given its last duration) still runs.
  for (const c of overlapChecks) {
    let prev = c.before;
    for (const i of c.runIndexes) {
      const r = runs[i]!;
      if (prev !== undefined && prev + c.duration > r.at) {
        r.flags.push("overlap");
        const row = rows[c.row]!;
        collisions.push({
          kind: "overlap",
          at: r.at,
          x: r.x,
          display: r.display,
          row: c.row,
          run: i,
          previousAt: prev,
          durationMs: c.duration,
          text: `${row.name} starts at ${wallOf(r.display)} while its run of ${wallOf(formatInZone(prev, dz))} is expected to take ${durationText(c.duration)} (until ${wallOf(formatInZone(prev + c.duration, dz))})`,
        });
      }
      prev = r.at;
    }
  }

  // Sort once: by instant, then row order. Keep the run indexes in the collisions valid.
  const order = runs.map((_, i) => i).sort((a, b) => runs[a]!.at - runs[b]!.at || runs[a]!.row - runs[b]!.row);
  const newIndex = new Array<number>(runs.length);
  order.forEach((oldI, newI) => (newIndex[oldI] = newI));
  const sorted = order.map((i) => runs[i]!);
  for (const c of collisions) if (c.kind === "overlap") c.run = newIndex[c.run]!;

  // (a) More `<task>` runs starting in one minute than the runtime starts at once. Crontab
  // lines run in the background pool, which that limit does not cover: they are not counted.
  const limited = (k: number) => rows[sorted[k]!.row]!.source === "moduledefinition";
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    const minute = Math.floor(sorted[i]!.at / MINUTE);
    while (j < sorted.length && Math.floor(sorted[j]!.at / MINUTE) === minute) j++;
    const idx: number[] = [];
    for (let k = i; k < j; k++) if (limited(k)) idx.push(k);
    const count = idx.length;
    if (count > limit) {
      for (const k of idx) sorted[k]!.flags.push("parallel");
      const r = sorted[i]!;
      collisions.push({ kind: "parallel", at: r.at, x: r.x, display: r.display, count, limit, runs: idx, text: `${count} runs start at ${wallOf(r.display)}, more than the ${limit} the runtime starts at once: ${[...new Set(idx.map((k) => rows[sorted[k]!.row]!.name))].join(", ")}` });
    }
    i = j;
  }
  collisions.sort((a, b) => a.at - b.at || (a.kind === b.kind ? 0 : a.kind === "parallel" ? -1 : 1));

  return {
    from,
    to,
    hours: o.hours,
    fromText: formatInZone(from, dz),
    toText: formatInZone(to, dz),
    displayZone: { name: display.name, label: display.label, zone: dz },
    parallelLimit: limit,
    maintenanceOffsetMinutes: o.maintenanceOffsetMinutes,
    rows,
    runs: sorted,
    dstMarks: dstMarksOf(rowZones, dz, from, to, xOf),
    collisions,
    ticks: ticksOf(dz, from, to, xOf),
  };
}

/** Every transition inside [from, to) of the rows' zones and of the display zone, one mark per zone. */
function dstMarksOf(rowZones: (Zone | undefined)[], dz: Zone, from: number, to: number, xOf: (t: number) => number): DstMark[] {
  const zones = new Map<string, { zone: Zone; rows: number[]; display: boolean }>();
  rowZones.forEach((z, i) => {
    if (!z || z.kind !== "iana") return;
    const k = zoneKey(z);
    const e = zones.get(k) ?? { zone: z, rows: [], display: false };
    e.rows.push(i);
    zones.set(k, e);
  });
  if (dz.kind === "iana") {
    const k = zoneKey(dz);
    const e = zones.get(k) ?? { zone: dz, rows: [], display: false };
    e.display = true;
    zones.set(k, e);
  }
  const out: DstMark[] = [];
  for (const { zone, rows, display } of zones.values()) {
    let t = from - 1;
    for (;;) {
      const next = zoneInfo(zone, t).nextTransition;
      if (!next || next.atMs >= to) break;
      if (next.atMs >= from) {
        const shift = next.toOffsetMinutes - next.fromOffsetMinutes;
        // The wall clock at the instant of the change, on the old clock and on the new one.
        const wallBefore = wallClockText(next.atMs, next.fromOffsetMinutes);
        const wallAfter = wallClockText(next.atMs, next.toOffsetMinutes);
        const name = zoneLabel(zone);
        out.push({
          at: next.atMs,
          x: xOf(next.atMs),
          zone: name,
          fromOffset: offsetText(next.fromOffsetMinutes),
          toOffset: offsetText(next.toOffsetMinutes),
          shiftMinutes: shift,
          wallBefore,
          wallAfter,
          displayZone: display,
          rows,
          text: `${name}: ${offsetText(next.fromOffsetMinutes)} → ${offsetText(next.toOffsetMinutes)}, clocks go ${shift > 0 ? "forward" : "back"} ${durationText(Math.abs(shift) * MINUTE)} (${wallBefore} → ${wallAfter})`,
        });
      }
      t = next.atMs;
    }
  }
  return out.sort((a, b) => a.at - b.at || a.zone.localeCompare(b.zone));
}

/** The wall clock an instant would show at a given offset ("02:00" for the instant of a spring-forward, on the old clock). */
function wallClockText(at: number, offsetMinutes: number): string {
  const wall = Math.floor(at / MINUTE) + offsetMinutes;
  const m = ((wall % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** Whole wall-clock hours of the display zone inside the window (twice for a repeated hour, none for a skipped one). */
function ticksOf(dz: Zone, from: number, to: number, xOf: (t: number) => number): AxisTick[] {
  const out: AxisTick[] = [];
  // Every offset in the tz database is a multiple of 15 minutes (historic LMT offsets aside), so
  // checking quarter hours finds every wall-clock full hour, 30- and 45-minute zones included.
  const QUARTER = 15 * MINUTE;
  for (let t = Math.ceil(from / QUARTER) * QUARTER; t < to; t += QUARTER) {
    const iso = formatInZone(t, dz);
    if (iso.slice(14, 16) !== "00") continue;
    const hour = Number(iso.slice(11, 13));
    const tick: AxisTick = { at: t, x: xOf(t), label: wallOf(iso), day: hour === 0, hour };
    if (hour === 0) tick.dayLabel = dayLabelOf(iso);
    out.push(tick);
  }
  return out;
}
