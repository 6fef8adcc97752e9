/**
 * Backend services follow edits: after a reload (an edited modtasks.json or module definition)
 * new service processes start, removed ones stop and changed ones restart, while the others
 * keep running with their clients.
 */
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openBackendService } from "../../runtime/src/api/index";
import { tempDir } from "../helpers/tmp";
import { listening, row, type ServiceHarness, startServiceHarness, SVCMOD, waitForStatus } from "./harness";

interface ServicesJson {
  services: Record<string, { script: string; onDemand?: boolean }>;
}

describe("backend services after a reload", { timeout: 60_000 }, () => {
  const tmp = tempDir("mtsvr");
  const mod = join(tmp.path, "svcmod");
  let h: ServiceHarness;
  const config = (): ServicesJson => JSON.parse(readFileSync(join(mod, "modtasks.json"), "utf8")) as ServicesJson;
  const writeConfig = (c: ServicesJson) => writeFileSync(join(mod, "modtasks.json"), JSON.stringify(c, null, 2));

  before(async () => {
    cpSync(SVCMOD, mod, { recursive: true });
    writeFileSync(
      join(mod, "lib", "hello-service.ts"),
      `import { runBackendService } from "modtasks";\nvoid runBackendService("svcmod:hello", () => ({ hi: () => "hi from " + process.pid }));\n`,
    );
    h = await startServiceHarness(mod);
    await waitForStatus(h.services, listening("svcmod:counter"));
  });
  after(async () => {
    await h?.stop();
    tmp.cleanup();
  });

  it("starts a newly declared service, stops a removed one, and leaves the rest running", async () => {
    const counterPid = row(h.services, "svcmod:counter")!.pid;
    const c = config();
    c.services.hello = { script: "lib/hello-service.ts", onDemand: false };
    delete c.services.broken;
    writeConfig(c);
    await h.rt.reload();

    const hello = await waitForStatus(h.services, listening("svcmod:hello"));
    const client = await openBackendService<{ hi(): string }>("svcmod:hello", [], { timeout: 10_000 });
    assert.equal(await client.hi(), `hi from ${hello.pid}`);
    client.close();
    assert.equal(row(h.services, "svcmod:broken"), undefined, "the removed declaration is gone");
    assert.equal(row(h.services, "svcmod:counter")!.pid, counterPid, "an unchanged service keeps its process");

    delete c.services.hello;
    writeConfig(c);
    await h.rt.reload();
    assert.equal(row(h.services, "svcmod:hello"), undefined);
    assert.throws(() => process.kill(hello.pid!, 0), /ESRCH/, "its process was stopped");
  });

  it("restarts a service whose declaration changed from on demand to always on", async () => {
    assert.equal(row(h.services, "svcmod:greeter")!.state, "stopped");
    const c = config();
    c.services.greeter = { ...c.services.greeter!, onDemand: false };
    writeConfig(c);
    await h.rt.reload();
    const greeter = await waitForStatus(h.services, listening("svcmod:greeter"));
    assert.equal(greeter.onDemand, false);
  });
});
