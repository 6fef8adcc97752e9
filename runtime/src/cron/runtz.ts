/**
 * `runtz` → Zone, with findings a checker and the CLI can show. Empty = UTC (WebHare's
 * default), `maintenance` = WebHare's shifted UTC, anything else must be an IANA zone written
 * the way the tz database writes it: Intl accepts "europe/amsterdam", WebHare does not.
 */
import type { Finding } from "../text/finding";
import { closestMatch } from "../text/suggest";
import type { Zone } from "./zone";

let zoneList: string[] | undefined;
let zoneLower: Map<string, string> | undefined;
let zoneCity: Map<string, string> | undefined;

/** Every zone name Intl lists, plus "UTC" (which Intl accepts but does not list). */
export function listZones(): string[] {
  if (!zoneList) {
    const names = new Set<string>(typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : []);
    names.add("UTC");
    zoneList = [...names].sort();
  }
  return zoneList.slice();
}

function lowerIndex(): Map<string, string> {
  if (!zoneLower) {
    zoneLower = new Map();
    for (const z of listZones()) zoneLower.set(z.toLowerCase(), z);
    // Current IANA names that ICU lists under an older alias: suggest the modern spelling.
    for (const z of ["Asia/Kolkata", "Europe/Kyiv", "Asia/Kathmandu", "Asia/Yangon", "Atlantic/Faroe", "America/Nuuk", "Pacific/Kanton", "Asia/Ho_Chi_Minh", "Etc/UTC"]) {
      if (intlAccepts(z)) zoneLower.set(z.toLowerCase(), z);
    }
  }
  return zoneLower;
}

/**
 * Zones by the last segment of their name, lower-cased ("amsterdam" → "Europe/Amsterdam",
 * "new_york" → "America/New_York"), for people who type only the city. Modern spellings win.
 */
function cityIndex(): Map<string, string> {
  if (!zoneCity) {
    zoneCity = new Map();
    for (const z of lowerIndex().values()) {
      const city = z.slice(z.lastIndexOf("/") + 1).toLowerCase();
      if (z.includes("/") && !z.startsWith("Etc/")) zoneCity.set(city, z);
    }
  }
  return zoneCity;
}

/** "new york" → "new_york": the tz database writes spaces in city names as underscores. */
function normalizeCity(s: string): string {
  return s.trim().replace(/\s+/g, "_").toLowerCase();
}

function intlAccepts(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Whether the casing looks like the tz database's: every path segment starts upper case ("Etc/GMT+5", "America/Port-au-Prince"). */
function plausibleCase(name: string): boolean {
  return name.split("/").every((seg) => /^[A-Z]/.test(seg));
}

export function resolveRunTz(runtz: string, maintenanceOffsetMinutes: number): { zone?: Zone; issues: Finding[] } {
  const text = typeof runtz === "string" ? runtz : "";
  const whole = { start: 0, end: text.length };
  if (text === "") return { zone: { kind: "utc" }, issues: [] };
  if (text === "maintenance") return { zone: { kind: "maintenance", offsetMinutes: maintenanceOffsetMinutes }, issues: [] };
  if (text === "UTC") return { zone: { kind: "utc" }, issues: [] };
  const known = lowerIndex();
  const exact = known.get(text.toLowerCase());
  if (exact === text || (exact === undefined && intlAccepts(text) && plausibleCase(text) && text.trim() === text)) {
    return { zone: { kind: "iana", name: text }, issues: [] };
  }
  // Misspelt: same letters in another case, surrounding spaces, or a near miss.
  let suggestion: string | undefined;
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === "maintenance") suggestion = "maintenance";
  else if (trimmed === "") suggestion = "";
  else {
    const normalized = normalizeCity(trimmed);
    suggestion =
      known.get(trimmed.toLowerCase()) ??
      known.get(normalized) ??
      // A bare city ("Amsterdam", "new york", "New_York"): the zone whose last segment it is.
      (trimmed.includes("/") ? undefined : cityIndex().get(normalized)) ??
      closestMatch(trimmed, [...known.values(), "maintenance"]);
    if (suggestion === undefined && !trimmed.includes("/")) {
      // A misspelt city ("Amsterdm"): the closest last segment.
      const city = closestMatch(normalized, cityIndex().keys());
      if (city !== undefined) suggestion = cityIndex().get(city);
    }
  }
  if (suggestion === undefined && intlAccepts(trimmed)) {
    // An alias Intl knows, written in the wrong case ("us/eastern"): suggest the zone it stands for.
    suggestion = new Intl.DateTimeFormat("en-US", { timeZone: trimmed }).resolvedOptions().timeZone;
  }
  const issue: Finding = {
    span: whole,
    severity: "error",
    code: "cron-invalid-zone",
    message:
      suggestion !== undefined
        ? `unknown time zone '${text}' (did you mean ${suggestion === "" ? "an empty runtz, which means UTC" : `'${suggestion}'`}?)`
        : `unknown time zone '${text}' (use an IANA zone such as 'Europe/Amsterdam', 'maintenance', or leave it empty for UTC)`,
  };
  if (suggestion !== undefined) issue.data = { replacement: suggestion, fixTitle: suggestion === "" ? "Remove the time zone (UTC)" : `Change to '${suggestion}'` };
  return { issues: [issue] };
}
