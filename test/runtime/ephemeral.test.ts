/**
 * Ephemeral tasks: results delivered to the waiting caller, rollback rejection, failures, and
 * the three ways a caller goes away (abort signal, closed connection, exited process), each of
 * which must kill the running worker.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ControlClient } from "../../runtime/src/control/client";
import { NOT_COMMITTED } from "../../runtime/src/api/ephemeral-call";
import { DATABASES } from "../helpers/stores";
import { type Harness, pidAlive, startHarness } from "./harness";

/** Resolves when the process is gone (polled: a foreign pid has no exit event for us). */
async function gone(pid: number, withinMs = 10_000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (!pidAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !pidAlive(pid);
}

describe("ephemeral tasks", { timeout: 120_000 }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(DATABASES[0]!, { workers: 2 });
  });
  after(async () => h.stop());

  const started = () => h.nextEvent((e) => e.event === "task-started" && e.kind === "ephemeral") as Promise<{ pid?: number; id: number }>;

  it("delivers the result to the caller, from the same worker pool", async () => {
    assert.deepEqual(await h.api.scheduleEphemeralTask("tmod:eph", { action: "complete", result: { answer: 42 } }), { answer: 42 });
  });

  it("rejects with the reason on a throw, a failure, a restart and a timeout", async () => {
    await assert.rejects(h.api.scheduleEphemeralTask("tmod:eph", { action: "throw" }), { message: "boom from the task" });
    await assert.rejects(h.api.scheduleEphemeralTask("tmod:eph", { action: "temporary" }), { message: "try again later" });
    await assert.rejects(h.api.scheduleEphemeralTask("tmod:eph", { action: "restart", chunks: 2 }), { message: "Task restarting is not supported for ephemeral tasks" });
    await assert.rejects(h.api.scheduleEphemeralTask("tmod:eph", { action: "loop" }, { timeout: 200 }), { message: "Task has timed out after 200ms" });
    await assert.rejects(h.api.scheduleEphemeralTask("tmod:ctl", {}), /is a managed task/);
    await assert.rejects(h.api.scheduleEphemeralTask("tmod:nope", {}), /No such ephemeral task type 'tmod:nope'/);
  });

  it("is sent when the scheduling transaction commits, and rejected when it rolls back", async () => {
    let committed!: Promise<unknown>;
    await h.api.transaction(async (tx) => {
      committed = tx.scheduleEphemeralTask("tmod:eph", { action: "complete", result: { after: "commit" } });
    });
    assert.deepEqual(await committed, { after: "commit" });

    let rolledBack!: Promise<unknown>;
    await assert.rejects(
      h.api.transaction(async (tx) => {
        rolledBack = tx.scheduleEphemeralTask("tmod:eph", { action: "complete" });
        rolledBack.catch(() => {});
        throw new Error("no commit");
      }),
      /no commit/,
    );
    await assert.rejects(rolledBack, { message: NOT_COMMITTED });
  });

  it("kills the run when the caller aborts with an AbortSignal", async () => {
    const running = started();
    const ac = new AbortController();
    const p = h.api.scheduleEphemeralTask("tmod:eph", { action: "sleep", ms: 60_000 }, { signal: ac.signal });
    const { pid } = await running;
    assert.ok(pid && pidAlive(pid));
    ac.abort();
    await assert.rejects(p);
    assert.ok(await gone(pid), "the worker process was killed");
  });

  it("kills the run when the caller's connection closes", async () => {
    const running = started();
    const client = new ControlClient(h.api.control.path);
    const p = client.request("ephemeral", { type: "tmod:eph", data: { action: "sleep", ms: 60_000 } });
    p.catch(() => {});
    const { pid } = await running;
    client.close();
    assert.ok(await gone(pid!), "the worker process was killed");
  });

  it("kills the run when the caller's process exits", async () => {
    const running = started();
    const script = `
      const { openRuntime } = require(${JSON.stringify(join(__dirname, "..", "..", "dist", "runtime", "index.js"))});
      openRuntime(${JSON.stringify(h.url)}).then((rt) => rt.scheduleEphemeralTask("tmod:eph", { action: "sleep", ms: 60000 }));
    `;
    const child = spawn(process.execPath, ["-e", script], { stdio: "ignore" });
    const { pid } = await running;
    child.kill("SIGKILL");
    assert.ok(await gone(pid!), "the worker process was killed");
  });

  it("drops a queued run whose caller went away; it never starts", async () => {
    // Occupy both workers, queue a third, abort it while it waits.
    const blockers = [new AbortController(), new AbortController()];
    const both = Promise.all([started(), h.nextEvent((e) => e.event === "task-started" && e.kind === "ephemeral")]);
    const runs = blockers.map((ac) => h.api.scheduleEphemeralTask("tmod:eph", { action: "sleep", ms: 60_000 }, { signal: ac.signal }).catch(() => "aborted"));
    await both;
    let startedThird = false;
    const off = h.rt.onEvent((e) => {
      if (e.event === "task-started" && e.kind === "ephemeral") startedThird = true;
    });
    const ac = new AbortController();
    const isQueued = h.nextEvent((e) => e.event === "task-queued");
    const queued = h.api.scheduleEphemeralTask("tmod:eph", { action: "complete" }, { signal: ac.signal });
    await isQueued;
    ac.abort();
    await assert.rejects(queued);
    for (const b of blockers) b.abort();
    await Promise.all(runs);
    off();
    assert.equal(startedThird, false);
  });
});
