/**
 * Last measured durations of scheduled tasks from the task database (`modtasks_timed`: the start
 * and end of each task's last run, shared by every node), so `modtasks timeline` can flag runs
 * that overlap their previous one without a runtime or `--duration` flags. Read-only: nothing is
 * created (a SQLite file that does not exist is left alone) and nothing is migrated.
 */
import { existsSync } from "node:fs";
import { type DbConfig, describeDb } from "../queue/db-config";

export type DbDurations =
  | { ok: true; durations: Map<string, number>; db: string }
  | { ok: false; missing: boolean; reason: string; db: string };

/** `module:tag` → last end − last start, for the tasks whose last run has ended. */
export async function readLastDurations(db: DbConfig): Promise<DbDurations> {
  const name = describeDb(db);
  if (db.kind === "sqlite" && (db.path === ":memory:" || !existsSync(db.path))) return { ok: false, missing: true, reason: `no task database at ${db.path}`, db: name };
  // Loaded lazily: the drivers are the runtime's, and `timeline` without a database needs none.
  const { openStore } = await import("../queue/open-store");
  let store;
  try {
    store = await openStore(db, { migrate: false, poolSize: 1 });
  } catch (e) {
    return { ok: false, missing: false, reason: (e as Error).message, db: name };
  }
  try {
    const rows = await store.query<{ name: string; last_start: unknown; last_end: unknown }>("SELECT name, last_start, last_end FROM modtasks_timed");
    const durations = new Map<string, number>();
    for (const r of rows) {
      const start = r.last_start === null || r.last_start === undefined ? NaN : Number(r.last_start);
      const end = r.last_end === null || r.last_end === undefined ? NaN : Number(r.last_end);
      // A run in progress has a newer start than the last end: it says nothing yet.
      if (Number.isFinite(start) && Number.isFinite(end) && end >= start) durations.set(String(r.name), end - start);
    }
    return { ok: true, durations, db: name };
  } catch (e) {
    return { ok: false, missing: false, reason: (e as Error).message, db: name };
  } finally {
    await store.close().catch(() => {});
  }
}
