import { parseCron, resolveMaintenanceOffset, resolveRunTz, zoneWarnings, type CompiledCron, type CronDialect, type Zone } from "../cron/index";
import type { Finding } from "../text/finding";
import type { XmlAttribute } from "../xml/types";
import type { ModuleDefinition } from "./model";

export interface ScheduleCheckOptions {
  runatDialect?: CronDialect;
  /** Offset of the `maintenance` zone; by default the runtime's (env or stored value, never created). */
  maintenanceOffsetMinutes?: number;
  /** Start of the window for DST warnings (epoch ms); default now. */
  now?: number;
}

/**
 * `runat` and `runtz` of every `<task>`, through the cron engine (`runtime/src/cron`). The engine
 * reports spans relative to the attribute value; they are mapped back through the attribute's
 * decoded-to-source map, so the underline sits on the exact field even after an entity.
 */
export function checkSchedules(def: ModuleDefinition, opts: ScheduleCheckOptions, out: Finding[]): void {
  const dialect = opts.runatDialect ?? "webhare";
  const now = opts.now ?? Date.now();
  let offset = opts.maintenanceOffsetMinutes;
  for (const task of def.scheduledTasks) {
    const runat = task.element.attr("runat");
    const runtz = task.element.attr("runtz");
    let compiled: CompiledCron | undefined;
    if (runat && runat.value.trim() !== "") {
      compiled = cachedCron(runat.value, dialect);
      for (const f of compiled.issues) out.push(mapFinding(f, runat));
    }
    if (!runtz) continue;
    if (runtz.value === "maintenance" && offset === undefined) offset = resolveMaintenanceOffset({ create: false }).offsetMinutes;
    const tz = cachedZone(runtz.value, offset ?? 0);
    for (const f of tz.issues) out.push(mapFinding(f, runtz));
    if (compiled?.schedule && tz.zone && runat) {
      for (const f of cachedZoneWarnings(compiled, runtz.value, tz.zone, now)) out.push(mapFinding(f, runat));
    }
  }
}

/**
 * Caches across checks. The language server re-checks a file on every edit, and masks and zones
 * rarely change between two edits; compiling them again (and searching two years of DST
 * transitions per task) is most of a check's cost. Results are immutable and keyed by everything
 * they depend on; DST warnings also by the hour, since they look ahead from "now". Keys are nested
 * maps rather than joined strings: a joined key was a new string (hashed anew) per task per check.
 */
const MAX_ENTRIES = 20_000;
const cronCache = new Map<CronDialect, Map<string, CompiledCron>>();
const zoneCache = new Map<number, Map<string, { zone?: Zone; issues: Finding[] }>>();
/** By compiled mask (so by dialect and mask), then zone name; entries go with their compiled mask. */
let warningCache = new WeakMap<CompiledCron, Map<string, { hour: number; findings: Finding[] }>>();
const NO_WARNINGS: Finding[] = [];

/** The inner map of `outer` for `key`, emptied once it holds MAX_ENTRIES (results never depend on what is cached). */
function inner<K, V>(outer: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let m = outer.get(key);
  if (m === undefined) outer.set(key, (m = new Map()));
  else if (m.size >= MAX_ENTRIES) m.clear();
  return m;
}

function cachedCron(mask: string, dialect: CronDialect): CompiledCron {
  const m = inner(cronCache, dialect);
  let c = m.get(mask);
  if (c === undefined) m.set(mask, (c = parseCron(mask, dialect)));
  return c;
}

function cachedZone(runtz: string, offset: number): { zone?: Zone; issues: Finding[] } {
  const m = inner(zoneCache, offset);
  let z = m.get(runtz);
  if (z === undefined) m.set(runtz, (z = resolveRunTz(runtz, offset)));
  return z;
}

function cachedZoneWarnings(compiled: CompiledCron, runtz: string, zone: Zone, now: number): Finding[] {
  if (zone.kind !== "iana") return NO_WARNINGS; // UTC and the maintenance zone have no DST
  const hour = Math.floor(now / 3_600_000);
  let m = warningCache.get(compiled);
  if (m === undefined) warningCache.set(compiled, (m = new Map()));
  let w = m.get(runtz);
  if (w === undefined || w.hour !== hour) {
    if (m.size >= MAX_ENTRIES) m.clear();
    m.set(runtz, (w = { hour, findings: zoneWarnings(compiled.schedule!, zone, now) }));
  }
  return w.findings;
}

/** Empties the caches (for benchmarks of cold checks, and tests). */
export function clearScheduleCaches(): void {
  cronCache.clear();
  zoneCache.clear();
  warningCache = new WeakMap();
}

/** A finding whose spans are relative to an attribute's decoded value, moved to document offsets. */
function mapFinding(f: Finding, attr: XmlAttribute): Finding {
  const out: Finding = { ...f, span: attr.value === "" ? attr.span : attr.sourceSpanOf(f.span) };
  const edits = f.data?.edits;
  if (f.data && Array.isArray(edits)) out.data = { ...f.data, edits: edits.map((e) => ({ span: attr.sourceSpanOf(e.span), newText: e.newText })) };
  return out;
}
