/**
 * The runtime's control protocol: newline-delimited JSON over a Unix domain socket (never TCP),
 * used by application code (wake-ups, result waits, ephemeral tasks), the CLI and the VS Code
 * extension (status, live events, commands). Documented in the README ("Control protocol").
 *
 * On connect the runtime sends a hello line. Requests carry an `id` (a request without one gets
 * no reply); replies echo it. Subscribed connections also receive `{"event": ...}` lines.
 * `id` and `op` are the envelope: arguments use other names (`taskId`, `name`, ...).
 */
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type DbConfig, parseDbUrl } from "../queue/db-config";

export const PROTOCOL_VERSION = 1;

export interface Hello {
  hello: "modtasks";
  protocol: number;
  pid: number;
  node: string;
  db: string;
}

export interface Request {
  id?: number;
  op: string;
  [key: string]: unknown;
}

export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export interface EventLine {
  event: string;
  [key: string]: unknown;
}

/** Longest socket path that fits sockaddr_un on every platform we run on (108 on Linux, 104 on macOS). */
const MAX_SOCKET_PATH = 100;

/**
 * Where the runtime for a database listens: the one rule, shared by the runtime, the CLI,
 * application code and the VS Code extension (client/src/db-location.ts), so all of them meet.
 *  - SQLite: `<database file>.sock` beside the file (`.modtasks/tasks.db.sock`), so every process
 *    that opens the file finds its runtime, and two databases in one folder have a runtime each.
 *  - PostgreSQL, where every node of a cluster has its own runtime, and an SQLite path too long
 *    for a socket address: `$TMPDIR/modtasks-<hash>.sock`, hashed from the database and node.
 * `MODTASKS_SOCKET` overrides (the runtime sets it for the processes it starts).
 */
export function controlSocketPath(db: DbConfig, node?: string): string {
  if (process.env.MODTASKS_SOCKET) return process.env.MODTASKS_SOCKET;
  if (db.kind === "sqlite" && db.path !== ":memory:") {
    const beside = `${db.path}.sock`;
    if (Buffer.byteLength(beside) <= MAX_SOCKET_PATH) return beside;
  }
  const key = db.kind === "sqlite" ? db.path : `${db.url}#${node ?? "local"}`;
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 16);
  return join(tmpdir(), `modtasks-${hash}.sock`);
}

/**
 * Whether a runtime's hello (`db`, as describeDb prints it) names this database. A socket can
 * answer for another database (MODTASKS_SOCKET inherited from elsewhere, an old runtime's socket
 * name): a client must not send it commands meant for ours. PostgreSQL URLs compare by server
 * and database name (user, password and spelling of a local host do not matter).
 */
export function sameDatabase(helloDb: unknown, db: DbConfig): boolean {
  if (typeof helloDb !== "string") return false;
  let theirs: DbConfig;
  try {
    theirs = parseDbUrl(helloDb);
  } catch {
    return false;
  }
  return databaseIdentity(theirs) === databaseIdentity(db);
}

const LOCAL_HOSTS = new Set(["", "localhost", "127.0.0.1", "::1"]);

function databaseIdentity(db: DbConfig): string {
  if (db.kind === "sqlite") return `sqlite:${resolve(db.path)}`;
  try {
    const u = new URL(db.url);
    const host = (u.searchParams.get("host") ?? decodeURIComponent(u.hostname)).replace(/^\[|\]$/g, "").toLowerCase();
    const name = decodeURIComponent(u.pathname.replace(/^\//, "")) || decodeURIComponent(u.username);
    return `postgres://${LOCAL_HOSTS.has(host) ? "localhost" : host}:${u.port || "5432"}/${name}`;
  } catch {
    return `postgres:${db.url}`;
  }
}
