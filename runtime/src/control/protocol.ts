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
import { dirname, join } from "node:path";
import type { DbConfig } from "../queue/open-store";

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
 * Where the runtime for a database listens. SQLite: beside the database file, so every process
 * that opens the file finds its runtime; too long a path (or PostgreSQL, where each node has its
 * own) falls back to the temp folder under a name derived from the database and node.
 */
export function controlSocketPath(db: DbConfig, node?: string): string {
  if (process.env.MODTASKS_SOCKET) return process.env.MODTASKS_SOCKET;
  if (db.kind === "sqlite" && db.path !== ":memory:") {
    const beside = join(dirname(db.path), "runtime.sock");
    if (beside.length <= MAX_SOCKET_PATH) return beside;
  }
  const key = db.kind === "sqlite" ? db.path : `${db.url}#${node ?? "local"}`;
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 16);
  return join(tmpdir(), `modtasks-${hash}.sock`);
}
