/**
 * Cluster mode: three `modtasks run` processes on one PostgreSQL database. 10,000 tasks run
 * exactly once across the nodes; a node killed with SIGKILL has its runs taken over within the
 * bound with their effects applied once; distributed tasks reach any one node, a named node, or
 * every live node once.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openRuntime, type RuntimeHandle } from "../../runtime/src/api/runtime-handle";
import { runCli } from "../helpers/cli";
import { freshPgDatabase } from "../helpers/pg";
import { tempDir } from "../helpers/tmp";
import { CMOD, type NodeProc, startNode, stopNode, until } from "./harness";

describe("a cluster of three runtime nodes on PostgreSQL", { timeout: 600_000 }, () => {
  let url: string;
  let drop: () => Promise<void>;
  let api: RuntimeHandle;
  const nodes: NodeProc[] = [];
  const dir = tempDir("mtclu");
  const log = join(dir.path, "runs.log");
  const gate = join(dir.path, "gate");
  const cli = async (args: string[]) => {
    const r = await runCli(args);
    if (r.code !== 0) throw new Error(`modtasks ${args.join(" ")} exited ${r.code}: ${r.err}`);
    return r.out;
  };

  before(async () => {
    ({ url, drop } = await freshPgDatabase());
    api = await openRuntime({ db: url, modules: [CMOD] });
    await api.transaction((tx) => tx.execute("CREATE TABLE cluster_effects (label TEXT NOT NULL, taskid BIGINT NOT NULL, node TEXT NOT NULL, at BIGINT NOT NULL)"));
    for (const name of ["n1", "n2", "n3"]) nodes.push(await startNode(name, url));
  });
  after(async () => {
    await Promise.all(nodes.map(stopNode));
    await api.close();
    await drop();
    dir.cleanup();
  });

  const completed = async (ids: number[]) => {
    const rows = await api.query<{ n: number }>(`SELECT COUNT(*) AS n FROM modtasks_tasks WHERE id >= $1 AND id <= $2 AND state = 'finished'`, [ids[0], ids[ids.length - 1]]);
    return Number(rows[0]!.n) === ids.length;
  };

  it("runs 10,000 tasks exactly once across the nodes", async () => {
    const ids = await api.transaction((tx) => tx.scheduleManagedTasks("cmod:effect", Array.from({ length: 10_000 }, () => ({ label: "bulk" }))));
    await until(api.store, () => completed(ids), 300_000, "10,000 tasks to finish");
    const perTask = await api.query<{ taskid: number; n: number }>(`SELECT taskid, COUNT(*) AS n FROM cluster_effects WHERE label = 'bulk' GROUP BY taskid HAVING COUNT(*) <> 1`);
    assert.deepEqual(perTask, [], "no task wrote its row twice");
    const total = await api.query<{ n: number }>(`SELECT COUNT(*) AS n FROM cluster_effects WHERE label = 'bulk'`);
    assert.equal(Number(total[0]!.n), 10_000, "every task wrote its row");
    const outcomes = await api.query<{ outcome: string; n: number }>(`SELECT outcome, COUNT(*) AS n FROM modtasks_tasks WHERE id >= $1 AND id <= $2 GROUP BY outcome`, [ids[0], ids[ids.length - 1]]);
    assert.deepEqual(outcomes.map((o) => [o.outcome, Number(o.n)]), [["completed", 10_000]]);
    const byNode = await api.query<{ node: string; n: number }>(`SELECT node, COUNT(*) AS n FROM cluster_effects WHERE label = 'bulk' GROUP BY node ORDER BY node`);
    assert.deepEqual(byNode.map((r) => r.node), ["n1", "n2", "n3"], "every node took part");
  });

  it("takes over the runs of a node killed with SIGKILL within 10 s, with their effects once", async () => {
    const ids = await api.transaction((tx) => tx.scheduleManagedTasks("cmod:slow", Array.from({ length: 6 }, () => ({ label: "takeover", ms: 3000 }))));
    // Wait until some node holds runs, then kill that node without warning.
    let victim: NodeProc | undefined;
    let held: number[] = [];
    await until(
      api.store,
      async () => {
        const rows = await api.query<{ id: number; lease_owner: string }>(`SELECT id, lease_owner FROM modtasks_tasks WHERE state = 'running' AND id >= $1`, [ids[0]]);
        const owner = rows[0]?.lease_owner;
        if (!owner) return false;
        victim = nodes.find((n) => owner.startsWith(`${n.name}/`));
        held = rows.filter((r) => r.lease_owner === owner).map((r) => Number(r.id));
        return !!victim;
      },
      60_000,
      "a node to run the slow tasks",
    );
    const killedAt = Date.now();
    victim!.proc.kill("SIGKILL");
    await victim!.exited;
    await until(api.store, () => completed(ids), 120_000, "the slow tasks to finish elsewhere");
    for (const id of held) {
      const t = (await api.describeTask(id))!;
      assert.equal(t.outcome, "completed");
      assert.ok(t.errors.some((e) => /stopped/.test(e.error)), `task #${id} records the lost run`);
      assert.ok(t.started! - killedAt <= 10_000, `task #${id} ran again ${t.started! - killedAt} ms after the kill (bound 10 s)`);
    }
    const rows = await api.query<{ taskid: number; n: number; node: string }>(`SELECT taskid, COUNT(*) AS n, MIN(node) AS node FROM cluster_effects WHERE label = 'takeover' GROUP BY taskid`);
    assert.equal(rows.length, 6);
    assert.ok(rows.every((r) => Number(r.n) === 1), "each effect exactly once");
    assert.ok(rows.filter((r) => held.includes(Number(r.taskid))).every((r) => r.node !== victim!.name), "the killed node committed none of them");
    // Back to three nodes for what follows.
    nodes[nodes.indexOf(victim!)] = await startNode(victim!.name, url);
  });

  it("sends a distributed task to any one node, to a named node, and to every live node once", async () => {
    const any = await api.distributedExecuteTask({ module: "cmod", document: "/tasks/whoami/", entryPoint: "whoami", context: { n: 1 } });
    const one = await any.results(60_000);
    assert.equal(one.length, 1);
    assert.ok(["n1", "n2", "n3"].includes((one[0]!.result as { node: string }).node));
    assert.deepEqual((one[0]!.result as { context: unknown }).context, { n: 1 });

    const named = await api.distributedExecuteTask({ module: "cmod", document: "/tasks/whoami/", entryPoint: "whoami", where: "n2" });
    assert.deepEqual(await named.result(60_000), { node: "n2", context: null });

    const all = await api.distributedExecuteTask({ module: "cmod", document: "/tasks/whoami/", entryPoint: "whoami", context: "ping", multi: true });
    const results = await all.results(60_000);
    assert.deepEqual(results.map((r) => (r.result as { node: string }).node).sort(), ["n1", "n2", "n3"]);
    assert.ok(results.every((r) => r.ok && r.node === (r.result as { node: string }).node));
  });

  it("shows every node, its workers and running tasks in `modtasks status`", async () => {
    const nodeRows = await api.store.listNodes();
    assert.deepEqual(nodeRows.map((n) => n.name), ["n1", "n2", "n3"]);
    for (const n of nodeRows) assert.ok(Array.isArray(n.info.workerPids) && (n.info.workerPids as number[]).length === 2, `${n.name} reports its workers`);

    // Tasks that run until a gate file appears, so the status can be read while they run.
    const ids = await api.transaction((tx) => tx.scheduleManagedTasks("cmod:hold", [1, 2, 3, 4].map(() => ({ label: "status", log, gate }))));
    let runners = new Map<number, string>();
    await until(
      api.store,
      async () => {
        const rows = await api.query<{ id: number; lease_owner: string }>(`SELECT id, lease_owner FROM modtasks_tasks WHERE state = 'running' AND id >= $1`, [ids[0]]);
        runners = new Map(rows.map((r) => [Number(r.id), r.lease_owner.split("/")[0]!]));
        return runners.size === ids.length;
      },
      60_000,
      "the gated tasks to run",
    );
    // Asked of n1, the status has a line per node with its workers and the tasks it runs (as its
    // last heartbeat reported them: read again until every node has beaten since its claim).
    const nodeLine = (out: string, name: string) => out.split("\n").find((l) => l.trimStart().startsWith(`${name} `)) ?? "";
    let out = "";
    const deadline = Date.now() + 30_000;
    for (;;) {
      out = await cli(["status", "--db", url, "--node-name", "n1"]);
      const complete = [...runners].every(([id, node]) => new RegExp(`running .*#${id}\\b`).test(nodeLine(out, node)));
      if (complete || Date.now() > deadline) break;
    }
    assert.match(out, /^nodes \(3\):$/m);
    for (const name of ["n1", "n2", "n3"]) {
      const line = nodeLine(out, name);
      assert.match(line, /system:default: 2 worker\(s\), \d busy; running /, `${name}: ${out}`);
      assert.match(line, /heartbeat \d+\.\d s ago:/);
      assert.doesNotMatch(line, /NO HEARTBEAT/);
      const mine = [...runners].filter(([, node]) => node === name).map(([id]) => id);
      for (const id of mine) assert.match(line, new RegExp(`#${id}\\b`), `${name} runs #${id}: ${out}`);
      if (!mine.length) assert.match(line, /running nothing$/, `${name} runs nothing: ${out}`);
    }
    assert.match(nodeLine(out, "n1"), /^\s*n1 \(this node\)/);
    writeFileSync(gate, "");
    await until(api.store, () => completed(ids), 60_000, "the gated tasks to finish");
  });
});
