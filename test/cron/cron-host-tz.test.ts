/**
 * The host's time zone must not matter: the engine never reads local time. Re-run the cron
 * suites (the oracle scaled down) in child processes whose TZ is far from UTC and DST-laden.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

const FILES = ["test/cron/cron-schedule.test.ts", "test/cron/cron-zone.test.ts", "test/cron/cron-parse.test.ts", "test/cron/cron-crontab.test.ts", "test/cron/cron-oracle-prudence.test.ts", "test/cron/cron-oracle-webhare.test.ts", "test/cron/cron-oracle-extended.test.ts"];

for (const tz of ["Pacific/Chatham", "America/Santiago"]) {
  test(`the cron suite passes with TZ=${tz}`, () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TZ: tz, CRON_ORACLE_MASKS: "80" };
    // Inside a test run Node sets NODE_TEST_CONTEXT; a nested `node --test` that inherits it runs nothing.
    delete env.NODE_TEST_CONTEXT;
    const probe = spawnSync(process.execPath, ["-e", "process.stdout.write(String(new Date(Date.UTC(2026,6,1)).getTimezoneOffset()))"], { encoding: "utf8", env });
    assert.notEqual(probe.stdout, "0", "the child really runs in that zone");
    const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", ...FILES], { encoding: "utf8", env, timeout: 120_000 });
    const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(r.stdout)?.[1] ?? NaN);
    assert.equal(r.status, 0, `${r.stdout.slice(-4000)}\n${r.stderr}`);
    assert.equal(count("fail"), 0);
    assert.ok(count("pass") >= 60, `only ${count("pass")} tests passed under TZ=${tz}`);
  });
}
