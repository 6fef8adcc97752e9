/**
 * The server's settings: defaults, and reading them from whatever a client sends (a
 * `workspace/configuration` answer, `initializationOptions`, a `didChangeConfiguration`
 * payload). Anything malformed falls back to the default: a typo in a user's settings must not
 * take the server down.
 */
import type { CronDialect } from "../../runtime/src/cron/index";
import { isDialect, parseMaintenanceOffset } from "../../runtime/src/cron/index";

export interface Settings {
  cronDialect: CronDialect;
  previewRuns: number;
  /** Minutes; undefined = the stored/generated value (the runtime's). */
  maintenanceOffset?: number;
  diagnostics: {
    disabled: string[];
    debounceMs: number;
  };
  /** IANA zone for crontab files; "" = the machine's local zone. */
  crontabTimeZone: string;
}

export const DEFAULT_SETTINGS: Settings = {
  cronDialect: "webhare",
  previewRuns: 5,
  diagnostics: { disabled: [], debounceMs: 150 },
  crontabTimeZone: "",
};

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads `a.b.c` from a nested object, or from a flat one with dotted keys (`{"diagnostics.disabled": [...]}`). */
function pick(raw: Raw, path: string): unknown {
  if (path in raw) return raw[path];
  const [head, ...rest] = path.split(".");
  const v = raw[head!];
  if (rest.length === 0) return v;
  return isObject(v) ? pick(v, rest.join(".")) : undefined;
}

/**
 * Settings from a client's object. Accepts the `modtasks` section itself, or an object that holds
 * it (`{ modtasks: {...} }`), or flat keys (`{ "modtasks.previewRuns": 3 }`).
 */
export function readSettings(input: unknown, base: Settings = DEFAULT_SETTINGS): Settings {
  if (!isObject(input)) return base;
  let raw: Raw = input;
  if (isObject(input.modtasks)) raw = input.modtasks;
  else {
    const flat: Raw = {};
    let found = false;
    for (const [k, v] of Object.entries(input)) {
      if (k.startsWith("modtasks.")) {
        flat[k.slice("modtasks.".length)] = v;
        found = true;
      }
    }
    if (found) raw = flat;
  }
  const s: Settings = { ...base, diagnostics: { ...base.diagnostics } };
  const dialect = pick(raw, "cronDialect");
  if (typeof dialect === "string" && isDialect(dialect)) s.cronDialect = dialect;
  const runs = pick(raw, "previewRuns");
  if (typeof runs === "number" && Number.isInteger(runs)) s.previewRuns = Math.max(1, Math.min(50, runs));
  if ("maintenanceOffset" in raw || pick(raw, "maintenanceOffset") !== undefined) {
    const off = pick(raw, "maintenanceOffset");
    const parsed = parseMaintenanceOffset(off);
    if (parsed !== undefined) s.maintenanceOffset = parsed;
    else if (off === null || off === "") delete s.maintenanceOffset;
  }
  const disabled = pick(raw, "diagnostics.disabled");
  if (Array.isArray(disabled)) s.diagnostics.disabled = disabled.filter((c): c is string => typeof c === "string");
  const debounce = pick(raw, "diagnostics.debounceMs");
  if (typeof debounce === "number" && Number.isFinite(debounce)) s.diagnostics.debounceMs = Math.max(0, Math.min(5000, Math.round(debounce)));
  const tz = pick(raw, "crontabTimeZone");
  if (typeof tz === "string") s.crontabTimeZone = tz.trim();
  return s;
}

/** A key that changes whenever a setting that affects analysis results changes. */
export function analysisKey(s: Settings): string {
  return `${s.cronDialect}|${s.maintenanceOffset ?? ""}|${s.crontabTimeZone}`;
}
