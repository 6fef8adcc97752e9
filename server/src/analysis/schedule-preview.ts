/**
 * Schedules as users see them in the editor: a `runat` + `runtz` pair (or a crontab pattern)
 * resolved through the shared cron engine into a zone, a description and the next runs, plus
 * the short and long time formats that hovers, CodeLenses and inlay hints print. Every instant
 * comes from the engine; this file only formats.
 */
import {
  describeCron,
  parseCron,
  resolveRunTz,
  zoneInfo,
  zoneLabel,
  type CronDialect,
  type CronSchedule,
  type MaintenanceOffset,
  type Zone,
} from "../../../runtime/src/cron/index";

export interface ScheduleView {
  runat: string;
  runtz: string;
  dialect: CronDialect;
  zone?: Zone;
  /** "Europe/Amsterdam", "UTC", "maintenance zone (UTC-01:23: runs 83 min after UTC)". */
  zoneLabel: string;
  schedule?: CronSchedule;
  /** "At 15:00 on Monday" (without the zone). */
  description?: string;
  /** Why there is no schedule: no mask, or the first error of the mask or zone. */
  problem?: string;
}

/** Resolves a mask and a zone as written; never throws. */
export function scheduleView(runat: string, runtz: string, dialect: CronDialect, maintenanceOffsetMinutes: number): ScheduleView {
  const tz = resolveRunTz(runtz, maintenanceOffsetMinutes);
  const view: ScheduleView = { runat, runtz, dialect, zoneLabel: tz.zone ? zoneLabel(tz.zone) : runtz };
  if (tz.zone) view.zone = tz.zone;
  else view.problem = tz.issues[0]?.message ?? `unknown time zone '${runtz}'`;
  if (runat.trim() === "") {
    view.problem ??= "no runat: runs only at startup (runatstartup) or when triggered by hand";
    return view;
  }
  const compiled = parseCron(runat, dialect);
  if (compiled.schedule) {
    view.schedule = compiled.schedule;
    view.description = compiled.schedule.describe();
  } else {
    const err = compiled.issues.find((i) => i.severity === "error");
    view.problem = `invalid runat: ${err?.message ?? "the mask has errors"}`;
  }
  return view;
}

/** The next `count` runs after `now`, or [] when the schedule cannot run. */
export function nextRuns(view: ScheduleView, now: number, count: number): number[] {
  if (!view.schedule || !view.zone) return [];
  try {
    return view.schedule.nextRuns(now, view.zone, count);
  } catch {
    return [];
  }
}

export function describeView(view: ScheduleView): string | undefined {
  return view.schedule && view.zone ? describeCron(view.schedule, view.zone) : undefined;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** The wall clock of an instant in a zone (offset from the engine's zone model). */
export function wallClock(ms: number, zone: Zone): { date: Date; offsetMinutes: number } {
  let offsetMinutes = 0;
  try {
    offsetMinutes = zoneInfo(zone, ms).offsetMinutes;
  } catch {
    offsetMinutes = 0;
  }
  return { date: new Date(ms + offsetMinutes * 60_000), offsetMinutes };
}

export function offsetLabel(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? "-" : "+";
  const a = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** "Mon 15:00" */
export function formatShort(ms: number, zone: Zone): string {
  const { date } = wallClock(ms, zone);
  return `${DAYS[date.getUTCDay()]} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/** "Mon 2026-03-23 15:00" */
export function formatLong(ms: number, zone: Zone): string {
  const { date } = wallClock(ms, zone);
  return `${DAYS[date.getUTCDay()]} ${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/** "in 3 h", "in 25 min", "in 1 h 20 min", "in 12 d". */
export function formatRelative(ms: number, now: number): string {
  if (ms - now < 60_000) return "in < 1 min";
  const minutes = Math.round((ms - now) / 60_000);
  if (minutes < 60) return `in ${minutes} min`;
  if (minutes < 120) return minutes % 60 === 0 ? "in 1 h" : `in 1 h ${minutes % 60} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in ${hours} h`;
  return `in ${Math.round(minutes / 1440)} d`;
}

/** "Mon 15:00 (in 3 h)", with the date when the run is more than 6 days away. */
export function formatNext(ms: number, zone: Zone, now: number): string {
  const when = ms - now > 6 * 86_400_000 ? formatLong(ms, zone) : formatShort(ms, zone);
  return `${when} (${formatRelative(ms, now)})`;
}

/** Where the maintenance offset comes from, in words. */
export function maintenanceSource(m: MaintenanceOffset): string {
  switch (m.source) {
    case "env":
      return "from WEBHARE_MAINTENANCE_OFFSET";
    case "override":
      return "from the modtasks.maintenanceOffset setting";
    case "stored":
      return m.file ? `stored in ${m.file}, shared with the runtime` : "stored for this installation";
    case "created":
      return m.file ? `chosen at random for this installation and stored in ${m.file}` : "chosen at random (could not be stored: the runtime may choose another)";
  }
}

/** A Markdown table of the next runs in the zone and in UTC. */
export function runsTable(runs: number[], zone: Zone, label: string, now: number): string {
  if (runs.length === 0) return "";
  const utc = zone.kind === "utc";
  const rows = runs.map((ms, i) => {
    const { offsetMinutes } = wallClock(ms, zone);
    const local = `${formatLong(ms, zone)}${utc ? "" : ` (${offsetLabel(offsetMinutes)})`}`;
    const rel = i === 0 ? ` · ${formatRelative(ms, now)}` : "";
    return utc ? `| ${local}${rel} |` : `| ${local}${rel} | ${formatLong(ms, { kind: "utc" })} |`;
  });
  const head = utc ? `| ${label} |\n|---|` : `| ${label} | UTC |\n|---|---|`;
  return `${head}\n${rows.join("\n")}`;
}
