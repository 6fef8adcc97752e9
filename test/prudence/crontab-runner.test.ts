/**
 * The crontab runner with a fake clock: one start per line and minute, `|` unions once, context
 * as-is, and `crontab.system` ignored unless enabled.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { BackgroundTasks, ExecuteSpec } from "../../runtime/src/prudence/background";
import { CrontabRunner } from "../../runtime/src/prudence/crontab-runner";
import { FakeClock } from "../scheduler/fake-clock";
import { tempDir } from "../helpers/tmp";

describe("crontab runner", () => {
  let dir: { path: string; cleanup: () => void };
  const mod = () => ({ name: "cmod", dir: join(dir.path, "cmod"), file: join(dir.path, "cmod", "moduledefinition.xml") });
  before(() => {
    dir = tempDir("mtcron");
    mkdirSync(join(dir.path, "cmod"));
  });
  after(() => dir.cleanup());

  function rig(crontab: string, startIso: string, opts: { system?: string; systemCrontab?: boolean } = {}) {
    writeFileSync(join(dir.path, "cmod", "crontab"), crontab);
    rmSync(join(dir.path, "cmod", "crontab.system"), { force: true });
    if (opts.system !== undefined) writeFileSync(join(dir.path, "cmod", "crontab.system"), opts.system);
    const calls: { at: string; spec: ExecuteSpec }[] = [];
    const logs: string[] = [];
    const clock = new FakeClock(Date.parse(startIso));
    const background = { execute: (spec: ExecuteSpec) => (calls.push({ at: new Date(clock.now()).toISOString(), spec }), 1) } as unknown as BackgroundTasks;
    const runner = new CrontabRunner({ background, clock, zone: { kind: "utc" }, systemCrontab: !!opts.systemCrontab, env: () => process.env, log: (_l, t) => logs.push(t) });
    runner.sync([mod()]);
    const advance = (iso: string) => {
      const until = Date.parse(iso);
      for (let n = clock.nextTimer(); n !== undefined && n <= until; n = clock.nextTimer()) clock.advanceTo(n);
      clock.advanceTo(until);
    };
    return { calls, advance, runner, logs };
  }

  it("starts a document once per matching minute even when several alternatives of a `|` union match", () => {
    const r = rig("*/2 * * * *|*/3 * * * * /tasks/union/\n", "2026-05-05T10:00:30Z");
    r.advance("2026-05-05T10:06:30Z");
    assert.deepEqual(r.calls.map((c) => c.at.slice(11, 16)), ["10:02", "10:03", "10:04", "10:06"]);
  });

  it("starts the same document twice in one minute when two lines name it", () => {
    const r = rig("* * * * * /tasks/twice/ one\n# a comment\n\n* * * * * /tasks/twice/ two\n", "2026-05-05T10:00:30Z");
    r.advance("2026-05-05T10:01:30Z");
    assert.deepEqual(r.calls.map((c) => [c.at.slice(11, 16), c.spec.document, c.spec.context]), [
      ["10:01", "/tasks/twice/", "one"],
      ["10:01", "/tasks/twice/", "two"],
    ]);
  });

  it("delivers the context as the line's text, as-is", () => {
    const r = rig('0 3 * * * /tasks/job/ {"message": "This is a JSON context"}  \n', "2026-05-05T00:00:00Z");
    r.advance("2026-05-05T03:00:00Z");
    assert.deepEqual(r.calls.map((c) => c.spec.context), ['{"message": "This is a JSON context"}']);
  });

  it("follows the manual's examples: every 5 minutes 05:00-07:55, else every 30; 23:59 on Tuesdays and Fridays; L", () => {
    const r = rig("*/5 5-7 * * *|*/30 0-4,8-23 * * * /tasks/a/\n59 23 * * tue,fri /tasks/b/\n0 12 L * * /tasks/c/\n", "2026-02-26T04:29:00Z");
    r.advance("2026-02-28T23:59:59Z");
    const a = r.calls.filter((c) => c.spec.document === "/tasks/a/").map((c) => c.at.slice(0, 16));
    assert.deepEqual(a.slice(0, 4), ["2026-02-26T04:30", "2026-02-26T05:00", "2026-02-26T05:05", "2026-02-26T05:10"]);
    assert.ok(a.includes("2026-02-26T07:55") && a.includes("2026-02-26T08:00") && !a.includes("2026-02-26T08:05"));
    assert.deepEqual(r.calls.filter((c) => c.spec.document === "/tasks/b/").map((c) => c.at.slice(0, 16)), ["2026-02-27T23:59"]); // a Friday
    assert.deepEqual(r.calls.filter((c) => c.spec.document === "/tasks/c/").map((c) => c.at.slice(0, 16)), ["2026-02-28T12:00"]); // last day of February 2026
  });

  it("re-reads the file on sync (hot reload)", () => {
    const r = rig("0 * * * * /tasks/old/\n", "2026-05-05T10:30:00Z");
    writeFileSync(join(dir.path, "cmod", "crontab"), "15 * * * * /tasks/new/\n");
    r.runner.sync([mod()]);
    r.advance("2026-05-05T11:20:00Z");
    assert.deepEqual(r.calls.map((c) => [c.at.slice(11, 16), c.spec.document]), [["11:15", "/tasks/new/"]]);
  });

  it("ignores crontab.system unless system crontabs are enabled, and then runs its lines", async () => {
    const out = join(dir.path, "cmod", "system.txt");
    const system = `* * * * * ENV:WHO=cron OUT:system.txt sh -c "echo ran as $WHO"\n`;
    const off = rig("", "2026-05-05T10:00:30Z", { system });
    off.advance("2026-05-05T10:02:30Z");
    await off.runner.whenSystemRunsDone();
    assert.equal(existsSync(out), false, "nothing ran");
    assert.match(off.logs.join("\n"), /crontab\.system is ignored: system crontabs run only when enabled \(--system-crontab/);
    assert.deepEqual(off.runner.entries, []);

    const on = rig("", "2026-05-05T10:00:30Z", { system, systemCrontab: true });
    on.advance("2026-05-05T10:02:30Z");
    await on.runner.whenSystemRunsDone();
    assert.equal(readFileSync(out, "utf8"), "ran as cron\nran as cron\n", "once a minute, with its ENV: and OUT:");
    assert.deepEqual(on.logs, []);
  });
});
