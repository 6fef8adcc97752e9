import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseDbSetting } from "../../client/src/db-location";
import { locateRuntime } from "../../client/src/runtime-locator";
import { cliRunner, describeStoredTask, readStoredQueue, type CliRunner } from "../../client/src/stored-queue";

/**
 * The read-only queue view while no runtime runs: what it asks the `modtasks` command (only the
 * groups that hold tasks), and the real command's answers on a real SQLite database.
 */
const REPO = join(__dirname, "..", "..");
const COUNTS = { pending: 0, running: 0, retrying: 0, failed: 0, completed: 0, cancelled: 0, stuck: 0 };

function fakeCli(counts: Partial<typeof COUNTS>, o: { runtime?: boolean } = {}): { run: CliRunner; calls: string[][] } {
  const calls: string[][] = [];
  const run: CliRunner = async (args) => {
    calls.push(args);
    if (args[0] === "status") return JSON.stringify({ runtime: !!o.runtime, db: "postgres://u@h/db", socket: "/tmp/x.sock", counts: { ...COUNTS, ...counts } });
    const state = args[args.indexOf("--state") + 1];
    const id = ["running", "pending", "retrying", "failed", "completed", "cancelled"].indexOf(state!) + 1;
    return JSON.stringify([{ id, type: "m:t", state: "pending", outcome: null, data: { big: "x".repeat(100) }, failures: 0 }]);
  };
  return { run, calls };
}

describe("stored queue: what it asks the modtasks command", () => {
  const pg = parseDbSetting("postgres://u@h/db", "/w");

  it("an empty queue costs one process (status); only groups with tasks are listed", async () => {
    const empty = fakeCli({});
    const r = await readStoredQueue(empty.run, pg);
    assert.equal(r.kind, "snapshot");
    assert.deepEqual(empty.calls, [["status", "--json", "--db", "postgres://u@h/db"]]);

    const some = fakeCli({ failed: 2, completed: 7 });
    const s = await readStoredQueue(some.run, pg, { finishedLimit: 20, now: () => 1234 });
    assert.deepEqual(some.calls.slice(1), [
      ["tasks", "list", "--json", "--db", "postgres://u@h/db", "--state", "failed", "--limit", "20"],
      ["tasks", "list", "--json", "--db", "postgres://u@h/db", "--state", "completed", "--limit", "20"],
    ]);
    assert.ok(s.kind === "snapshot");
    assert.equal(s.snapshot.source, "database");
    assert.equal(s.snapshot.fetchedAt, 1234);
    assert.equal(s.snapshot.status.db, "postgres://u@h/db");
    assert.equal(s.snapshot.status.counts.completed, 7);
    assert.deepEqual(s.snapshot.failed.map((t) => t.id), [4]);
    assert.equal(s.snapshot.scheduled, undefined);
    assert.equal("data" in s.snapshot.failed[0]!, false, "the tree keeps summaries, not data and results");
  });

  it("unfinished groups: running, queued and retrying are the active list", async () => {
    const c = fakeCli({ running: 1, pending: 1, retrying: 1 });
    const s = await readStoredQueue(c.run, pg, { activeLimit: 10 });
    assert.ok(s.kind === "snapshot");
    assert.deepEqual(s.snapshot.active.map((t) => t.id), [1, 2, 3]);
    assert.deepEqual(c.calls.slice(1).map((a) => a[a.indexOf("--limit") + 1]), ["10", "10", "10"]);
  });

  it("a runtime answers after all: the caller attaches instead", async () => {
    const c = fakeCli({ failed: 1 }, { runtime: true });
    assert.deepEqual(await readStoredQueue(c.run, pg), { kind: "runtime-running" });
    assert.equal(c.calls.length, 1);
  });

  it("a SQLite file that does not exist yet is not created by looking at it", async () => {
    const c = fakeCli({});
    assert.deepEqual(await readStoredQueue(c.run, parseDbSetting("sqlite:/nonexistent/dir/tasks.db", "/w")), { kind: "no-database" });
    assert.equal(c.calls.length, 0);
  });

  it("output that is not JSON is an error that says which command", async () => {
    await assert.rejects(readStoredQueue(async () => "no runtime is running", pg), /modtasks status did not print JSON: no runtime is running/);
  });
});

describe("stored queue: the real modtasks command on a SQLite database", () => {
  let dir: string;
  let dbSetting: string;
  const ids: number[] = [];

  const runner = () => {
    const located = locateRuntime({ workspaceFolders: [dir], extensionPath: REPO, nodePath: process.execPath });
    assert.ok(located.ok && located.runtime.source === "extension");
    return cliRunner(located.runtime, dir);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "mtstored-"));
    dbSetting = `sqlite:${join(dir, "tasks.db")}`;
    // Two tasks queued without a runtime (by the command, as a user would); one of them cancelled.
    const run = runner();
    const hello = join(REPO, "examples", "hello");
    for (const name of ["stored", "gone"]) ids.push(Number(await run(["schedule", "hello:greet", JSON.stringify({ name }), "--db", dbSetting, "--modules", hello])));
    assert.match(await run(["tasks", "cancel", String(ids[1]), "--db", dbSetting, "--json"]), /"cancelled"/);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads counts and tasks as the tree needs them", async () => {
    const r = await readStoredQueue(runner(), parseDbSetting(dbSetting, dir));
    assert.ok(r.kind === "snapshot", JSON.stringify(r));
    const s = r.snapshot;
    assert.equal(s.status.db, dbSetting);
    assert.equal(s.status.counts.pending, 1);
    assert.equal(s.status.counts.cancelled, 1);
    assert.deepEqual(s.active.map((t) => [t.id, t.type, t.state]), [[ids[0], "hello:greet", "pending"]]);
    assert.deepEqual(s.cancelled.map((t) => [t.id, t.outcome]), [[ids[1], "cancelled"]]);
    assert.deepEqual([s.failed, s.completed], [[], []]);
  });

  it("describes one task (Show Task Details without a runtime); a missing one is an error with the command's message", async () => {
    const t = await describeStoredTask(runner(), parseDbSetting(dbSetting, dir), ids[0]!);
    assert.deepEqual(t.data, { name: "stored" });
    await assert.rejects(describeStoredTask(runner(), parseDbSetting(dbSetting, dir), 99999), { message: "modtasks tasks: No such task #99999" });
  });
});
