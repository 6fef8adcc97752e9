/**
 * Two SQLite databases in one folder: each has its own runtime and control socket
 * (`<file>.sock`), and a client never takes another database's runtime for its own (it checks
 * the database the hello line names). Runs the CLI from dist/ (`npm run build` first).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openRuntime, type RuntimeHandle } from "../../runtime/src/api/runtime-handle";
import { ControlClient } from "../../runtime/src/control/client";
import { controlSocketPath } from "../../runtime/src/control/protocol";
import { ControlServer } from "../../runtime/src/control/server";
import { Runtime } from "../../runtime/src/engine/runtime";
import { runCli } from "../helpers/cli";
import { tempDir } from "../helpers/tmp";
import { TMOD } from "./harness";

describe("two SQLite databases in one folder", { timeout: 120_000 }, () => {
  const tmp = tempDir("mtsock");
  const a = join(tmp.path, "x", "a.db");
  const b = join(tmp.path, "x", "b.db");
  let rtA: Runtime;
  let rtB: Runtime;
  let apiA: RuntimeHandle;

  before(async () => {
    rtA = await Runtime.start({ db: { kind: "sqlite", path: a }, moduleDirs: [TMOD], workers: 1, watch: false });
    // With one socket per folder this second runtime refused to start ("already listening").
    rtB = await Runtime.start({ db: { kind: "sqlite", path: b }, moduleDirs: [TMOD], workers: 1, watch: false });
    apiA = await openRuntime({ db: `sqlite:${a}`, modules: [TMOD] });
  });
  after(async () => {
    await apiA?.close();
    await rtA?.stop();
    await rtB?.stop();
    tmp.cleanup();
  });

  it("gives each database its own socket beside the file", () => {
    assert.equal(controlSocketPath({ kind: "sqlite", path: a }), `${a}.sock`);
    assert.equal(controlSocketPath({ kind: "sqlite", path: b }), `${b}.sock`);
  });

  it("status and cancel act on the runtime of the database named by --db", async () => {
    const id = await apiA.transaction((tx) => tx.scheduleManagedTask("tmod:ctl", { action: "complete" }, { notBefore: Date.now() + 3_600_000 }));
    const status = await runCli(["status", "--json", "--db", b]);
    assert.equal(status.code, 0, status.err);
    const s = JSON.parse(status.out) as { runtime: boolean; db: string; pid: number };
    assert.deepEqual([s.runtime, s.db], [true, `sqlite:${b}`]);
    const cancel = await runCli(["tasks", "cancel", String(id), "--db", `sqlite:${b}`, "--json"]);
    assert.deepEqual(JSON.parse(cancel.out), { result: "missing" }, cancel.err);
    assert.equal((await apiA.describeTask(id))!.state, "pending", "the task in a.db is untouched");
    await apiA.cancelTask(id);
  });

  it("treats a runtime whose hello names another database as no runtime", async () => {
    // An inherited MODTASKS_SOCKET that points at a.db's runtime, while the client means b.db.
    const saved = process.env.MODTASKS_SOCKET;
    process.env.MODTASKS_SOCKET = controlSocketPath({ kind: "sqlite", path: a });
    let apiB: RuntimeHandle | undefined;
    try {
      const id = await apiA.transaction((tx) => tx.scheduleManagedTask("tmod:ctl", { action: "complete" }, { notBefore: Date.now() + 3_600_000 }));
      apiB = await openRuntime({ db: `sqlite:${b}`, modules: [TMOD] });
      await assert.rejects(apiB.control.connect(), /serves sqlite:.*a\.db, not sqlite:.*b\.db/);
      assert.equal(await apiB.cancelTask(id), "missing");
      assert.equal((await apiA.describeTask(id))!.state, "pending", "a.db's runtime got no command");
      await apiA.cancelTask(id);
    } finally {
      await apiB?.close();
      if (saved === undefined) delete process.env.MODTASKS_SOCKET;
      else process.env.MODTASKS_SOCKET = saved;
    }
  });
});

describe("hello check", () => {
  it("accepts the same PostgreSQL database however its URL is spelled, refuses another", async () => {
    const tmp = tempDir("mthello");
    const server = new ControlServer(join(tmp.path, "c.sock"), { pid: 1, node: "n", db: "postgres://postgres:***@127.0.0.1:5432/tasks" });
    await server.listen();
    try {
      for (const url of ["postgres://localhost/tasks", "postgresql://other:pw@127.0.0.1:5432/tasks"]) {
        const ok = new ControlClient(server.path, { db: { kind: "postgres", url } });
        await ok.connect();
        assert.equal(ok.hello?.node, "n", url);
        ok.close();
      }
      for (const url of ["postgres://127.0.0.1/other", "postgres://db.example.com/tasks", "postgres://localhost:5433/tasks"]) {
        const no = new ControlClient(server.path, { db: { kind: "postgres", url } });
        await assert.rejects(no.connect(), /serves postgres:/, url);
        assert.equal(no.connected, false);
      }
    } finally {
      await server.close();
      tmp.cleanup();
    }
  });
});
