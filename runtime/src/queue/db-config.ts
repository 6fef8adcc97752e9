import { createHash } from "node:crypto";
import { isAbsolute, resolve } from "node:path";

/** Where the task database lives: an SQLite file or a PostgreSQL URL. */
export type DbConfig = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

/**
 * Parses `--db` values: `sqlite:path`, `sqlite://path`, a plain file path, or a
 * `postgres://` / `postgresql://` URL. Relative SQLite paths resolve against `cwd`.
 */
export function parseDbUrl(value: string, cwd = process.cwd()): DbConfig {
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

/** A printable location, without a password. */
export function describeDb(c: DbConfig): string {
  if (c.kind === "sqlite") return `sqlite:${c.path}`;
  try {
    const u = new URL(c.url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://(unparsable URL)";
  }
}

/**
 * The PostgreSQL application_name of every session a runtime instance (and its workers) opens.
 * Other nodes terminate the sessions under this name when the instance's lease expires, so a
 * node that is cut off (half-open TCP) can never commit after its tasks were taken over.
 * A hash keeps it under PostgreSQL's 63-character limit whatever the node name.
 */
export function sessionName(owner: string): string {
  return `modtasks ${createHash("sha256").update(owner).digest("hex").slice(0, 20)}`;
}
