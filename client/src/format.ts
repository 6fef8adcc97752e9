/**
 * Plain-text formatting of times and durations for labels, tooltips and notifications.
 * No `vscode` import (unit-tested without VS Code).
 */
import { formatInZone, resolveRunTz, type Zone } from "../../runtime/src/cron";

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** "2 h", "35 min", "12 s", "850 ms": the largest unit that makes sense. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  if (abs < 60_000) return `${Math.round(abs / 1000)} s`;
  if (abs < 3_600_000) return `${Math.round(abs / 60_000)} min`;
  if (abs < 2 * 86_400_000) return `${Math.round(abs / 3_600_000)} h`;
  return `${Math.round(abs / 86_400_000)} d`;
}

/** "in 3 h" / "5 min ago" / "now". */
export function formatRelative(ms: number, now: number): string {
  const d = ms - now;
  if (Math.abs(d) < 1000) return "now";
  return d > 0 ? `in ${formatDuration(d)}` : `${formatDuration(d)} ago`;
}

/** Local wall time, "2026-11-23 15:00:07" (the extension host's zone). */
export function formatLocal(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The zone a `runtz` value stands for (UTC when empty or unknown). */
export function zoneOf(runtz: string, maintenanceOffsetMinutes: number): Zone {
  return resolveRunTz(runtz, maintenanceOffsetMinutes).zone ?? { kind: "utc" };
}

/** A zone's short name for labels: "Europe/Amsterdam", "UTC", "maintenance". */
export function zoneName(runtz: string): string {
  return runtz === "" ? "UTC" : runtz;
}

/** "Mon 2026-11-23 15:00 Europe/Amsterdam": a run time on the schedule's own clock. */
export function formatInScheduleZone(ms: number, runtz: string, maintenanceOffsetMinutes: number): string {
  const iso = formatInZone(ms, zoneOf(runtz, maintenanceOffsetMinutes));
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number) as [number, number, number];
  const weekday = WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return `${weekday} ${iso.slice(0, 10)} ${iso.slice(11, 16)} ${zoneName(runtz)}`;
}

/** One line of JSON for a label or a notification, cut to `max` characters. */
export function jsonPreview(value: unknown, max = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? "undefined";
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** First line of an error message, cut to `max` characters. */
export function firstLine(text: string, max = 120): string {
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
