import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { CliError } from "../../runtime/src/cli/command";
import { run } from "../../runtime/src/cli/next";

const stateDir = mkdtempSync(join(tmpdir(), "modtasks-cron-cli-"));
after(() => rmSync(stateDir, { recursive: true, force: true }));

/** Runs `modtasks next <args>` in-process, capturing what it prints; usage errors map to their exit code as in the dispatcher. */
async function cli(argv: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  assert.equal(argv[0], "next");
  const out: string[] = [];
  const err: string[] = [];
  const saved: Record<string, string | undefined> = {};
  const allEnv = { MODTASKS_STATE_DIR: stateDir, WEBHARE_MAINTENANCE_OFFSET: undefined, ...env };
  for (const [k, v] of Object.entries(allEnv)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const code = await run(argv.slice(1), { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join(""), err: err.join("") };
  } catch (e) {
    if (e instanceof CliError) return { code: e.exitCode, out: out.join(""), err: `${err.join("")}modtasks next: ${e.message}\n` };
    throw e;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe("modtasks next", () => {
  test("prints the description, then N ISO times with the zone's offset", async () => {
    const r = await cli(["next", "0 15 * * 1", "--tz", "Europe/Amsterdam", "--from", "2026-03-20T00:00:00Z", "--count", "3"]);
    assert.equal(r.code, 0);
    assert.equal(r.err, "");
    assert.equal(r.out, "At 15:00 on Monday, Europe/Amsterdam\n2026-03-23T15:00:00+01:00\n2026-03-30T15:00:00+02:00\n2026-04-06T15:00:00+02:00\n");
  });

  test("defaults: UTC, 5 runs, webhare dialect", async () => {
    const r = await cli(["next", "13 0 * * *", "--from", "2026-01-01T00:00:00Z"]);
    assert.equal(r.code, 0);
    assert.deepEqual(r.out.trim().split("\n"), ["At 00:13 every day, UTC", "2026-01-01T00:13:00+00:00", "2026-01-02T00:13:00+00:00", "2026-01-03T00:13:00+00:00", "2026-01-04T00:13:00+00:00", "2026-01-05T00:13:00+00:00"]);
  });

  test("--json prints only a JSON array of strings", async () => {
    const r = await cli(["next", "59 23 * * tue,fri", "--dialect", "prudence", "--from", "2026-01-01T00:00:00Z", "--count", "2", "--json"]);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.out), ["2026-01-02T23:59:00+00:00", "2026-01-06T23:59:00+00:00"]);
  });

  test("a bad mask: the error with its code, the mask, carets under the field; exit 1", async () => {
    const r = await cli(["next", "13 24 * * *"]);
    assert.equal(r.code, 1);
    assert.equal(r.out, "");
    assert.equal(r.err, "error: hour 24 is out of range 0-23 [cron-out-of-range]\n  13 24 * * *\n     ^^\n");
    const w = await cli(["next", "0 0 * * 1-5"]);
    assert.equal(w.code, 1);
    assert.match(w.err, /^error: range '1-5' in the day of week field \(0-7\) is not supported by WebHare \(use 1,2,3,4,5\) \[cron-unsupported-syntax\]\n {2}0 0 \* \* 1-5\n {10}\^\^\^\n {2}fix: replace with '1,2,3,4,5'\n$/);
    // The same mask is fine in the extended dialect.
    assert.equal((await cli(["next", "0 0 * * 1-5", "--dialect", "extended", "--json", "--count", "1"])).code, 0);
  });

  test("a bad --tz: clear error with the suggestion; exit 1", async () => {
    const r = await cli(["next", "0 0 * * *", "--tz", "Europe/Amsterdm"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: unknown time zone 'Europe\/Amsterdm' \(did you mean 'Europe\/Amsterdam'\?\) \[cron-invalid-zone\]/);
  });

  test("warnings go to stderr and the exit code stays 0", async () => {
    const r = await cli(["next", "30 2 * * *", "--tz", "Europe/Amsterdam", "--from", "2026-03-28T12:00:00Z", "--count", "2"]);
    assert.equal(r.code, 0);
    assert.match(r.err, /^warning: 02:30 does not exist in Europe\/Amsterdam on 2026-03-29/);
    assert.match(r.err, /\[cron-dst-gap\]\n {2}30 2 \* \* \*\n {5}\^\n/);
    assert.equal(r.out, "At 02:30 every day, Europe/Amsterdam\n2026-03-29T03:00:00+02:00\n2026-03-30T02:30:00+02:00\n");
  });

  test("--from without an offset is read on the zone's wall clock", async () => {
    const r = await cli(["next", "0 * * * *", "--tz", "America/New_York", "--from", "2026-07-01T09:30", "--count", "1", "--json"]);
    assert.deepEqual(JSON.parse(r.out), ["2026-07-01T10:00:00-04:00"]);
  });

  test("--tz maintenance: the flag, the env var, else the stored offset", async () => {
    const flag = await cli(["next", "45 0 * * *", "--tz", "maintenance", "--maintenance-offset", "83", "--from", "2026-01-01T00:00:00Z", "--count", "1"]);
    // The label's sign is the one the times print with: 00:45-01:23 is 02:08 UTC.
    assert.equal(flag.out, "At 00:45 every day, maintenance zone (UTC-01:23: runs 83 min after UTC)\n2026-01-01T00:45:00-01:23\n");
    const env = await cli(["next", "45 0 * * *", "--tz", "maintenance", "--from", "2026-01-01T00:00:00Z", "--count", "1", "--json"], { WEBHARE_MAINTENANCE_OFFSET: "10" });
    assert.deepEqual(JSON.parse(env.out), ["2026-01-01T00:45:00-00:10"]);
    const stored1 = await cli(["next", "45 0 * * *", "--tz", "maintenance", "--json", "--count", "1", "--from", "2026-01-01T00:00:00Z"]);
    const stored2 = await cli(["next", "45 0 * * *", "--tz", "maintenance", "--json", "--count", "1", "--from", "2026-01-01T00:00:00Z"]);
    assert.equal(stored1.out, stored2.out, "the stored offset is reused");
  });

  test("--maintenance-offset wins over WEBHARE_MAINTENANCE_OFFSET; an invalid env value is reported once", async () => {
    const both = await cli(["next", "45 0 * * *", "--tz", "maintenance", "--maintenance-offset", "83", "--from", "2026-01-01T00:00:00Z", "--count", "1", "--json"], { WEBHARE_MAINTENANCE_OFFSET: "10" });
    assert.deepEqual(JSON.parse(both.out), ["2026-01-01T00:45:00-01:23"]);
    assert.equal(both.err, "warning: WEBHARE_MAINTENANCE_OFFSET=10 is overridden by the explicit offset 83; using 83 (--maintenance-offset)\n");
    const stored = await cli(["next", "45 0 * * *", "--tz", "maintenance", "--json", "--count", "1", "--from", "2026-01-01T00:00:00Z"]);
    const bad = await cli(["next", "45 0 * * *", "--tz", "maintenance", "--json", "--count", "1", "--from", "2026-01-01T00:00:00Z"], { WEBHARE_MAINTENANCE_OFFSET: "1500" });
    assert.equal(bad.code, 0);
    assert.equal(bad.out, stored.out, "the stored offset, not a silent 0 or 1500");
    assert.equal(bad.err.split("\n").filter((l) => l.includes("WEBHARE_MAINTENANCE_OFFSET")).length, 1);
    assert.match(bad.err, /^warning: WEBHARE_MAINTENANCE_OFFSET='1500' is ignored: it must be a whole number of minutes from 0 to 1439; using \d+ \(stored in .*maintenance-offset\)\n$/);
    const help = await cli(["next", "--help"]);
    assert.match(help.out, /--maintenance-offset MIN .*\(wins over\n\s+WEBHARE_MAINTENANCE_OFFSET; without either, the value stored\n\s+once per installation\)/);
  });

  test("a bare city as --tz gets the zone as a suggestion", async () => {
    for (const [typed, zone] of [["Amsterdam", "Europe/Amsterdam"], ["amsterdam", "Europe/Amsterdam"], ["New_York", "America/New_York"], ["new york", "America/New_York"]]) {
      const r = await cli(["next", "0 0 * * *", "--tz", typed!]);
      assert.equal(r.code, 1);
      assert.match(r.err, new RegExp(`^error: unknown time zone '${typed}' \\(did you mean '${zone!.replace("/", "\\/")}'\\?\\) \\[cron-invalid-zone\\]`), typed);
    }
  });

  test("usage errors exit 2", async () => {
    assert.equal((await cli(["next"])).code, 2);
    assert.equal((await cli(["next", "0", "0", "*", "*", "*"])).code, 2);
    assert.equal((await cli(["next", "0 0 * * *", "--count", "0"])).code, 2);
    assert.equal((await cli(["next", "0 0 * * *", "--dialect", "quartz"])).code, 2);
    assert.equal((await cli(["next", "0 0 * * *", "--from", "yesterday"])).code, 2);
    assert.equal((await cli(["next", "0 0 * * *", "--maintenance-offset", "1440", "--tz", "maintenance"])).code, 2);
    const help = await cli(["next", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /^usage: modtasks next "<mask>"/);
  });

  test("end to end through the dispatcher in a child process", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "runtime/src/cli/main.ts", "next", "*/5 5-7 * * *|*/30 0-4,8-23 * * *", "--dialect", "prudence", "--from", "2026-01-01T07:50:00Z", "--count", "3", "--json"], {
      encoding: "utf8",
      env: { ...process.env, MODTASKS_STATE_DIR: stateDir },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), ["2026-01-01T07:55:00+00:00", "2026-01-01T08:00:00+00:00", "2026-01-01T08:30:00+00:00"]);
  });
});
