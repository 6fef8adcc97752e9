/**
 * A network partition between one node and PostgreSQL: a TCP proxy in front of the database
 * that black-holes the node's traffic (the connections stay open, nothing arrives: half-open).
 * The cut-off node stops claiming; its runs are taken over only after its lease has expired;
 * whatever it does afterwards can no longer commit (its sessions are fenced off).
 */
import assert from "node:assert/strict";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { openRuntime, type RuntimeHandle } from "../../runtime/src/api/runtime-handle";
import { freshPgDatabase } from "../helpers/pg";
import { CMOD, type NodeProc, startNode, stopNode, until } from "./harness";

/** Forwards TCP to PostgreSQL until told to black-hole: then it reads and drops everything. */
class BlackHoleProxy {
  private server: Server | undefined;
  private readonly pairs: [Socket, Socket][] = [];
  port = 0;
  holed = false;

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection({ host: "127.0.0.1", port: 5432 });
      this.pairs.push([client, upstream]);
      const forward = (from: Socket, to: Socket) =>
        from.on("data", (b) => {
          if (!this.holed) to.write(b);
        });
      forward(client, upstream);
      forward(upstream, client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on("error", close);
      upstream.on("error", close);
      client.on("close", close);
      upstream.on("close", close);
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.port = (this.server!.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

describe("a node cut off from PostgreSQL (half-open TCP)", { timeout: 300_000 }, () => {
  let url: string;
  let drop: () => Promise<void>;
  let api: RuntimeHandle;
  const proxy = new BlackHoleProxy();
  let cut: NodeProc;
  let healthy: NodeProc;

  before(async () => {
    ({ url, drop } = await freshPgDatabase());
    await proxy.start();
    api = await openRuntime({ db: url, modules: [CMOD] });
    await api.transaction((tx) => tx.execute("CREATE TABLE cluster_effects (label TEXT NOT NULL, taskid BIGINT NOT NULL, node TEXT NOT NULL, at BIGINT NOT NULL)"));
    const viaProxy = new URL(url);
    viaProxy.port = String(proxy.port);
    // The cut-off node talks to the database through the proxy; the healthy one directly.
    cut = await startNode("cut", viaProxy.toString(), ["--lease-ms", "4000"]);
    healthy = await startNode("healthy", url, ["--lease-ms", "4000"]);
  });
  after(async () => {
    cut.proc.kill("SIGKILL");
    await stopNode(healthy);
    await proxy.stop();
    await api.close();
    await drop();
  });

  it("stops claiming, and its runs are taken over only after its lease expires, effects once", async () => {
    const ids = await api.transaction((tx) => tx.scheduleManagedTasks("cmod:slow", Array.from({ length: 8 }, () => ({ label: "partition", ms: 2500 }))));
    let held: { id: number; leaseExpires: number }[] = [];
    await until(
      api.store,
      async () => {
        const rows = await api.query<{ id: number; lease_owner: string }>(`SELECT id, lease_owner FROM modtasks_tasks WHERE state = 'running' AND lease_owner LIKE 'cut/%'`);
        return rows.length > 0;
      },
      60_000,
      "the node behind the proxy to run tasks",
    );
    proxy.holed = true;
    const cutAt = Date.now();
    // What the database says the cut-off node holds, and until when (read directly, not through the proxy).
    held = (await api.query<{ id: number; lease_expires: number }>(`SELECT id, lease_expires FROM modtasks_tasks WHERE state = 'running' AND lease_owner LIKE 'cut/%'`)).map((r) => ({
      id: Number(r.id),
      leaseExpires: Number(r.lease_expires),
    }));
    assert.ok(held.length > 0);

    await until(api.store, async () => Number((await api.query<{ n: number }>(`SELECT COUNT(*) AS n FROM modtasks_tasks WHERE id >= $1 AND state = 'finished'`, [ids[0]]))[0]!.n) === ids.length, 120_000, "every task to finish");

    for (const h of held) {
      const t = (await api.describeTask(h.id))!;
      assert.equal(t.outcome, "completed");
      assert.ok(t.started! >= h.leaseExpires, `task #${h.id} was taken over ${h.leaseExpires - t.started!} ms before the lease ended`);
    }
    const effects = await api.query<{ taskid: number; node: string; at: number }>(`SELECT taskid, node, at FROM cluster_effects WHERE label = 'partition'`);
    assert.equal(effects.length, ids.length, "each task's row exactly once");
    assert.equal(new Set(effects.map((e) => Number(e.taskid))).size, ids.length);
    assert.ok(effects.filter((e) => e.node === "cut").every((e) => Number(e.at) < cutAt + 100), "nothing the cut-off node did after the cut was committed");
    const claimedLater = await api.query(`SELECT id FROM modtasks_tasks WHERE lease_owner LIKE 'cut/%'`);
    assert.deepEqual(claimedLater, [], "the cut-off node claims nothing any more");
  });
});
