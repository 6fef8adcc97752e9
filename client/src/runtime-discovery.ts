/**
 * Finding a runtime of a PostgreSQL cluster on this machine. Each node listens on a socket
 * derived from the database URL and its node name (`$TMPDIR/modtasks-<hash>.sock`), so the
 * extension, which knows the database but not the node names, asks every such socket who it is:
 * the hello line names the node and the database. (Application code finds its local node through
 * the nodes table; the extension host opens no database, and a socket's hello is just as local.)
 * No `vscode` import (unit-tested without VS Code).
 */
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ControlClient } from "../../runtime/src/control/client";
import { describeDbLocation, type DbLocation } from "./db-location";

export interface LocalNode {
  node: string;
  socket: string;
  pid: number;
}

/** Control sockets in the temp folder (service sockets, `modtasks-svc-*`, are not). */
const CONTROL_SOCKET = /^modtasks-[0-9a-f]{16}\.sock$/;
const HELLO_TIMEOUT_MS = 1000;

async function hello(socket: string): Promise<{ node: string; db: string; pid: number } | undefined> {
  const client = new ControlClient(socket);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), HELLO_TIMEOUT_MS);
      }),
    ]);
    return client.hello ? { node: client.hello.node, db: client.hello.db, pid: client.hello.pid } : undefined;
  } catch {
    return undefined; // a stale socket file, or not a runtime
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

/**
 * The runtimes on this machine that serve `db` (a PostgreSQL database), the node named "local"
 * (what `modtasks run` is called without --node-name) first, then by name.
 */
export async function findLocalNodes(db: DbLocation, dir = tmpdir()): Promise<LocalNode[]> {
  if (db.kind !== "postgres") return [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => CONTROL_SOCKET.test(n));
  } catch {
    return [];
  }
  const want = describeDbLocation(db);
  const found: LocalNode[] = [];
  await Promise.all(
    names.map(async (n) => {
      const socket = join(dir, n);
      const h = await hello(socket);
      if (h && h.db === want) found.push({ node: h.node, socket, pid: h.pid });
    }),
  );
  return found.sort((a, b) => (a.node === "local" ? -1 : b.node === "local" ? 1 : a.node.localeCompare(b.node)));
}
