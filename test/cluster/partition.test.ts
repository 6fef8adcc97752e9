/**
 * A network partition between one node and PostgreSQL: a TCP proxy in front of the database
 * that cuts the line (nothing passes either way and no close is seen: half-open). The cut
 * happens while the node's runs hold their transactions open, so their rows stay locked: the
 * healthy node can take them over only by fencing (terminating the cut node's sessions), and
 * only after the cut node's heartbeat is a lease old. Then the line heals: the cut node's stale
 * runs find their sessions gone and commit nothing, the node itself survives, and every task's
 * effect exists exactly once.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openRuntime, type RuntimeHandle } from "../../runtime/src/api/runtime-handle";
import { freshPgDatabase } from "../helpers/pg";
import { tempDir } from "../helpers/tmp";
import { CMOD, type NodeProc, startNode, stepsOf, stopNode, until, untilLogged } from "./harness";

const LEASE_MS = 4000;

/**
 * One client connection through the proxy. While the line is cut, what either side sends is held
 * back and closes are not passed on; healing delivers what was held, as TCP's retransmissions
 * would once the network is back, and then the closes that happened meanwhile.
 */
class Link {
  private upstream: Socket | undefined;
  private readonly held: { toServer: boolean; data: Buffer }[] = [];
  private clientClosed = false;
  private serverClosed = false;

  constructor(
    private readonly client: Socket,
    private readonly isCut: () => boolean,
  ) {
    client.on("data", (b) => this.pass(true, b));
    client.on("close", () => this.closed(false));
    client.on("error", () => {});
    if (!isCut()) this.connect(); // while cut, the connection attempt hangs until healed
  }

  private connect(): void {
    const up = createConnection({ host: "127.0.0.1", port: 5432 });
    this.upstream = up;
    up.on("data", (b) => this.pass(false, b));
    up.on("close", () => this.closed(true));
    up.on("error", () => {});
  }

  private pass(toServer: boolean, data: Buffer): void {
    if (this.isCut()) this.held.push({ toServer, data });
    else this.deliver(toServer, data);
  }

  private deliver(toServer: boolean, data: Buffer): void {
    const to = toServer ? this.upstream : this.client;
    if (to && !to.destroyed && !(toServer ? this.serverClosed : this.clientClosed)) to.write(data);
  }

  private closed(server: boolean): void {
    if (server) this.serverClosed = true;
    else this.clientClosed = true;
    if (!this.isCut()) this.end();
  }

  /** Closes both sides, after what is still to be written (a FIN follows the data). */
  private end(): void {
    this.client.end();
    this.upstream?.end();
  }

  heal(): void {
    if (!this.upstream && !this.clientClosed) this.connect();
    for (const h of this.held.splice(0)) this.deliver(h.toServer, h.data);
    if (this.clientClosed || this.serverClosed) this.end();
  }

  destroy(): void {
    this.client.destroy();
    this.upstream?.destroy();
  }
}

