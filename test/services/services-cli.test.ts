/**
 * `modtasks services` and `modtasks call` as users run them (the CLI entry under tsx, a separate
 * process), against a runtime running the svcmod fixture in this process.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runBackendService } from "../../runtime/src/api/index";
import type { BackendServiceController } from "../../runtime/src/services/service";
import type { ServiceStatus } from "../../runtime/src/services/service-manager";
import { listening, REPO, type ServiceHarness, startServiceHarness, waitForStatus } from "./harness";

const MAIN = join(REPO, "runtime", "src", "cli", "main.ts");

describe("modtasks services / call", { timeout: 60_000 }, () => {
  let h: ServiceHarness;
  let external: BackendServiceController;
  before(async () => {
    h = await startServiceHarness();
    await waitForStatus(h.services, listening("svcmod:counter"));
    // A service this test process serves itself: not started by the runtime.
    external = await runBackendService("other:clock", () => ({ now: () => new Date(0) }));
  });
  after(async () => {
    await external?.close();
    await h?.stop();
  });

  /** Runs the CLI asynchronously (the runtime it talks to lives in this process). */
  function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: REPO, env: { ...process.env, ...h.env } }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout, err: stderr });
      });
    });
  }

  it("lists the runtime's services and external ones as JSON", async () => {
    const r = await cli("services", "--json");
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { runtime: boolean; services: (ServiceStatus | { source: "external"; name: string; pid: number })[] };
    assert.equal(j.runtime, true);
    const byName = new Map(j.services.map((s) => [s.name, s]));
    const counter = byName.get("svcmod:counter") as ServiceStatus;
    assert.equal(counter.state, "running");
    assert.equal(counter.listening, true);
    assert.equal(typeof counter.pid, "number");
    assert.equal(typeof counter.uptimeMs, "number");
    assert.equal(counter.restarts, 0);
    assert.equal((byName.get("svcmod:greeter") as ServiceStatus).state, "stopped");
    assert.deepEqual([byName.get("other:clock")?.source, byName.get("other:clock")?.pid], ["external", process.pid]);
  });

  it("prints a table with name, state, pid, uptime, clients and restarts", async () => {
    const r = await cli("services");
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split("\n");
    assert.match(lines[0]!, /^NAME\s+STATE\s+PID\s+UPTIME\s+CLIENTS\s+RESTARTS\s+SOURCE$/);
    assert.ok(lines.some((l) => /^svcmod:counter\s+running\s+\d+\s+\d+s\s+\d+\s+0\s+<runatstartup>$/.test(l)), r.out);
    assert.ok(lines.some((l) => /^svcmod:greeter\s+stopped\s+-\s+-\s+-\s+0\s+modtasks\.json \(on demand\)$/.test(l)), r.out);
    assert.ok(lines.some((l) => /^other:clock\s+running\s+\d+\s+\d+s\s+0\s+0\s+external$/.test(l)), r.out);
  });

  it("calls a method with JSON arguments and prints the JSON result", async () => {
    const r = await cli("call", "svcmod:counter", "add", "2", "40");
    assert.deepEqual([r.code, r.out, r.err], [0, "42\n", ""]);
    const e = await cli("call", "svcmod:counter", "echo", '{"when":{"$mt":"date","v":"2026-01-01T00:00:00.000Z"},"s":"x"}');
    assert.deepEqual(JSON.parse(e.out), { when: { $mt: "date", v: "2026-01-01T00:00:00.000Z" }, s: "x" });
    const f = await cli("call", "svcmod:counter", "increment", "--args", "[41]");
    assert.equal(f.out, "42\n");
    const ext = await cli("call", "other:clock", "now");
    assert.deepEqual(JSON.parse(ext.out), { $mt: "date", v: "1970-01-01T00:00:00.000Z" });
  });

  it("exits 1 with the error message when the call fails or the service is unavailable", async () => {
    const r = await cli("call", "svcmod:counter", "fail", '"no good"');
    assert.deepEqual([r.code, r.out, r.err], [1, "", "modtasks call: no good\n"]);
    const u = await cli("call", "svcmod:nothere", "x", "--timeout", "100");
    assert.deepEqual([u.code, u.err], [1, "modtasks call: Service 'svcmod:nothere' is unavailable\n"]);
    const bad = await cli("call", "svcmod:counter", "add", "two");
    assert.equal(bad.code, 2);
    assert.match(bad.err, /argument 1 is not JSON .*quote strings/);
  });

  it("starts an on-demand service through `call`, and stops and restarts it through `services`", async () => {
    const r = await cli("call", "svcmod:greeter", "greet", '"cli"');
    assert.equal(r.out, '"Hello, cli!"\n');
    const restart = await cli("services", "restart", "svcmod:greeter");
    assert.equal(restart.code, 0, restart.err);
    assert.match(restart.out, /^svcmod:greeter: listening \(pid \d+\)\n$/);
    const stop = await cli("services", "stop", "svcmod:greeter");
    assert.deepEqual([stop.code, stop.out], [0, "svcmod:greeter: stopped\n"]);
    const unknown = await cli("services", "stop", "svcmod:greter");
    assert.deepEqual([unknown.code, unknown.err], [1, "modtasks services: no service 'svcmod:greter' is declared or running here; did you mean 'svcmod:greeter'?\n"]);
  });
});
