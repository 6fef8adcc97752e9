/**
 * Worker internals without worker processes: the process.exit guard, and how runTask reports
 * task code it cannot load or call (missing file, missing export, an export that is no task).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { BackgroundTaskHandle } from "../../runtime/src/api/background-task";
import type { ControlClient } from "../../runtime/src/control/client";
import type { QueueStore } from "../../runtime/src/queue/store";
import { guardExit } from "../../runtime/src/workers/exit-guard";
import type { RunRequest } from "../../runtime/src/workers/protocol";
import { runTask } from "../../runtime/src/workers/run-task";
import { tempDir } from "../helpers/tmp";

describe("the process.exit guard", () => {
  it("throws WebHare's error while guarded, and gives process.exit back afterwards", () => {
    const real = process.exit;
    const restore = guardExit();
    try {
      assert.notEqual(process.exit, real);
      assert.throws(() => process.exit(3), { message: "Task attempted to abort with error code 3" });
      assert.throws(() => process.exit(), { message: "Task attempted to abort with error code 0" });
    } finally {
      restore();
    }
    assert.equal(process.exit, real);
  });
});

describe("task code that cannot run", () => {
  const tmp = tempDir("mtunits");
  after(() => tmp.cleanup());
  const file = join(tmp.path, "tasks.mjs");
  writeFileSync(file, "export const notAFunction = 42;\nexport class Plain { runTask() {} }\n");
  const env = {
    openStore: () => Promise.reject(new Error("no database in this test")) as Promise<QueueStore>,
    lookup: () => undefined,
    onScheduled: () => {},
  };
  const req = (impl: Partial<RunRequest["impl"]>): RunRequest => ({
    runId: 1,
    kind: "managed",
    task: { id: 7, type: "m:t", data: {}, failures: 0, iterations: 0, leaseToken: "x" },
    impl: { file, exportName: "run", form: "function", language: "javascript", ...impl },
    policy: { timeoutMs: 0, failRescheduleMs: 1000, maxFailures: -1 },
  });
  const failure = async (impl: Partial<RunRequest["impl"]>) => {
    const out = await runTask(req(impl), env);
    assert.equal(out.kind, "resolved");
    const r = (out as { resolution: { kind: string; error?: string } }).resolution;
    assert.equal(r.kind, "temporary-failure");
    return r.error;
  };

  it("a missing file", async () => {
    assert.equal(await failure({ file: join(tmp.path, "nosuch.mjs") }), `Unable to find '${join(tmp.path, "nosuch.mjs")}'`);
  });
  it("a missing export", async () => {
    assert.equal(await failure({ exportName: "nosuch" }), `'nosuch' is not exported by ${file}`);
  });
  it("a taskrunner export that is not a function", async () => {
    assert.equal(await failure({ exportName: "notAFunction" }), `'notAFunction' in ${file} is not a function`);
  });
  it("an objectname class that does not extend ManagedTaskBase (WebHare's wording)", async () => {
    assert.equal(await failure({ exportName: "Plain", form: "class" }), "Objecttype 'Plain' does not extend from ManagedTaskBase");
  });
});

describe("waits longer than one timer allows", () => {
  it("a background task's result(timeoutMs) refuses a timeout the runtime's timer cannot wait for", async () => {
    const asked: unknown[] = [];
    const control = { request: (op: string, args: unknown) => (asked.push([op, args]), Promise.resolve("ok")) } as unknown as ControlClient;
    const h = new BackgroundTaskHandle(3, control);
    await assert.rejects(h.result(3_000_000_000), /result\(timeoutMs\): a number of milliseconds from 0 to 2147483647/);
    await assert.rejects(h.result(NaN), TypeError);
    assert.deepEqual(asked, [], "nothing was sent");
    assert.equal(await h.result(2_147_483_647), "ok");
  });
});
