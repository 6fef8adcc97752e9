/**
 * A module outside any npm project (no package.json, no node_modules/modtasks), as a globally
 * installed CLI runs it: its task code still imports "modtasks", in CommonJS-compiled
 * TypeScript and in an ES module alike. The runtime runs from the module's folder, so that
 * this repository's tsconfig paths (which tsx reads from the working folder) do not help.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openRuntime, type RuntimeHandle } from "../../runtime/src/api/runtime-handle";
import { Runtime } from "../../runtime/src/engine/runtime";
import { tempDir } from "../helpers/tmp";

describe("a module folder without node_modules", { timeout: 60_000 }, () => {
  const tmp = tempDir("mtalone");
  const mod = join(tmp.path, "standalone");
  let rt: Runtime;
  let api: RuntimeHandle;
  const logs: string[] = [];
  const cwd = process.cwd();

  before(async () => {
    mkdirSync(join(mod, "lib"), { recursive: true });
    writeFileSync(
      join(mod, "moduledefinition.xml"),
      `<?xml version="1.0" encoding="UTF-8"?>
<module xmlns="http://www.webhare.net/xmlns/system/moduledefinition">
  <servicemanager>
    <managedtask type="fromts" objectname="lib/tasks.ts#Greet" />
    <managedtask type="fromesm" taskrunner="lib/esm-task.mjs#run" />
  </servicemanager>
</module>
`,
    );
    writeFileSync(
      join(mod, "lib", "tasks.ts"),
      `import { ManagedTaskBase } from "modtasks";\nexport class Greet extends ManagedTaskBase<{ who: string }> {\n  async runTask(data: { who: string }) {\n    this.resolveByCompletion({ hello: data.who });\n  }\n}\n`,
    );
    writeFileSync(
      join(mod, "lib", "esm-task.mjs"),
      `import { ManagedTaskBase } from "modtasks";\nexport async function run(req) {\n  return req.resolveByCompletion({ esm: typeof ManagedTaskBase });\n}\n`,
    );
    process.chdir(mod);
    const db = join(tmp.path, "tasks.db");
    rt = await Runtime.start({ db: { kind: "sqlite", path: db }, moduleDirs: [mod], workers: 1, watch: false, log: (level, text) => logs.push(`${level}: ${text}`) });
    api = await openRuntime({ db: `sqlite:${db}`, modules: [mod] });
  });
  after(async () => {
    await api?.close();
    await rt?.stop();
    process.chdir(cwd);
    tmp.cleanup();
  });

  it("runs TypeScript and ES module task code that imports modtasks", async () => {
    const [a, b] = await api.transaction(async (tx) => [await tx.scheduleManagedTask("standalone:fromts", { who: "world" }), await tx.scheduleManagedTask("standalone:fromesm", {})]);
    const failure = async (id: number) => (await api.describeTask(id))?.lastError ?? "";
    assert.deepEqual(await api.retrieveTaskResult(a!, { timeout: 30_000, acceptTempFailure: true }), { hello: "world" }, await failure(a!));
    assert.deepEqual(await api.retrieveTaskResult(b!, { timeout: 30_000, acceptTempFailure: true }), { esm: "function" }, await failure(b!));
  });
});
