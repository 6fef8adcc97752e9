import type { MaintenanceOffset } from "../cron/index";
import type { QueueStore } from "../queue/store";

/** The key in `modtasks_meta` under which a database keeps its maintenance offset. */
export const MAINTENANCE_OFFSET_KEY = "maintenance_offset";

/**
 * The offset (minutes) of the `maintenance` zone that this node's scheduler uses.
 *
 * Every node of a cluster must use the same one: the next time of a maintenance-zone task is
 * computed by whichever node claims a run, and with offsets that differ per machine the nodes
 * overwrite each other's next times, so the task runs at several times a day. The database
 * therefore keeps one value: the first node without an explicit value stores its installation's
 * (from the per-installation file, or a random one), and every node without an explicit value (WEBHARE_MAINTENANCE_OFFSET,
 * `--maintenance-offset`) uses the stored one. An explicit value always wins on its node, as the
 * user asked for it; when it differs from the stored one the node says so.
 */
export async function clusterMaintenanceOffset(store: QueueStore, local: MaintenanceOffset, log: (level: "warn", text: string) => void): Promise<number> {
  // An invalid WEBHARE_MAINTENANCE_OFFSET (or one a flag overrides) is said once, not ignored silently.
  if (local.envNote) log("warn", local.envNote);
  const explicit = local.source === "env" || local.source === "override";
  const stored = await store.transaction(async (tx) => {
    // Only the first node's value is kept: ON CONFLICT DO NOTHING, then read back what won. Only
    // an installation's own offset is stored, never an explicit one: the editor on that machine
    // shows the installation's offset, so a later node without a flag must run at the same times.
    if (!explicit) {
      await tx.execute(`INSERT INTO modtasks_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [MAINTENANCE_OFFSET_KEY, String(local.offsetMinutes)]);
    }
    const rows = await tx.query<{ value: string }>(`SELECT value FROM modtasks_meta WHERE key = $1`, [MAINTENANCE_OFFSET_KEY]);
    return rows.length ? Number(rows[0]!.value) : undefined;
  });
  if (explicit || stored === undefined || !Number.isInteger(stored) || stored < 0 || stored >= 1440) {
    if (explicit && stored !== undefined && stored !== local.offsetMinutes) {
      log(
        "warn",
        `maintenance offset ${local.offsetMinutes} (${local.source === "env" ? "WEBHARE_MAINTENANCE_OFFSET" : "--maintenance-offset"}) differs from the ${stored} this database's other nodes use: maintenance-zone tasks may run at both times`,
      );
    }
    return local.offsetMinutes;
  }
  return stored;
}
