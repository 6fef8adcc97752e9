import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runScript } from "../../runtime/src/scheduler/script-runner";
import { tempDir } from "../helpers/tmp";
import { FakeClock } from "./fake-clock";
import { liveGroupMembers } from "./process-group";

describe("scheduled task scripts", { timeout: 60_000 }, () => {
  let dir: { path: string; cleanup: () => void };
  before(() => {
    dir = tempDir("mtscript");
    writeFileSync(join(dir.path, "ok.ts"), `const n: number = process.argv.length; console.log("args:" + process.argv.slice(2).join(",") + " " + n + " cwd:" + process.cwd());\n`);
    writeFileSync(join(dir.path, "fail.js"), `console.log("working"); console.error("it broke"); process.exit(3);\n`);
    writeFileSync(join(dir.path, "warn.js"), `console.error("just a warning");\n`);
    writeFileSync(join(dir.path, "slow.js"), `require("node:child_process").spawn("sleep", ["600"], { stdio: "ignore" }); console.log("started, now hanging"); setInterval(() => {}, 1000);\n`);
    writeFileSync(join(dir.path, "tool.sh"), `#!/bin/sh\necho "shell $1"\n`);
    chmodSync(join(dir.path, "tool.sh"), 0o755);
  });
  after(() => dir.cleanup());

  const base = () => ({ cwd: dir.path, env: process.env, timeoutMs: 0, timeoutMinutes: 60, args: [] as string[] });

  it("runs TypeScript without a build step, with the <arg> values, in the module folder", async () => {
    const r = await runScript({ ...base(), script: join(dir.path, "ok.ts"), args: ["a", "b c"] });
    assert.equal(r.ok, true);
    assert.match(r.output, new RegExp(`args:a,b c \\d+ cwd:${dir.path}`));
  });

  it("records a non-zero exit as stderr plus WebHare's message", async () => {
    const r = await runScript({ ...base(), script: join(dir.path, "fail.js") });
    assert.deepEqual([r.ok, r.exitCode, r.error], [false, 3, "it broke\nProcess exited with error code: 3"]);
  });

  it("treats stderr output with exit code 0 as a warning, not a failure", async () => {
    const r = await runScript({ ...base(), script: join(dir.path, "warn.js") });
    assert.deepEqual([r.ok, r.error, r.warning], [true, null, "just a warning"]);
  });

  it("kills a script and what it started when its timeout passes on the clock, with the last output in the message", async () => {
    const clock = new FakeClock(Date.now());
    let pid = 0;
    let printed!: () => void;
    const hasPrinted = new Promise<void>((r) => (printed = r));
    const run = runScript({ ...base(), script: join(dir.path, "slow.js"), timeoutMs: 5 * 60_000, timeoutMinutes: 5, clock, onStart: (p) => (pid = p), onOutput: (_s, t) => t.includes("hanging") && printed() });
    await hasPrinted;
    clock.advanceTo(clock.now() + 5 * 60_000 - 1);
    assert.equal(liveGroupMembers(pid).length, 2, "not killed before its time");
    clock.advanceTo(clock.now() + 1);
    const r = await run;
    assert.equal(r.ok, false);
    assert.equal(r.error, "Script timed out after 5 minutes. Last output: started, now hanging");
    assert.deepEqual(liveGroupMembers(pid), [], "the script's process group is gone");
  });

  it("runs any other executable as it is", async () => {
    const r = await runScript({ ...base(), script: join(dir.path, "tool.sh"), args: ["x"] });
    assert.deepEqual([r.ok, r.output.trim()], [true, "shell x"]);
  });

  it("reports a script that cannot start", async () => {
    const r = await runScript({ ...base(), script: join(dir.path, "missing.sh") });
    assert.equal(r.ok, false);
    assert.match(r.error ?? "", /Cannot start .*missing\.sh/);
  });
});
