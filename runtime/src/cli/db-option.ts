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
