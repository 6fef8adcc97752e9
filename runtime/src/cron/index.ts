/**
 * The one cron engine (issue #3): the language server, the checker, the CLI and the runtime
 * scheduler all parse, describe and schedule masks through this module.
 *
 *   const c = parseCron("0 15 * * 1", "webhare");      // findings with exact spans
 *   const { zone } = resolveRunTz("Europe/Amsterdam", resolveMaintenanceOffset().offsetMinutes);
 *   c.schedule?.next(Date.now(), zone!);               // epoch ms of the next run
 *
 * For editors: maskFieldAt(mask, offset) is the field under the cursor, and
 * fieldValues(schedule, "hour") the values that field selects (read from the compiled schedule).
 */
export type { CronDialect, FieldName } from "./dialects";
export { DIALECTS, isDialect, NICKNAMES } from "./dialects";
export type { CompiledCron } from "./parse";
export { parseCron } from "./parse";
export type { CronSchedule } from "./schedule";
export type { Zone } from "./zone";
export { zoneInfo, zoneLabel, offsetText, wallToUtcMinute } from "./zone";
export type { FieldValues, MaskField } from "./mask-fields";
export { fieldValues, maskFieldAt } from "./mask-fields";
export { zoneWarnings } from "./dst";
export { formatInZone, parseIsoInZone } from "./format";
export { listZones, resolveRunTz } from "./runtz";
export type { MaintenanceOffset } from "./maintenance";
export { resolveMaintenanceOffset, defaultStateDir, parseMaintenanceOffset, MAINTENANCE_OFFSET_FILE } from "./maintenance";

import type { CronSchedule } from "./schedule";
import { zoneLabel, type Zone } from "./zone";

/** The schedule's description plus its zone: "At 15:00 on Monday, Europe/Amsterdam". */
export function describeCron(schedule: CronSchedule, zone?: Zone): string {
  const text = schedule.describe();
  return zone ? `${text}, ${zoneLabel(zone)}` : text;
}
