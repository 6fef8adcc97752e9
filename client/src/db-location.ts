/**
 * Which task database (and so which control socket) belongs to a workspace: the runtime's own
 * rules (`runtime/src/config/default-db.ts`, `runtime/src/queue/db-config.ts`), both free of
 * database drivers, so they are safe in the extension's bundle. No `vscode` import.
 */
import { controlSocketPath } from "../../runtime/src/control/protocol";
import { defaultDb } from "../../runtime/src/config/default-db";
import { type DbConfig, describeDb, parseDbUrl } from "../../runtime/src/queue/db-config";

export type DbLocation = DbConfig;

/** `sqlite:path`, `sqlite://path`, a plain path (relative to `cwd`) or a `postgres://` URL. */
export function parseDbSetting(value: string, cwd: string): DbLocation {
  return parseDbUrl(value, cwd);
}

/** The database `modtasks run` uses when started in `folder` without --db. */
export function defaultDbLocation(folder: string, env: NodeJS.ProcessEnv = process.env): DbLocation {
  return defaultDb(folder, undefined, env);
}

/** The database for a workspace folder and the `modtasks.runtime.database` setting. */
export function workspaceDb(folder: string, setting: string | undefined, env: NodeJS.ProcessEnv = process.env): DbLocation {
  return setting?.trim() ? parseDbSetting(setting, folder) : defaultDbLocation(folder, env);
}

/** The `--db` argument that names this database exactly. */
export function dbArgument(db: DbLocation): string {
  return db.kind === "sqlite" ? `sqlite:${db.path}` : db.url;
}

/** A printable location, without a password. */
export function describeDbLocation(db: DbLocation): string {
  return describeDb(db);
}

/** Where the runtime for this database listens (node name "local", the runtime's default). */
export function socketFor(db: DbLocation, node = "local"): string {
  return controlSocketPath(db, node);
}
