import { existsSync } from "node:fs";
import { defaultDb } from "../config/default-db";
import { type DbConfig, parseDbUrl } from "../queue/open-store";
import { CliError } from "./command";

/** The database for a command: `--db`, else the default (MODTASKS_DB, `.modtasks/tasks.db`). */
export function dbFromOption(value: unknown, moduleDirs?: string[]): DbConfig {
  if (typeof value === "string") {
    try {
      return parseDbUrl(value);
    } catch (e) {
      throw new CliError(`--db: ${(e as Error).message}`);
    }
  }
  return defaultDb(process.cwd(), moduleDirs);
}

/**
 * For commands that only read or act on existing tasks (`tasks …`, `status`): opening a missing
 * SQLite file would create it, and its folders, for a mistyped --db. Refused instead; `run` and
 * `schedule` create the database they are given.
 */
export function existingDb(db: DbConfig): DbConfig {
  if (db.kind === "sqlite" && db.path !== ":memory:" && !existsSync(db.path)) throw new CliError(`no task database at ${db.path}`, 1);
  return db;
}
