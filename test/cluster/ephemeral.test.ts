/**
 * Ephemeral tasks in a cluster: a caller's node that has no free worker hands the task to
 * another node through the database and delivers its result; when the caller's node dies, the
 * node running the task kills it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openRuntime, type RuntimeHandle } from "../../runtime/src/api/runtime-handle";
import { ControlClient } from "../../runtime/src/control/client";
import type { RuntimeStatus } from "../../runtime/src/engine/runtime";
import { freshPgDatabase } from "../helpers/pg";
import { pidAlive } from "../runtime/harness";
import { type NodeProc, startNode, stopNode } from "./harness";

describe("ephemeral tasks across a cluster", { timeout: 300_000 }, () => {
  let url: string;
  let drop: () => Promise<void>;
  let api: RuntimeHandle;
  let busy: NodeProc;
  let spare: NodeProc;

  before(async () => {
    ({ url, drop } = await freshPgDatabase());
    // "a-busy" sorts first: applications on this machine talk to it. One worker, so it is easy to fill.
    busy = await startNode("a-busy", url, ["--workers", "1", "--lease-ms", "3000"]);
    spare = await startNode("b-spare", url, ["--lease-ms", "3000"]);
    api = await openRuntime({ db: url });
    // Wait until each node has seen the other (its heartbeat counts live nodes).
    for (;;) {
      const nodes = await api.store.listNodes();
      if (nodes.length === 2 && nodes.every((n) => Date.now() - n.heartbeat < 1000)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    await api.close();
    await stopNode(spare);
    busy.proc.kill("SIGKILL");
    await drop();
  });

  /** Once subscribed to the named node's events: a promise of the pid of its next ephemeral run. */
  const nextEphemeralStart = async (node: string): Promise<{ pid: Promise<number> }> => {
    const n = (await api.store.listNodes()).find((x) => x.name === node)!;
    const c = new ControlClient(n.info.socket as string);
    const pid = new Promise<number>((resolve) => {
      c.onEvent((e) => {
        if (e.event === "task-started" && e.kind === "ephemeral") {
          c.close();
          resolve(Number(e.pid));
        }
      });
    });
    await c.request("subscribe");
    return { pid };
  };

  it("runs on another node when the caller's node is busy, and the result comes back", async () => {
    assert.equal(api.control.path, (await api.store.listNodes()).find((n) => n.name === "a-busy")!.info.socket, "this process talks to a-busy");
    const blocker = new AbortController();
    const started = await nextEphemeralStart("a-busy");
    const long = api.scheduleEphemeralTask("cmod:where", { ms: 60_000 }, { signal: blocker.signal }).catch(() => "aborted");
    // Once a-busy runs the long one, it has no free worker left.
    await started.pid;
    const r = await api.scheduleEphemeralTask<{ node: string }>("cmod:where", {});
    assert.equal(r.node, "b-spare");
    blocker.abort();
    assert.equal(await long, "aborted");
  });

  it("kills the run when the caller's node dies", async () => {
    // The previous test's aborted run took a-busy's worker with it: wait for its replacement.
    while ((await api.control.request<RuntimeStatus>("status")).clusters.some((c) => c.idle < c.size)) await new Promise((r) => setTimeout(r, 50));
    const startedHere = await nextEphemeralStart("a-busy");
    const blocker = api.scheduleEphemeralTask("cmod:where", { ms: 60_000 }).catch(() => "gone");
    await startedHere.pid;
    const startedThere = await nextEphemeralStart("b-spare");
    const handedOver = api.scheduleEphemeralTask("cmod:where", { ms: 60_000 }).catch(() => "gone");
    const pid = await startedThere.pid;
    busy.proc.kill("SIGKILL");
    await busy.exited;
    assert.deepEqual(await Promise.all([blocker, handedOver]), ["gone", "gone"]);
    // b-spare learns of the death when a-busy's heartbeat is older than the lease, and kills the run.
    const until = Date.now() + 20_000;
    while (pidAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.equal(pidAlive(pid), false, "the worker running the orphaned task was killed");
  });
});
