/**
 * Finding the runtime of a PostgreSQL cluster that runs on this machine. Each node listens on a
 * socket derived from the database URL and its node name (`$TMPDIR/modtasks-<hash>.sock`), so a
 * process that knows the database but not the node's name asks every such socket who it is: the
 * hello line names the node and the database. Driver-free (the VS Code extension uses it too,
 * client/src/runtime-discovery.ts): no database connection is needed to find a local node.
 */
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DbConfig } from "../queue/db-config";
import { ControlClient } from "./client";
import { controlSocketPath } from "./protocol";

export interface LocalNode {
  node: string;
  socket: string;
  pid: number;
}

/** Control sockets in the temp folder (service sockets, `modtasks-svc-*`, are not). */
const CONTROL_SOCKET = /^modtasks-[0-9a-f]{16}\.sock$/;
const HELLO_TIMEOUT_MS = 1000;

async function hello(socket: string, db: DbConfig): Promise<{ node: string; pid: number } | undefined> {
  // The client compares the hello's database with ours: another database's runtime is no match.
  const client = new ControlClient(socket, { db });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), HELLO_TIMEOUT_MS);
      }),
    ]);
    return client.hello ? { node: client.hello.node, pid: client.hello.pid } : undefined;
  } catch {
    return undefined; // a stale socket file, another database's runtime, or not a runtime
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

/**
 * The runtimes on this machine that serve `db` (a PostgreSQL database), the node named "local"
 * (what `modtasks run` is called without --node-name) first, then by name.
 */
export async function findLocalNodes(db: DbConfig, dir = tmpdir()): Promise<LocalNode[]> {
  if (db.kind !== "postgres") return [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => CONTROL_SOCKET.test(n));
  } catch {
    return [];
  }
  const found: LocalNode[] = [];
  await Promise.all(
    names.map(async (n) => {
      const socket = join(dir, n);
      const h = await hello(socket, db);
      if (h) found.push({ node: h.node, socket, pid: h.pid });
    }),
  );
  return found.sort((a, b) => (a.node === "local" ? -1 : b.node === "local" ? 1 : a.node.localeCompare(b.node)));
}

/**
 * The control socket of this machine's runtime for `db`, and its node name:
 *  1. `MODTASKS_SOCKET` (set by a runtime for the processes it starts);
 *  2. SQLite: the socket beside the database (one runtime per file);
 *  3. PostgreSQL with a node name (`node`, else `MODTASKS_NODE`): that node's socket;
 *  4. PostgreSQL: a node on this machine that serves the database, found by its hello
 *     ("local" first); else the socket "local" would use (nobody may listen there yet).
 */
export async function localRuntimeSocket(db: DbConfig, node: string | undefined = process.env.MODTASKS_NODE || undefined, dir?: string): Promise<{ socket: string; node: string | undefined }> {
  if (process.env.MODTASKS_SOCKET) return { socket: process.env.MODTASKS_SOCKET, node };
  if (db.kind === "sqlite") return { socket: controlSocketPath(db), node: undefined };
  if (node) return { socket: controlSocketPath(db, node), node };
  const [first] = await findLocalNodes(db, dir);
  return first ? { socket: first.socket, node: first.node } : { socket: controlSocketPath(db, "local"), node: undefined };
}
