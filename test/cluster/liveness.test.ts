/**
 * A healthy node keeps its runs. Liveness is the node's heartbeat row on the database's clock:
 * a run that holds its transaction (and so its row lock) for several leases does not make its
 * node look dead, and a node whose own clock runs ahead does not judge a healthy node dead.
 * Each run appends to an execution log outside the database, which keeps the runs that were
 * rolled back: every task must have started exactly once.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openRuntime, type RuntimeHandle } from "../../runtime/src/api/runtime-handle";
import { freshPgDatabase } from "../helpers/pg";
import { tempDir } from "../helpers/tmp";
import { CMOD, type NodeProc, readHoldLog, SKEWED_CLOCK, startNode, stepsOf, stopNode, until, untilLogged } from "./harness";

const LEASE_MS = 4000;

describe("a healthy node keeps its runs", { timeout: 300_000 }, () => {
  let url: string;
  let drop: () => Promise<void>;
  let api: RuntimeHandle;
  const nodes: NodeProc[] = [];
  const dir = tempDir("mtlive");
  const log = join(dir.path, "runs.log");

  before(async () => {
    ({ url, drop } = await freshPgDatabase());
    api = await openRuntime({ db: url, modules: [CMOD] });
    await api.transaction((tx) => tx.execute("CREATE TABLE cluster_effects (label TEXT NOT NULL, taskid BIGINT NOT NULL, node TEXT NOT NULL, at BIGINT NOT NULL)"));
    for (const name of ["a", "b"]) nodes.push(await startNode(name, url, ["--lease-ms", String(LEASE_MS)]));
  });
  after(async () => {
    await Promise.all(nodes.map(stopNode));
    await api.close();
    await drop();
    dir.cleanup();
  });

  const finished = (id: number) => until(api.store, async () => (await api.describeTask(id))!.state === "finished", 120_000, `task #${id} to finish`);

  /** Ran once, committed once, with nothing recovered on the way. */
  const assertRanOnce = async (id: number, label: string) => {
    const steps = readHoldLog(log).filter((s) => s.taskId === id);
    assert.equal(steps.filter((s) => s.step === "start").length, 1, `task #${id} started once: ${JSON.stringify(steps)}`);
    assert.deepEqual(stepsOf(steps, id).filter((s) => s === "commit" || s === "lost"), ["commit"]);
    const t = (await api.describeTask(id))!;
    assert.deepEqual([t.outcome, t.iterations, t.errors], ["completed", 1, []], "no run of it was lost or taken over");
    const effects = await api.query<{ node: string }>(`SELECT node FROM cluster_effects WHERE label = $1 AND taskid = $2`, [label, id]);
    assert.deepEqual(effects.map((e) => e.node), [steps[0]!.node], "its effect once, from the node that ran it");
  };

  it("a run that holds its transaction (and its row lock) for three leases runs once on its node", async () => {
    const [id] = await api.transaction((tx) => tx.scheduleManagedTasks("cmod:hold", [{ label: "long", log, writeFirst: true, ms: 3 * LEASE_MS }]));
    await finished(id!);
    await assertRanOnce(id!, "long");
  });

  it("a node whose clock runs 5 s ahead takes nothing over from a healthy node", async () => {
    // No transaction held here, so lease renewals go through: only the clocks disagree.
    const [id] = await api.transaction((tx) => tx.scheduleManagedTasks("cmod:hold", [{ label: "skew", log, ms: 3 * LEASE_MS }]));
    await untilLogged(log, (s) => stepsOf(s, id!).includes("start"), 60_000, "the task to start on a healthy node");
    const ahead = await startNode("ahead", url, ["--lease-ms", String(LEASE_MS)], { NODE_OPTIONS: `--require ${SKEWED_CLOCK}`, MODTASKS_TEST_CLOCK_SKEW_MS: "5000" });
    nodes.push(ahead);
    await finished(id!);
    await assertRanOnce(id!, "skew");
    const names = (await api.store.listNodes()).map((n) => n.name);
    assert.deepEqual(names, ["a", "ahead", "b"], "the node ahead did not bury the others when it registered");
  });

  it("gives back a row leased to a live node that the node does not run (a claim whose reply was lost)", async () => {
    // Due in a minute, so that no node claims it before this test does, in node a's name.
    const notBefore = new Date(Date.now() + 60_000);
    const [id] = await api.transaction((tx) => tx.scheduleManagedTasks("cmod:hold", [{ label: "stray", log }], { notBefore }));
    const a = (await api.store.listNodes()).find((n) => n.name === "a")!;
    const [claimed] = await api.store.claim({ types: ["cmod:hold"], limit: 1, now: notBefore.getTime(), owner: a.instance, leaseMs: LEASE_MS });
    assert.equal(claimed?.id, id);
    // Claimed long ago as far as node a can tell (its heartbeat keeps the row its own), and due
    // at once when back in the queue.
    await api.transaction((tx) => tx.execute("UPDATE modtasks_tasks SET started = started - 600000, runat = 0 WHERE id = $1", [id]));
    await finished(id!);
    await assertRanOnce(id!, "stray");
  });
});
