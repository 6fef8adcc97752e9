/**
 * Editing moduledefinition.xml while the runtime runs takes effect without a restart: a new
 * `<task>` is scheduled, a changed mask reschedules, a new task type can be scheduled and runs.
 */
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openRuntime, type RuntimeHandle } from "../../runtime/src/api/runtime-handle";
import { Runtime } from "../../runtime/src/engine/runtime";
import { tempDir } from "../helpers/tmp";

describe("editing a module definition while the runtime runs", { timeout: 60_000 }, () => {
  let dir: { path: string; cleanup: () => void };
  let rt: Runtime;
  let api: RuntimeHandle;
  let file: string;

  before(async () => {
    dir = tempDir("mtreload");
    const mod = join(dir.path, "hello");
    cpSync(join(__dirname, "..", "..", "examples", "hello"), mod, { recursive: true, filter: (src) => !src.includes(".modtasks") });
    file = join(mod, "moduledefinition.xml");
    // No startup seeding here: the test schedules what it needs.
    writeFileSync(file, readFileSync(file, "utf8").replace(/<task tag="seed"[^>]*\/>/, ""));
    rt = await Runtime.start({ db: { kind: "sqlite", path: join(dir.path, "tasks.db") }, moduleDirs: [mod], workers: 1, log: () => {} });
    api = await openRuntime({ db: `sqlite:${join(dir.path, "tasks.db")}` });
  });
  after(async () => {
    await api.close();
    await rt.stop();
    dir.cleanup();
  });

  const edit = async (change: (xml: string) => string) => {
    const reloaded = new Promise<void>((r) => {
      const off = rt.onReloaded(() => {
        off();
        r();
      });
    });
    writeFileSync(file, change(readFileSync(file, "utf8")));
    await reloaded;
  };

  it("picks up a new scheduled task, a changed mask and a new task type", async () => {
    const before = await rt.scheduler.list();
    assert.equal(before.find((t) => t.name === "hello:report")!.runat, "0 15 * * 1");
    await edit((xml) =>
      xml
        .replace(`runat="0 15 * * 1"`, `runat="30 6 * * *"`)
        .replace("</servicemanager>", `  <task tag="nightly" runat="0 2 * * *" script="scripts/report.ts" />\n    <managedtask type="late" taskrunner="lib/tasks.ts#addNumbers" />\n  </servicemanager>`),
    );
    const after = await rt.scheduler.list();
    const report = after.find((t) => t.name === "hello:report")!;
    assert.equal(report.runat, "30 6 * * *");
    assert.equal(new Date(report.nextRun!).getUTCMinutes() % 30, 0, "rescheduled from the new mask");
    assert.ok(after.some((t) => t.name === "hello:nightly"), "the new task is scheduled");
    api.refreshTypes();
    const id = await api.transaction((tx) => tx.scheduleManagedTask("hello:late", { a: 2, b: 3 }));
    assert.deepEqual(await api.retrieveTaskResult(id, { timeout: 20_000 }), { sum: 5 });
  });
});
