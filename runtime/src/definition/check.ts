import type { CronDialect } from "../cron/index";
import type { Finding } from "../text/finding";
import { checkDeclarations } from "./check-declarations";
import { checkSchedules, clearScheduleCaches } from "./check-schedule";
import { checkStructure } from "./check-structure";
import type { ModuleDefinition } from "./model";
import type { ModuleFs } from "./module-fs";
import { checkTargetFiles, checkTargetSyntax, clearTargetCaches } from "./targets";

export interface CheckOptions {
  /** Cron dialect for `runat` (default "webhare": exactly what WebHare accepts). */
  runatDialect?: CronDialect;
  /** Offset of the `maintenance` zone in minutes; by default the runtime's. */
  maintenanceOffsetMinutes?: number;
  /** "Now" for time-dependent warnings (DST transitions ahead), epoch ms. */
  now?: number;
  /** File access for cross-file checks; without it, paths are checked for form only. */
  fs?: ModuleFs;
  /** The module folder; by default the folder of `def.file`. */
  moduleDir?: string;
}

/**
 * Every finding for a module definition, sorted by offset: XML syntax and model findings
 * (`def.findings`), structure (schema), meaning (duplicates, targets, clusters, units), cron
 * masks and zones, and with `fs` the files and exports the declarations point to.
 * Never throws.
 */
export function checkModuleDefinition(def: ModuleDefinition, opts: CheckOptions = {}): Finding[] {
  const out: Finding[] = [...def.findings];
  checkStructure(def, out);
  checkDeclarations(def, out);
  checkSchedules(def, opts, out);
  checkTargetSyntax(def, out);
  if (opts.fs) checkTargetFiles(def, { fs: opts.fs, ...(opts.moduleDir !== undefined ? { moduleDir: opts.moduleDir } : {}) }, out);
  return out.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}

/**
 * Empties the caches that make re-checks fast (compiled masks, zones, DST warnings, scanned code
 * files). Results never depend on them; benchmarks use this to measure cold checks.
 */
export function clearCheckCaches(): void {
  clearScheduleCaches();
  clearTargetCaches();
}
