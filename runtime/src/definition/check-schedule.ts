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
      for (const f of cachedZoneWarnings(compiled, dialect, runtz.value, tz.zone, now)) out.push(mapFinding(f, runat));
    }
  }
}

/**
 * Caches across checks. The language server re-checks a file on every edit, and masks and zones
 * rarely change between two edits; compiling them again (and searching two years of DST
 * transitions per task) is most of a check's cost. Results are immutable and keyed by everything
 * they depend on; DST warnings also by the hour, since they look ahead from "now".
 */
const MAX_ENTRIES = 20_000;
const cronCache = new Map<string, CompiledCron>();
const zoneCache = new Map<string, { zone?: Zone; issues: Finding[] }>();
const warningCache = new Map<string, Finding[]>();

function remember<V>(cache: Map<string, V>, key: string, make: () => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    v = make();
    cache.set(key, v);
  }
  return v;
}

function cachedCron(mask: string, dialect: CronDialect): CompiledCron {
  return remember(cronCache, `${dialect}\u0000${mask}`, () => parseCron(mask, dialect));
}

function cachedZone(runtz: string, offset: number): { zone?: Zone; issues: Finding[] } {
  return remember(zoneCache, `${runtz}\u0000${offset}`, () => resolveRunTz(runtz, offset));
}

function cachedZoneWarnings(compiled: CompiledCron, dialect: CronDialect, runtz: string, zone: Zone, now: number): Finding[] {
  if (zone.kind !== "iana") return []; // UTC and the maintenance zone have no DST
  return remember(warningCache, `${dialect}\u0000${compiled.mask}\u0000${runtz}\u0000${Math.floor(now / 3_600_000)}`, () => zoneWarnings(compiled.schedule!, zone, now));
}

/** Empties the caches (for benchmarks of cold checks, and tests). */
export function clearScheduleCaches(): void {
  cronCache.clear();
  zoneCache.clear();
  warningCache.clear();
}

/** A finding whose spans are relative to an attribute's decoded value, moved to document offsets. */
function mapFinding(f: Finding, attr: XmlAttribute): Finding {
  const out: Finding = { ...f, span: attr.value === "" ? attr.span : attr.sourceSpanOf(f.span) };
  const edits = f.data?.edits;
  if (f.data && Array.isArray(edits)) out.data = { ...f.data, edits: edits.map((e) => ({ span: attr.sourceSpanOf(e.span), newText: e.newText })) };
  return out;
}
