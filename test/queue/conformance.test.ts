/**
 * The storage conformance suite: every behaviour of the queue's storage, run against SQLite and
 * PostgreSQL alike. A store that passes this can back the runtime.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openStore } from "../../runtime/src/queue/open-store";
import { SCHEMA_VERSION } from "../../runtime/src/queue/schema";
import type { NewTaskRow, QueueStore } from "../../runtime/src/queue/store";
import { DistributedStore } from "../../runtime/src/prudence/distributed-store";
import { DATABASES } from "../helpers/stores";

const policy = { timeoutMs: 0, failRescheduleMs: 1000, maxFailures: -1 };

function row(type: string, over: Partial<NewTaskRow> = {}): NewTaskRow {
  return { type, dataJson: JSON.stringify({ n: 1 }), auxdataJson: null, priority: 0, created: 1000, notBefore: 0, timeout: null, ...over };
}

for (const dbut of DATABASES) {
  describe(`storage conformance: ${dbut.name}`, () => {
    let store: QueueStore;
    let cleanup: () => Promise<void>;
    let second: QueueStore;

    before(async () => {
      const made = await dbut.create();
      cleanup = made.cleanup;
      store = await openStore(made.db);
      second = await openStore(made.db); // another connection, as another process would have
    });
    after(async () => {
      await store.close();
      await second.close();
      await cleanup();
    });

    const fresh = async () => {
      await store.transaction(async (tx) => {
        await tx.execute("DELETE FROM modtasks_tasks");
        await tx.execute("DELETE FROM modtasks_task_errors");
      });
    };

    it("migrates idempotently and records the schema version", async () => {
      await store.migrate();
      await second.migrate();
      assert.equal(await store.getSetting("schema_version"), String(SCHEMA_VERSION));
    });

    it("claims in priority, then runAt, then id order, and only runnable types", async () => {
      await fresh();
      const ids = await store.transaction((tx) =>
        tx.insertTasks([
          row("m:a", { created: 1000 }),
          row("m:a", { created: 500 }),
          row("m:a", { created: 1000, priority: -100 }),
          row("m:b", { created: 100 }),
          row("m:a", { created: 100, notBefore: 5000 }),
        ]),
      );
      const got = await store.claim({ types: ["m:a"], limit: 10, now: 2000, owner: "n1", leaseMs: 1000 });
      assert.deepEqual(got.map((t) => t.id), [ids[2], ids[1], ids[0]]);
      assert.ok(got.every((t) => t.leaseToken.startsWith("n1:")));
      assert.deepEqual(await store.claim({ types: ["m:a"], limit: 10, now: 2000, owner: "n1", leaseMs: 1000 }), [], "notBefore in the future is not runnable");
      assert.deepEqual((await store.claim({ types: ["m:a"], limit: 10, now: 5000, owner: "n1", leaseMs: 1000 })).map((t) => t.id), [ids[4]]);
    });

    it("rolls back: tasks scheduled in a failed transaction do not exist, and the app's own writes neither", async () => {
      await fresh();
      await store.transaction((tx) => tx.execute("CREATE TABLE IF NOT EXISTS conf_app (v INTEGER)"));
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.execute("INSERT INTO conf_app (v) VALUES ($1)", [42]);
          await tx.insertTasks([row("m:a")]);
          throw new Error("app changed its mind");
        }),
        /changed its mind/,
      );
      assert.equal((await store.counts()).pending, 0);
      assert.deepEqual(await store.query("SELECT v FROM conf_app"), []);
    });

    it("applies a finish only while the lease holds", async () => {
      await fresh();
      await store.transaction((tx) => tx.insertTasks([row("m:a")]));
      const [t] = await store.claim({ types: ["m:a"], limit: 1, now: 2000, owner: "n1", leaseMs: 1000 });
      const wrong = await store.finishRuns([{ id: t!.id, leaseToken: "someone-else", resolution: { kind: "completed", result: null }, policy }], 3000);
      assert.deepEqual(wrong, [{ id: t!.id, applied: false }]);
      const right = await store.finishRuns([{ id: t!.id, leaseToken: t!.leaseToken, resolution: { kind: "completed", result: { ok: 1 } }, policy }], 3000);
      assert.deepEqual(right, [{ id: t!.id, applied: true, state: "finished", outcome: "completed" }]);
      const d = await store.describe(t!.id);
      assert.deepEqual([d?.state, d?.outcome, d?.result, d?.iterations, d?.finished], ["finished", "completed", { ok: 1 }, 1, 3000]);
      const again = await store.finishRuns([{ id: t!.id, leaseToken: t!.leaseToken, resolution: { kind: "completed", result: null }, policy }], 4000);
      assert.deepEqual(again, [{ id: t!.id, applied: false }], "a task never completes twice");
    });

    it("records a temporary failure with backoff, error history, and a result", async () => {
      await fresh();
      await store.transaction((tx) => tx.insertTasks([row("m:a")]));
      const [t] = await store.claim({ types: ["m:a"], limit: 1, now: 2000, owner: "n1", leaseMs: 1000 });
      await store.finishRuns([{ id: t!.id, leaseToken: t!.leaseToken, resolution: { kind: "temporary-failure", error: "nope", stack: "at x", result: { partial: true } }, policy }], 3000);
      const d = (await store.describe(t!.id))!;
      assert.deepEqual([d.state, d.failures, d.nextAttempt, d.runAt, d.lastError, d.lastStack, d.result], ["pending", 1, 4000, 4000, "nope", "at x", { partial: true }]);
      assert.deepEqual(d.errors.map((e) => e.error), ["nope"]);
      assert.deepEqual((await store.list({ state: "retrying" })).map((x) => x.id), [t!.id]);
    });

    it("a restart keeps notBefore, resets failures and replaces the data", async () => {
      await fresh();
      await store.transaction((tx) => tx.insertTasks([row("m:a", { notBefore: 1500 })]));
      const [t] = await store.claim({ types: ["m:a"], limit: 1, now: 2000, owner: "n1", leaseMs: 1000 });
      await store.finishRuns([{ id: t!.id, leaseToken: t!.leaseToken, resolution: { kind: "restart", when: 2500, newData: { page: 2 }, hasNewData: true, hasAuxData: false }, policy }], 2100);
      const d = (await store.describe(t!.id))!;
      assert.deepEqual([d.state, d.failures, d.runAt, d.data], ["pending", 0, 2500, { page: 2 }]);
    });

    it("a retry runs a pending task now but never before notBefore", async () => {
      await fresh();
      const [a, b] = await store.transaction((tx) => tx.insertTasks([row("m:a"), row("m:a", { notBefore: 9000 })]));
      for (const id of [a!, b!]) {
        const [t] = await store.claim({ types: ["m:a"], limit: 1, now: 10_000, owner: "n1", leaseMs: 1000 });
        assert.equal(t!.id, id);
        await store.finishRuns([{ id, leaseToken: t!.leaseToken, resolution: { kind: "temporary-failure", error: "x" }, policy: { ...policy, failRescheduleMs: 1_000_000 } }], 10_000);
      }
      assert.equal(await store.retry([a!, b!], 5000), 2);
      assert.equal((await store.describe(a!))!.runAt, 5000);
      assert.equal((await store.describe(b!))!.runAt, 9000, "notBefore holds");
    });

    it("cancels a pending task at once and flags a running one for its runner", async () => {
      await fresh();
      const [a, b] = await store.transaction((tx) => tx.insertTasks([row("m:a"), row("m:b")]));
      assert.equal(await store.requestCancel(a!, 3000, "stop"), "cancelled");
      const [t] = await store.claim({ types: ["m:b"], limit: 1, now: 2000, owner: "n1", leaseMs: 1000 });
      assert.equal(await store.requestCancel(b!, 3000, "stop"), "requested");
      assert.deepEqual(await store.cancelRequestedRuns("n1"), [b!]);
      // A cancel requested while it ran turns a retry into a cancellation.
      await store.finishRuns([{ id: b!, leaseToken: t!.leaseToken, resolution: { kind: "temporary-failure", error: "x" }, policy }], 3500);
      assert.equal((await store.describe(b!))!.outcome, "cancelled");
      assert.equal(await store.requestCancel(a!, 4000, "again"), "finished");
      assert.equal(await store.requestCancel(999_999, 4000, "x"), "missing");
    });

    it("recovers the runs of dead owners only, without counting a failure; an expired lease_expires alone takes nothing", async () => {
      await fresh();
      const [a, b, c] = await store.transaction((tx) => tx.insertTasks([row("m:a"), row("m:a"), row("m:a")]));
      await store.claim({ types: ["m:a"], limit: 1, now: 2000, owner: "dead", leaseMs: 100_000 });
      await store.claim({ types: ["m:a"], limit: 1, now: 2000, owner: "slow", leaseMs: -100_000 });
      await store.claim({ types: ["m:a"], limit: 1, now: 2000, owner: "alive", leaseMs: 100_000 });
      assert.deepEqual(await store.recoverLeases({ now: 3000, deadOwners: ["dead"] }), [a!]);
      const d = (await store.describe(a!))!;
      assert.deepEqual([d.state, d.failures, d.iterations], ["pending", 0, 1]);
      assert.match(d.errors[0]!.error, /stopped/);
      assert.equal((await store.describe(b!))!.state, "running", "liveness is the owner's node row, not lease_expires");
      assert.equal((await store.describe(c!))!.state, "running");
      assert.deepEqual(await store.recoverLeases({ deadOwners: [] }), []);
    });

    it("judges owners by their node heartbeat on the database's clock, and re-checks it while recovering", async () => {
      await fresh();
      await store.transaction((tx) => tx.execute("DELETE FROM modtasks_nodes"));
      for (const i of ["A", "B"]) await store.upsertNode({ name: i.toLowerCase(), instance: i, host: "h", pid: 1, started: 1, info: {} });
      const [x, y, z] = await store.transaction((tx) => tx.insertTasks([row("m:a"), row("m:a"), row("m:a")]));
      // Leases that ended long ago by lease_expires: they must not matter.
      for (const owner of ["A", "B", "C"]) await store.claim({ types: ["m:a"], limit: 1, now: 2000, owner, leaseMs: -100_000 });
      // B stopped beating a minute ago; C has no node row at all.
      await store.transaction((tx) => tx.execute("UPDATE modtasks_nodes SET heartbeat = heartbeat - 60000 WHERE instance = 'B'"));
      const nodes = await store.listNodes();
      assert.ok(nodes.find((n) => n.instance === "A")!.age < 30_000 && nodes.find((n) => n.instance === "B")!.age >= 60_000, JSON.stringify(nodes));
      assert.deepEqual(await store.deadOwners(30_000), ["B", "C"]);
      assert.deepEqual(await store.recoverLeases({ deadOwners: ["A", "B", "C"], staleAfterMs: 30_000 }), [y!, z!], "A beat within the lease: its run stays");
      assert.equal((await store.describe(x!))!.state, "running");
      assert.equal(await store.heartbeatNode("b", "B", {}), 1);
      assert.deepEqual(await store.deadOwners(30_000), [], "B is back, C's runs are gone");
      await store.transaction((tx) => tx.execute("DELETE FROM modtasks_nodes"));
    });

    it("lists an owner's running tasks for its reconciliation, and renews their displayed expiry on the database's clock", async () => {
      await fresh();
      const [a, b] = await store.transaction((tx) => tx.insertTasks([row("m:a"), row("m:a"), row("m:b")]));
      const claimed = await store.claim({ types: ["m:a"], limit: 5, now: 2000, owner: "n1", leaseMs: 1000 });
      assert.equal(await store.requestCancel(b!, 2100, "stop"), "requested");
      assert.deepEqual(await store.ownedRuns("n1"), [
        { id: a!, leaseToken: claimed[0]!.leaseToken, started: 2000, cancelRequested: false },
        { id: b!, leaseToken: claimed[1]!.leaseToken, started: 2000, cancelRequested: true },
      ]);
      assert.deepEqual(await store.ownedRuns("n2"), []);
      const before = Date.now();
      assert.equal(await store.renewLeases("n1", 60_000), 2);
      assert.ok((await store.describe(a!))!.leaseExpires! >= before + 60_000 - 1000);
    });

    it("renews without waiting for a row that a run's open transaction holds locked", { skip: dbut.name === "sqlite" ? "SQLite has one writer: every write waits for a run's transaction" : false, timeout: 30_000 }, async () => {
      await fresh();
      await store.transaction((tx) => tx.insertTasks([row("m:a"), row("m:a")]));
      const [held, free] = await store.claim({ types: ["m:a"], limit: 2, now: 2000, owner: "busy", leaseMs: 1000 });
      await store.upsertNode({ name: "busy", instance: "busy", host: "h", pid: 1, started: 1, info: {} });
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      const run = store.transaction(async (tx) => {
        assert.equal(await tx.lockRun(held!.id, held!.leaseToken), true);
        locked();
        await released;
      });
      await isLocked;
      // Before, this waited on the run's row lock until the statement timed out, the heartbeat
      // failed, and another node fenced the healthy node. Now it skips the locked row.
      assert.equal(await second.renewLeases("busy", 60_000), 1);
      assert.equal(await second.heartbeatNode("busy", "busy", {}), 1);
      assert.deepEqual(await second.deadOwners(30_000), [], "a node whose run holds its row is alive");
      assert.ok((await second.describe(free!.id))!.leaseExpires! > Date.now());
      release();
      await run;
      await store.transaction((tx) => tx.execute("DELETE FROM modtasks_nodes"));
    });

    it("releases unstarted runs as if never claimed, only under their own lease and without a cancel request", async () => {
      await fresh();
      const [a, b, c] = await store.transaction((tx) => tx.insertTasks([row("m:a"), row("m:a"), row("m:a")]));
      const claimed = await store.claim({ types: ["m:a"], limit: 3, now: 2000, owner: "n1", leaseMs: 100_000 });
      assert.equal(await store.requestCancel(c!, 2100, "stop"), "requested");
      const token = (id: number) => claimed.find((t) => t.id === id)!.leaseToken;
      assert.equal(await store.releaseRuns([{ id: a!, leaseToken: token(a!) }, { id: b!, leaseToken: "stale" }, { id: c!, leaseToken: token(c!) }]), 1);
      const d = (await store.describe(a!))!;
      assert.deepEqual([d.state, d.failures, d.iterations, d.leaseOwner, d.errors.length], ["pending", 0, 0, null, 0]);
      assert.equal((await store.describe(b!))!.state, "running", "a stale lease releases nothing");
      assert.equal((await store.describe(c!))!.state, "running", "the cancel request finishes it instead");
      const again = await store.claim({ types: ["m:a"], limit: 3, now: 2200, owner: "n2", leaseMs: 100_000 });
      assert.deepEqual(again.map((t) => t.id), [a!]);
    });

    it("never hands one task to two claimers", async () => {
      await fresh();
      await store.transaction((tx) => tx.insertTasks(Array.from({ length: 200 }, () => row("m:a"))));
      const claims = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? store : second).claim({ types: ["m:a"], limit: 7, now: 2000, owner: `c${i}`, leaseMs: 1000 })),
      );
      const ids = claims.flat().map((t) => t.id);
      assert.equal(new Set(ids).size, ids.length, "no duplicates");
      assert.equal(ids.length, 140);
    });

    it("lists by type mask and state, counts, keeps metadata, reschedules, deletes and purges", async () => {
      await fresh();
      const [a, b] = await store.transaction((tx) => tx.insertTasks([row("mod1:alpha"), row("mod2:beta_x")]));
      assert.deepEqual((await store.list({ typeMask: "mod1:*" })).map((t) => t.id), [a!]);
      assert.deepEqual((await store.list({ typeMask: "mod2:beta?x" })).map((t) => t.id), [b!]);
      assert.deepEqual((await store.list({ typeMask: "mod2:beta%" })).map((t) => t.id), [], "LIKE wildcards are escaped");
      await store.setMetadata(a!, { owner: "me" });
      assert.deepEqual((await store.describe(a!))!.metadata, { owner: "me" });
      const [t] = await store.claim({ types: ["mod1:alpha"], limit: 1, now: 2000, owner: "n", leaseMs: 1000 });
      await store.finishRuns([{ id: a!, leaseToken: t!.leaseToken, resolution: { kind: "completed", result: null }, policy }], 3000);
      const c = await store.rescheduleFinished(a!, 4000);
      assert.ok(c && c > b!);
      assert.deepEqual((await store.describe(c))!.data, { n: 1 });
      assert.equal(await store.rescheduleFinished(b!, 4000), undefined, "only finished tasks");
      assert.deepEqual(await store.counts(), { pending: 2, running: 0, retrying: 0, failed: 0, completed: 1, cancelled: 0, stuck: 2 });
      assert.equal(await store.purgeFinished(3500), 1);
      assert.equal(await store.describe(a!), undefined);
      assert.equal(await store.remove(b!), true);
      assert.equal(await store.remove(b!), false);
    });

    it("reports tasks that are stuck: unfinished, over an hour old, past notBefore", async () => {
      await fresh();
      const hourAgo = Date.now() - 61 * 60_000;
      const [old, , later] = await store.transaction((tx) =>
        tx.insertTasks([row("m:a", { created: hourAgo }), row("m:a", { created: Date.now() }), row("m:a", { created: hourAgo, notBefore: Date.now() + 60_000 })]),
      );
      assert.deepEqual((await store.list({ state: "stuck" })).map((t) => t.id), [old!]);
      assert.equal((await store.counts()).stuck, 1);
      assert.ok(later);
    });

    it("runs the application's SQL with the same $n placeholders", async () => {
      await store.transaction(async (tx) => {
        await tx.execute("CREATE TABLE IF NOT EXISTS conf_people (name TEXT, age INTEGER)");
        await tx.execute("INSERT INTO conf_people (name, age) VALUES ($1, $2), ($3, $4)", ["ann", 31, "bob", 42]);
      });
      const rows = await store.query<{ name: string; age: number }>("SELECT name, age FROM conf_people WHERE age > $1 ORDER BY name", [35]);
      assert.deepEqual(rows.map((r) => [r.name, Number(r.age)]), [["bob", 42]]);
    });

    it("registers nodes and notices a takeover of the name", async () => {
      const before = Date.now();
      await store.upsertNode({ name: "n1", instance: "i1", host: "h", pid: 1, started: 1, info: { x: 1 } });
      assert.equal(await store.heartbeatNode("n1", "i1", { y: 2 }), 1);
      const [n] = await store.listNodes();
      // The database's clock, which on this machine is ours.
      assert.ok(n!.heartbeat >= before - 1000 && n!.age >= 0 && n!.age < 30_000, JSON.stringify(n));
      assert.deepEqual(n!.info, { y: 2 });
      await store.upsertNode({ name: "n1", instance: "i2", host: "h", pid: 2, started: 2, info: {} });
      assert.equal(await store.heartbeatNode("n1", "i1", {}), 0);
      assert.deepEqual((await store.listNodes()).map((n) => [n.name, n.instance]), [["n1", "i2"]]);
      await store.removeNode("n1", "i2");
      assert.deepEqual(await store.listNodes(), []);
    });

    it("migrates a fresh database from many connections at once", async () => {
      const made = await dbut.create();
      try {
        const stores = await Promise.all(Array.from({ length: 6 }, () => openStore(made.db)));
        try {
          for (const s of stores) assert.equal(await s.getSetting("schema_version"), String(SCHEMA_VERSION));
        } finally {
          await Promise.all(stores.map((s) => s.close()));
        }
      } finally {
        await made.cleanup();
      }
    });

    it("sends distributed tasks to exactly the named nodes: `_` and `%` in a name are no wildcards", async () => {
      const dist = new DistributedStore(store);
      await store.transaction((tx) => tx.execute("DELETE FROM modtasks_distributed"));
      const [forWeb1, forOdd] = await dist.insert(
        [
          { batch: "b1", targets: ["web-1"], module: "m", context: null },
          { batch: "b2", targets: ['we"b\\%1'], module: "m", context: null },
        ],
        1000,
      );
      assert.deepEqual(await dist.claim("web_1", "o", 10), [], "web_1 is not web-1");
      assert.deepEqual(await dist.claim("web%", "o", 10), []);
      assert.deepEqual(await dist.claim("we", "o", 10), [], "a part of a name is no match");
      assert.deepEqual((await dist.claim("web-1", "o", 10)).map((r) => r.id), [forWeb1]);
      assert.deepEqual((await dist.claim('we"b\\%1', "o", 10)).map((r) => r.id), [forOdd], "quotes and backslashes compare as written");
    });

    it("fails a transaction whose session was terminated with a clear error, and keeps the process alive", { skip: dbut.name === "sqlite" ? "SQLite has no sessions to terminate" : false }, async () => {
      const failed = store.transaction(async (tx) => {
        const [me] = await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        await second.query("SELECT pg_terminate_backend($1)", [me!.pid]);
        // Until the server has ended the session, and this process has read that: the FATAL
        // message arrives while the client is idle in the transaction, which used to be an
        // 'error' event nobody listened to (the process died with "Unhandled 'error' event").
        while ((await second.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [me!.pid])).length);
        await new Promise((r) => setImmediate(r));
        await tx.execute("SELECT 1");
      });
      await assert.rejects(failed, (e: Error) => e.name === "ConnectionLostError" && /connection was lost during the transaction.*terminat/i.test(e.message));
      assert.deepEqual(await store.query<{ one: number }>("SELECT 1 AS one"), [{ one: 1 }], "the store goes on with a new connection");
      assert.equal(await store.transaction(async (tx) => (await tx.query<{ n: number }>("SELECT 2 AS n"))[0]!.n), 2);
    });
  });
}
