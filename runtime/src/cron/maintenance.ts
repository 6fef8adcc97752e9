/**
 * The maintenance offset: how many minutes WebHare's "maintenance" zone runs behind UTC (a mask's
 * 00:45 runs at 00:45 + offset UTC).
 *
 * Order: an explicit override (a setting or CLI flag, an integer in [0,1440)), else
 * WEBHARE_MAINTENANCE_OFFSET (when it is such an integer), else the value stored in
 * `<stateDir>/maintenance-offset`, else a random 1..240 created once and stored there. The most
 * specific choice wins, as with any flag over its environment variable. An environment value that
 * is set but invalid is not ignored silently: `envNote` says so, for whoever shows the offset.
 * It lives in a plain file, not in the task database, because the editor's preview and the
 * runtime must use the same value and the editor has no database. Unlike WebHare there is no
 * random per-process jitter on top: a preview must never show a time at which the runtime would
 * not run.
 */
import { randomInt } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface MaintenanceOffset {
  offsetMinutes: number;
  source: "override" | "env" | "stored" | "created";
  /** The file the value was read from or written to (absent for env/override, or when it could not be written). */
  file?: string;
  /**
   * Why WEBHARE_MAINTENANCE_OFFSET, though set, is not the offset in use: it is invalid (not a
   * whole number of minutes in [0,1440)), or an explicit override wins over it. Shown once
   * where the offset is shown (a hover, `modtasks next`, the runtime's log).
   */
  envNote?: string;
}

export const MAINTENANCE_OFFSET_FILE = "maintenance-offset";
const MINUTES_PER_DAY = 1440;

/** An integer in [0,1440), from a string like "83" or a number; anything else is undefined. */
export function parseMaintenanceOffset(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 && v < MINUTES_PER_DAY ? v : undefined;
  if (typeof v !== "string" || !/^\s*\d{1,4}\s*$/.test(v)) return undefined;
  const n = Number(v);
  return n < MINUTES_PER_DAY ? n : undefined;
}

/** `$MODTASKS_STATE_DIR`, else `$XDG_STATE_HOME/modtasks`, else `~/.local/state/modtasks`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MODTASKS_STATE_DIR) return env.MODTASKS_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, "modtasks");
  let home = env.HOME;
  if (!home) {
    try {
      home = homedir();
    } catch {
      home = ".";
    }
  }
  return join(home, ".local", "state", "modtasks");
}

function readStored(file: string): number | undefined {
  const r = readStoredState(file);
  return r.state === "valid" ? r.value : undefined;
}

/**
 * One read decides both "is there a value" and "is the file there at all". Two separate reads
 * raced: a process that found no file, then found the file another process had just published,
 * took it for corrupt and replaced it, so racing creators ended with different values.
 */
function readStoredState(file: string): { state: "valid"; value: number } | { state: "absent" | "corrupt" } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return { state: (e as NodeJS.ErrnoException).code === "ENOENT" ? "absent" : "corrupt" };
  }
  const value = parseMaintenanceOffset(text);
  return value === undefined ? { state: "corrupt" } : { state: "valid", value };
}

/** Why the environment's value is not used, or undefined when it is unset (or empty) or in use. */
function envNote(raw: string | undefined, valid: number | undefined, override: number | undefined): string | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  if (valid === undefined) return `WEBHARE_MAINTENANCE_OFFSET='${raw}' is ignored: it must be a whole number of minutes from 0 to 1439`;
  if (override !== undefined && override !== valid) return `WEBHARE_MAINTENANCE_OFFSET=${valid} is overridden by the explicit offset ${override}`;
  return undefined;
}

/** Never throws: an unwritable state dir yields a fresh random value (source "created", no file). */
export function resolveMaintenanceOffset(opts: { env?: NodeJS.ProcessEnv; override?: number; stateDir?: string; create?: boolean } = {}): MaintenanceOffset {
  const r = resolveWithoutNote(opts);
  const env = opts.env ?? process.env;
  const raw = env.WEBHARE_MAINTENANCE_OFFSET;
  const note = envNote(raw, parseMaintenanceOffset(raw), parseMaintenanceOffset(opts.override));
  return note ? { ...r, envNote: note } : r;
}

function resolveWithoutNote(opts: { env?: NodeJS.ProcessEnv; override?: number; stateDir?: string; create?: boolean }): MaintenanceOffset {
  const env = opts.env ?? process.env;
  const override = parseMaintenanceOffset(opts.override);
  if (override !== undefined) return { offsetMinutes: override, source: "override" };
  const fromEnv = parseMaintenanceOffset(env.WEBHARE_MAINTENANCE_OFFSET);
  if (fromEnv !== undefined) return { offsetMinutes: fromEnv, source: "env" };

  let dir: string;
  try {
    dir = opts.stateDir ?? defaultStateDir(env);
  } catch {
    return { offsetMinutes: randomInt(1, 241), source: "created" };
  }
  const file = join(dir, MAINTENANCE_OFFSET_FILE);
  const stored = readStoredState(file);
  if (stored.state === "valid") return { offsetMinutes: stored.value, source: "stored", file };
  // Present but unreadable as a value (corrupt, or not a file): replace it. Absent: create it.
  const exists = stored.state === "corrupt";

  const value = randomInt(1, 241);
  if (opts.create === false) return { offsetMinutes: value, source: "created" };
  try {
    mkdirSync(dir, { recursive: true });
    // Write a private temp file first, then publish it atomically, so no reader ever sees a half-written value.
    const tmp = join(dir, `.${MAINTENANCE_OFFSET_FILE}.${process.pid}.${randomInt(1_000_000_000)}.tmp`);
    writeFileSync(tmp, `${value}\n`, { flag: "wx" });
    try {
      if (exists) {
        renameSync(tmp, file);
      } else {
        try {
          // link() fails with EEXIST if another process created the file first: then theirs wins.
          linkSync(tmp, file);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === "EEXIST") {
            const theirs = readStored(file);
            if (theirs !== undefined) return { offsetMinutes: theirs, source: "stored", file };
            renameSync(tmp, file);
          } else {
            // A file system without hard links: exclusive create instead.
            try {
              writeFileSync(file, `${value}\n`, { flag: "wx" });
            } catch {
              const theirs = readStored(file);
              if (theirs !== undefined) return { offsetMinutes: theirs, source: "stored", file };
              throw e;
            }
          }
        }
      }
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        /* already renamed */
      }
    }
    // Whatever is stored now is what every other process will read.
    const now = readStored(file);
    if (now !== undefined && now !== value) return { offsetMinutes: now, source: "stored", file };
    return { offsetMinutes: value, source: "created", file };
  } catch {
    return { offsetMinutes: value, source: "created" };
  }
}
