/**
 * ISO 8601 with the zone's offset ("2026-11-23T15:00:00+01:00"): what the CLI prints and what
 * hovers show, so a user reads the time on the schedule's own clock and the instant at once.
 * UTC is written "+00:00", never "Z", so every line has the same shape.
 */
import { daysFromCivil, daysInMonth, formatDate, MINUTES_PER_DAY, MS_PER_MINUTE, pad2, wallFromMinutes } from "./calendar";
import { offsetText, wallToUtcMinute, zoneModel, type Zone } from "./zone";

export function formatInZone(ms: number, zone: Zone): string {
  if (!Number.isFinite(ms)) return String(ms);
  const minute = Math.floor(ms / MS_PER_MINUTE);
  const rest = ms - minute * MS_PER_MINUTE;
  const offset = zoneModel(zone).offsetAt(minute);
  const wall = wallFromMinutes(minute + offset);
  const seconds = Math.floor(rest / 1000);
  const millis = Math.round(rest - seconds * 1000);
  const frac = millis ? `.${String(millis).padStart(3, "0")}` : "";
  return `${formatDate(wall)}T${pad2(wall.hour)}:${pad2(wall.minute)}:${pad2(seconds)}${frac}${offsetText(offset)}`;
}

/** Parses "2026-03-29T02:30[:00[.000]][Z|±hh:mm]" or a date alone; without an offset the time is read on the zone's wall clock. */
export function parseIsoInZone(text: string, zone: Zone): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, fs, off] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = hs ? Number(hs) : 0;
  const mi = mis ? Number(mis) : 0;
  const s = ss ? Number(ss) : 0;
  const frac = fs ? Number(fs.padEnd(3, "0")) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  const wallMinute = daysFromCivil(y, mo, d) * MINUTES_PER_DAY + h * 60 + mi;
  const extra = s * 1000 + frac;
  if (off) {
    let offset = 0;
    if (off.toUpperCase() !== "Z") {
      const sign = off[0] === "-" ? -1 : 1;
      const digits = off.slice(1).replace(":", "");
      offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
    }
    return (wallMinute - offset) * MS_PER_MINUTE + extra;
  }
  return wallToUtcMinute(zone, wallMinute) * MS_PER_MINUTE + extra;
}