class PartitionProxy {
  private server: Server | undefined;
  private readonly links: Link[] = [];
  private cut = false;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((client) => this.links.push(new Link(client, () => this.cut)));
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.port = (this.server!.address() as { port: number }).port;
  }

  partition(): void {
    this.cut = true;
  }

  heal(): void {
    this.cut = false;
    for (const l of this.links) l.heal();
  }

  async stop(): Promise<void> {
    for (const l of this.links) l.destroy();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

describe("a node cut off from PostgreSQL (half-open TCP) while its runs hold open transactions", { timeout: 300_000 }, () => {
  let url: string;
  let drop: () => Promise<void>;
  let api: RuntimeHandle;
  const proxy = new PartitionProxy();
  const dir = tempDir("mtpart");
  const log = join(dir.path, "runs.log");
  const gate = join(dir.path, "gate");
  let cut: NodeProc | undefined;
  let healthy: NodeProc | undefined;

  before(async () => {
    ({ url, drop } = await freshPgDatabase());
    await proxy.start();
    api = await openRuntime({ db: url, modules: [CMOD] });
    await api.transaction((tx) => tx.execute("CREATE TABLE cluster_effects (label TEXT NOT NULL, taskid BIGINT NOT NULL, node TEXT NOT NULL, at BIGINT NOT NULL)"));
  });
  after(async () => {
    cut?.proc.kill("SIGKILL");
    if (healthy) await stopNode(healthy);
    await proxy.stop();
    await api.close();
    await drop();
    dir.cleanup();
  });

  it("is taken over only after its lease, by fencing; healed, its stale runs commit nothing and it lives on", async () => {
    const viaProxy = new URL(url);
    viaProxy.port = String(proxy.port);
    // The cut-off node alone first, so that it is the one holding the runs.
    cut = await startNode("cut", viaProxy.toString(), ["--lease-ms", String(LEASE_MS)]);
    const ids = await api.transaction((tx) => tx.scheduleManagedTasks("cmod:hold", [1, 2].map(() => ({ label: "partition", log, gate, writeFirst: true }))));
    await untilLogged(log, (s) => ids.every((id) => stepsOf(s, id, "cut").includes("open")), 60_000, "the cut node's runs to write and hold their transactions open");
    // Room for the runs it takes over (held until the gate opens) and for new work besides.
    healthy = await startNode("healthy", url, ["--lease-ms", String(LEASE_MS), "--workers", "4"]);

    proxy.partition();
    // The cut node's rows stay locked by its open transactions: the healthy node gets them only
    // by terminating the cut node's sessions, which it does only once the heartbeat is stale.
    await untilLogged(log, (s) => ids.every((id) => stepsOf(s, id, "healthy").includes("open")), 60_000, "the healthy node to run the cut node's tasks again");
    const lastBeat = (await api.store.listNodes()).find((n) => n.name === "cut")!.heartbeat; // frozen since the cut
    for (const id of ids) {
      const t = (await api.describeTask(id))!;
      assert.ok(t.started! >= lastBeat + LEASE_MS, `task #${id} was taken over ${lastBeat + LEASE_MS - t.started!} ms before the cut node's lease ran out`);
    }

    // Cut off, the node claims nothing: new work all runs on the healthy node.
    const during = await api.transaction((tx) => tx.scheduleManagedTasks("cmod:effect", [1, 2, 3, 4].map(() => ({ label: "during" }))));
    await until(api.store, async () => (await Promise.all(during.map((id) => api.describeTask(id)))).every((t) => t!.state === "finished"), 60_000, "the work scheduled during the partition");
    const duringNodes = await api.query<{ node: string }>(`SELECT DISTINCT node FROM cluster_effects WHERE label = 'during'`);
    assert.deepEqual(duringNodes.map((r) => r.node), ["healthy"]);

    // The network comes back; then every run may go on.
    proxy.heal();
    writeFileSync(gate, "");
    const steps = await untilLogged(log, (s) => ids.every((id) => stepsOf(s, id, "cut").includes("lost") && stepsOf(s, id, "healthy").includes("commit")), 60_000, "both runs of each task to end");
    await until(api.store, async () => (await Promise.all(ids.map((id) => api.describeTask(id)))).every((t) => t!.state === "finished"), 60_000, "the tasks to finish");

    for (const id of ids) {
      assert.deepEqual(stepsOf(steps, id, "cut"), ["start", "open", "lost"], `task #${id}: the cut node's run could not go on`);
      const lost = steps.find((s) => s.taskId === id && s.node === "cut" && s.step === "lost")!;
      assert.match(lost.detail, /terminat/i, "its session had been terminated (fenced)");
      assert.deepEqual(stepsOf(steps, id, "healthy"), ["start", "open", "commit"]);
      const t = (await api.describeTask(id))!;
      assert.equal(t.outcome, "completed");
      assert.ok(t.errors.some((e) => /stopped/.test(e.error)), `task #${id} records the lost run`);
    }
    const effects = await api.query<{ taskid: number; node: string }>(`SELECT taskid, node FROM cluster_effects WHERE label = 'partition' ORDER BY taskid`);
    assert.deepEqual(
      effects.map((e) => [Number(e.taskid), e.node]),
      ids.map((id) => [id, "healthy"]),
      "each task's effect exactly once, from the healthy node: the cut node's writes were rolled back",
    );

    // The cut node survived its dead sessions, and beats again.
    await until(api.store, async () => (await api.store.listNodes()).find((n) => n.name === "cut")!.age < LEASE_MS, 30_000, "the healed node to heartbeat again").catch((e: Error) => {
      throw new Error(`${e.message}; its output: ${cut!.output().slice(-3000)}`);
    });
    assert.equal(cut.proc.exitCode, null, `the cut node is still running: ${cut.output().slice(-2000)}`);
  });
});
