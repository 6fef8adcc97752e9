/**
 * Prudence-style background tasks in a running runtime: programs run top to bottom on every run,
 * entry points load their document once per worker, results with a timeout, cancelling running
 * and repeating tasks, the startup document, and code tasks being off unless enabled.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openRuntime, type RuntimeHandle } from "../../runtime/src/api/runtime-handle";
import { Runtime } from "../../runtime/src/engine/runtime";
import { tempDir } from "../helpers/tmp";
import { pidAlive } from "../runtime/harness";

const PMOD = join(__dirname, "..", "fixtures", "prudence", "pmod");

describe("Prudence-style background tasks", { timeout: 120_000 }, () => {
  let rt: Runtime;
  let api: RuntimeHandle;
  let dir: { path: string; cleanup: () => void };
  const startupFile = () => join(dir.path, "startup.txt");

  before(async () => {
    dir = tempDir("mtbg");
    process.env.PMOD_STARTUP_FILE = startupFile();
    const db = join(dir.path, "tasks.db");
    rt = await Runtime.start({ db: { kind: "sqlite", path: db }, moduleDirs: [PMOD], backgroundWorkers: 1, log: () => {} });
    api = await openRuntime({ db: `sqlite:${db}` });
  });
  after(async () => {
    await api.close();
    await rt.stop();
    delete process.env.PMOD_STARTUP_FILE;
    dir.cleanup();
  });

  it("runs a program document top to bottom on every run, with the context", async () => {
    const file = join(dir.path, "program.txt");
    for (const text of ["first", "second"]) {
      const h = await api.executeTask({ module: "pmod", document: "/tasks/append/", context: { file, text } });
      assert.equal(await h.result(20_000), null, "programs return nothing");
      assert.equal(await h.isDone(), true);
    }
    assert.equal(readFileSync(file, "utf8"), "first\nsecond\n");
  });

  it("loads an entry point's document once per worker and returns the function's value", async () => {
    type Product = { product: number; pid: number; loads: number };
    const results: Product[] = [];
    for (const context of [[5, 6, 8], [2, 3], [7]]) {
      results.push(await (await api.executeTask({ module: "pmod", document: "/tasks/math/", entryPoint: "multiply", context })).result<Product>(20_000));
    }
    assert.deepEqual(results.map((r) => r.product), [240, 6, 7]);
    assert.equal(new Set(results.map((r) => r.pid)).size, 1, "one worker (backgroundWorkers: 1)");
    // The fixture counts its top-level runs on globalThis, which a re-import would not reset.
    assert.deepEqual(results.map((r) => r.loads), [1, 1, 1], "the top level ran once in that worker");
  });

  it("rejects a result that takes longer than the timeout, and reports failures", async () => {
    const h = await api.executeTask({ module: "pmod", document: "/tasks/math/", entryPoint: "slow", context: 400 });
    await assert.rejects(h.result(50), /Timeout waiting for background task/);
    assert.ok((await h.result<{ pid: number }>(20_000)).pid > 0);
    await assert.rejects((await api.executeTask({ module: "pmod", document: "/tasks/fail/" })).result(20_000), /the program failed on purpose/);
    await assert.rejects(api.executeTask({ module: "pmod", document: "/tasks/none/" }), /Document '\/tasks\/none\/' not found in module 'pmod'/);
    await assert.rejects(api.executeTask({ module: "nope", document: "/tasks/math/" }), /No module 'nope'/);
  });

  it("cancels a running entry point by killing its worker", async () => {
    const pid = await (await api.executeTask({ module: "pmod", document: "/tasks/math/", entryPoint: "pid" })).result<number>(20_000);
    const h = await api.executeTask({ module: "pmod", document: "/tasks/math/", entryPoint: "slow", context: 60_000 });
    for (;;) {
      // Wait on the task's own state until its run is on the worker.
      if ((await h.state()).running === 1) break;
    }
    assert.equal(await h.cancel(), true);
    assert.equal(pidAlive(pid), false, "the worker that ran it is gone");
    await assert.rejects(h.result(1000));
  });

  it("stops a repeating task when cancelled (fixed delay and fixed rate)", async () => {
    for (const fixedRate of [false, true]) {
      const file = join(dir.path, `repeat-${fixedRate}.txt`);
      const h = await api.executeTask({ module: "pmod", document: "/tasks/append/", context: { file, text: "tick" }, repeatEvery: 20, fixedRate });
      await h.result(20_000);
      while ((await h.state()).runs < 2) await new Promise((r) => setTimeout(r, 20));
      await h.cancel();
      const runs = (await h.state()).runs;
      const lines = readFileSync(file, "utf8").split("\n").filter(Boolean).length;
      assert.equal((await h.state()).done, true);
      // A cancelled repeating task starts no further run: the count stays where cancel left it.
      await new Promise((r) => setTimeout(r, 200));
      assert.equal((await h.state()).runs, runs);
      assert.equal(readFileSync(file, "utf8").split("\n").filter(Boolean).length, lines);
    }
  });

  it("ran the module's startup document once with context 'initial'", async () => {
    for (;;) {
      if (existsSync(startupFile()) && readFileSync(startupFile(), "utf8").trim()) break;
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(readFileSync(startupFile(), "utf8"), '"initial"\n');
  });

  it("refuses code tasks unless the runtime allows them", async () => {
    await assert.rejects(api.codeTask({ module: "pmod", code: "console.log(1)" }), /code tasks are disabled/);
  });
});
