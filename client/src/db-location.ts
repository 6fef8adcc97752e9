/**
 * Which task database (and so which control socket) belongs to a workspace, computed in the
 * extension host without loading any database driver. The rules are the runtime's
 * (`runtime/src/config/default-db.ts` and `parseDbUrl` in `runtime/src/queue/open-store.ts`);
 * they are restated here because open-store.ts also imports the drivers, which must never reach
 * the extension's bundle. test/client/db-location.test.ts checks that both give the same answer.
 * No `vscode` import.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { controlSocketPath } from "../../runtime/src/control/protocol";
import { findModules } from "../../runtime/src/engine/modules";

export type DbLocation = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

/** `sqlite:path`, `sqlite://path`, a plain path (relative to `cwd`) or a `postgres://` URL. */
export function parseDbSetting(value: string, cwd: string): DbLocation {
  const v = value.trim();
  if (!v) throw new Error("empty database location");
  if (/^postgres(ql)?:\/\//i.test(v)) return { kind: "postgres", url: v };
  let path = v;
  if (/^sqlite:\/\//i.test(v)) path = v.slice("sqlite://".length);
  else if (/^sqlite:/i.test(v)) path = v.slice("sqlite:".length);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) throw new Error(`unsupported database URL '${v}': use sqlite:<path> or postgres://...`);
  if (!path) throw new Error(`no file in database location '${v}'`);
  return { kind: "sqlite", path: path === ":memory:" ? path : isAbsolute(path) ? path : resolve(cwd, path) };
}

/** The database `modtasks run` uses when started in `folder` without --db. */
export function defaultDbLocation(folder: string, env: NodeJS.ProcessEnv = process.env): DbLocation {
  if (env.MODTASKS_DB) return parseDbSetting(env.MODTASKS_DB, folder);
  const start = resolve(folder);
  for (let d = start; ; d = dirname(d)) {
    const candidate = join(d, ".modtasks", "tasks.db");
    if (existsSync(candidate)) return { kind: "sqlite", path: candidate };
    if (dirname(d) === d) break;
  }
  let dirs: string[];
  try {
    dirs = findModules([start]).map((m) => m.dir);
  } catch {
    dirs = [];
  }
  if (dirs.length) return { kind: "sqlite", path: join(commonAncestor(dirs), ".modtasks", "tasks.db") };
  for (let d = start; ; d = dirname(d)) {
    if (existsSync(join(d, "moduledefinition.xml"))) return { kind: "sqlite", path: join(d, ".modtasks", "tasks.db") };
    if (dirname(d) === d) break;
  }
  return { kind: "sqlite", path: join(start, ".modtasks", "tasks.db") };
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
  if (db.kind === "sqlite") return `sqlite:${db.path}`;
  try {
    const u = new URL(db.url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://(unparsable URL)";
  }
}

/** Where the runtime for this database listens (node name "local", the runtime's default). */
export function socketFor(db: DbLocation, node = "local"): string {
  return controlSocketPath(db, node);
}

function commonAncestor(dirs: string[]): string {
  const split = dirs.map((d) => resolve(d).split(sep));
  const first = split[0]!;
  let n = first.length;
  for (const parts of split.slice(1)) {
    let i = 0;
    while (i < n && i < parts.length && parts[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join(sep) || sep;
}
