import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ControlServer } from "../../runtime/src/control/server";
import { describeDbLocation, parseDbSetting } from "../../client/src/db-location";
import { findLocalNodes } from "../../client/src/runtime-discovery";

/**
 * A PostgreSQL cluster's nodes on this machine listen on sockets named after the database and the
 * node; the extension knows only the database, and finds them by their hello line.
 */
describe("runtime discovery (PostgreSQL nodes on this machine)", () => {
  const db = parseDbSetting("postgres://postgres:secret@127.0.0.1:5432/tasks", "/w");
  const other = parseDbSetting("postgres://postgres@127.0.0.1:5432/other", "/w");
  let dir: string;
  const servers: ControlServer[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "mtdisc-"));
    const listen = async (hash: string, node: string, d = db) => {
      const s = new ControlServer(join(dir, `modtasks-${hash}.sock`), { pid: 100 + servers.length, node, db: describeDbLocation(d) });
      await s.listen();
      servers.push(s);
    };
    await listen("000000000000000b", "n2");
    await listen("000000000000000a", "n1");
    await listen("000000000000000c", "local");
    await listen("000000000000000d", "n0", other);
    // Not runtimes: a stale socket file and a backend service's socket.
    writeFileSync(join(dir, "modtasks-00000000000000ff.sock"), "");
    writeFileSync(join(dir, "modtasks-svc-0000000000000000.sock"), "");
  });

  after(async () => {
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("finds the nodes of this database, 'local' first, then by name (the password is not compared in clear)", async () => {
    const found = await findLocalNodes(db, dir);
    assert.deepEqual(found.map((n) => [n.node, n.socket.slice(dir.length + 1)]), [
      ["local", "modtasks-000000000000000c.sock"],
      ["n1", "modtasks-000000000000000a.sock"],
      ["n2", "modtasks-000000000000000b.sock"],
    ]);
    assert.deepEqual((await findLocalNodes(other, dir)).map((n) => n.node), ["n0"]);
  });

  it("looks only for PostgreSQL (a SQLite runtime's socket is beside its database)", async () => {
    assert.deepEqual(await findLocalNodes(parseDbSetting("sqlite:/w/tasks.db", "/w"), dir), []);
    assert.deepEqual(await findLocalNodes(db, join(dir, "missing")), []);
  });
});
