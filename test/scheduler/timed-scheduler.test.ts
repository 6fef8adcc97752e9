/**
 * The scheduler for `<task>` declarations, driven by a fake clock (no waiting for real minutes)
 * on a real SQLite state table: instants across DST, the maintenance zone, one catch-up run
 * after downtime, no overlapping runs, reschedule on edit, triggers (also of disabled tasks, and
 * of runs another node does), enable/disable, startup runs (queued beyond the run limit, none
 * for disabled tasks), the run limit, warnings, timeouts, and exactly one claimant per occurrence.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { openStore } from "../../runtime/src/queue/open-store";
import type { QueueStore } from "../../runtime/src/queue/store";
import { runScript, type ScriptResult } from "../../runtime/src/scheduler/script-runner";
import { type TimedEvent, type TimedTask, TimedScheduler } from "../../runtime/src/scheduler/timed-scheduler";
import { TimedStore } from "../../runtime/src/scheduler/timed-store";
import { clusterMaintenanceOffset } from "../../runtime/src/scheduler/maintenance-offset";
import { tempDir } from "../helpers/tmp";
import { FakeClock } from "./fake-clock";
import { liveGroupMembers } from "./process-group";

const at = (iso: string) => Date.parse(iso);
/** Waits until `check` holds, looking again after every turn of the event loop (no fixed sleeps). */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setImmediate(r));
}
const isoOf = (ms: number) => new Date(ms).toISOString().replace(".000", "");

function task(over: Partial<TimedTask>): TimedTask {
  return { name: "m:t", moduleName: "m", moduleDir: "/nowhere", tag: "t", runat: "0 * * * *", runtz: "", runAtStartup: false, timeoutMinutes: 60, description: "", args: [], script: "/nowhere/x.js", ...over };
}

/** A scheduler whose runs are recorded and finished by the test. */
class Rig {
  readonly runs: { name: string; at: number; finish: (r?: Partial<ScriptResult>) => void }[] = [];
  readonly events: TimedEvent[] = [];
  /** What an auto-finished run of a task returns (default: ok). */
  readonly results = new Map<string, Partial<ScriptResult>>();
  /** Runs in progress now, and the most there ever were at once. */
  active = 0;
  maxActive = 0;
  readonly scheduler: TimedScheduler;
  private readonly finishListeners: ((name: string) => void)[] = [];
  /** Resolves when a run of `name` has been recorded as finished. */
  finished(name: string): Promise<void> {
    return new Promise((resolve) => this.finishListeners.push((n) => n === name && resolve()));
  }
  constructor(
    store: QueueStore,
    readonly clock: FakeClock,
    owner = "node-a",
    opts: { maxParallel?: number; offset?: number; autoFinish?: boolean; run?: (t: TimedTask, signal: AbortSignal) => Promise<ScriptResult> } = {},
  ) {
    this.scheduler = new TimedScheduler({
      store: new TimedStore(store),
      owner,
      clock,
      run:
        opts.run ??
        ((t) =>
          new Promise<ScriptResult>((resolve) => {
            const finish = (r: Partial<ScriptResult> = {}) => resolve({ ok: true, error: null, warning: null, output: "", exitCode: 0, ...r });
            this.runs.push({ name: t.name, at: clock.now(), finish });
            if (opts.autoFinish !== false) finish(this.results.get(t.name));
          })),
      maxParallel: opts.maxParallel ?? 4,
      leaseMs: 60_000,
      dialect: "webhare",
      maintenanceOffsetMinutes: opts.offset ?? 0,
      onEvent: (e) => {
        this.events.push(e);
        if (e.event === "scheduled-started") this.maxActive = Math.max(this.maxActive, ++this.active);
        if (e.event === "scheduled-finished") {
          this.active--;
          for (const l of this.finishListeners) l(e.name);
        }
      },
      log: () => {},
    });
  }
  /** Finishes the oldest unfinished run of `name` and waits until it is recorded and the scheduler is quiet. */
  async finishRun(name: string, r?: Partial<ScriptResult>): Promise<void> {
    const ended = this.finished(name);
    const run = this.runs.find((x) => x.name === name && !this.finishedRuns.has(x));
    assert.ok(run, `a run of ${name} is in progress`);
    this.finishedRuns.add(run);
    run.finish(r);
    await ended;
    await this.scheduler.whenQuiet();
  }
  private readonly finishedRuns = new Set<object>();
  /** Moves the clock and lets every resulting tick and run settle. */
  async advanceTo(t: number): Promise<void> {
    this.clock.advanceTo(t);
    await this.scheduler.whenQuiet();
  }
  /** Advances timer by timer until `until`, collecting run instants. */
  async runUntil(until: number): Promise<string[]> {
    const from = this.runs.length;
    for (;;) {
      const n = this.clock.nextTimer();
      if (n === undefined || n > until) break;
      await this.advanceTo(n);
    }
    this.clock.advanceTo(until);
    await this.scheduler.whenQuiet();
    return this.runs.slice(from).map((r) => isoOf(r.at));
  }
}

describe("scheduled tasks (fake clock)", { timeout: 60_000 }, () => {
  let store: QueueStore;
  let dir: { cleanup: () => void; path: string };
  before(async () => {
    dir = tempDir("mtsched");
    store = await openStore({ kind: "sqlite", path: join(dir.path, "tasks.db") });
  });
  after(async () => {
    await store.close();
    dir.cleanup();
  });
  beforeEach(async () => {
    await store.transaction((tx) => tx.execute("DELETE FROM modtasks_timed"));
  });

  it("fires `0 15 * * 1` in Europe/Amsterdam at 15:00 local on both sides of the DST change", async () => {
    const rig = new Rig(store, new FakeClock(at("2026-03-18T00:00:00Z")));
    await rig.scheduler.sync([task({ name: "m:mondays", runat: "0 15 * * 1", runtz: "Europe/Amsterdam" })]);
    await rig.scheduler.start();
    const runs = await rig.runUntil(at("2026-04-07T00:00:00Z"));
    // 23 March: CET (UTC+1) -> 14:00Z. 30 March and 6 April: CEST (UTC+2) -> 13:00Z.
    assert.deepEqual(runs, ["2026-03-23T14:00:00Z", "2026-03-30T13:00:00Z", "2026-04-06T13:00:00Z"]);
    await rig.scheduler.stop();
  });

  it("fires a maintenance-zone task at next(now - offset) + offset", async () => {
    const rig = new Rig(store, new FakeClock(at("2026-06-01T00:00:00Z")), "node-a", { offset: 83 });
    await rig.scheduler.sync([task({ name: "m:maint", runat: "45 0 * * *", runtz: "maintenance" })]);
    await rig.scheduler.start();
    assert.deepEqual(await rig.runUntil(at("2026-06-03T00:00:00Z")), ["2026-06-01T02:08:00Z", "2026-06-02T02:08:00Z"]);
    await rig.scheduler.stop();
  });

  it("runs a maintenance-zone task once a day on two nodes whose machines chose different offsets", async () => {
    await store.transaction((tx) => tx.execute("DELETE FROM modtasks_meta WHERE key = 'maintenance_offset'"));
    const warnings: string[] = [];
    // A node started with an explicit offset uses it but does not store it: a later node without
    // one on that machine must run at the times the editor shows, from the installation's offset.
    assert.equal(await clusterMaintenanceOffset(store, { offsetMinutes: 10, source: "override" }, (_l, t) => warnings.push(t)), 10);
    // Each machine has its own random per-installation offset; the database keeps the first node's.
    const offsets = [
      await clusterMaintenanceOffset(store, { offsetMinutes: 83, source: "stored" }, (_l, t) => warnings.push(t)),
      await clusterMaintenanceOffset(store, { offsetMinutes: 200, source: "created" }, (_l, t) => warnings.push(t)),
    ];
    assert.deepEqual([offsets, warnings], [[83, 83], []]);
    const clock = new FakeClock(at("2026-06-01T00:00:00Z"));
    const rigs = offsets.map((offset, i) => new Rig(store, clock, `node-${i}`, { offset }));
    for (const r of rigs) await r.scheduler.sync([task({ name: "m:nightly", runat: "45 0 * * *", runtz: "maintenance" })]);
    for (const r of rigs) await r.scheduler.start();
    for (let n = clock.nextTimer(); n !== undefined && n <= at("2026-06-03T00:00:00Z"); n = clock.nextTimer()) {
      clock.advanceTo(n);
      for (const r of rigs) await r.scheduler.whenQuiet();
    }
    assert.deepEqual(rigs.flatMap((r) => r.runs.map((x) => isoOf(x.at))).sort(), ["2026-06-01T02:08:00Z", "2026-06-02T02:08:00Z"], "once a day, at the stored offset");
    // An explicit offset (WEBHARE_MAINTENANCE_OFFSET, --maintenance-offset) wins on its node, with a warning.
    assert.equal(await clusterMaintenanceOffset(store, { offsetMinutes: 10, source: "env" }, (_l, t) => warnings.push(t)), 10);
    assert.match(warnings.join("\n"), /maintenance offset 10 \(WEBHARE_MAINTENANCE_OFFSET\) differs from the 83 this database's other nodes use/);
    // An invalid WEBHARE_MAINTENANCE_OFFSET is logged once, not ignored silently.
    const note = "WEBHARE_MAINTENANCE_OFFSET='1500' is ignored: it must be a whole number of minutes from 0 to 1439";
    assert.equal(await clusterMaintenanceOffset(store, { offsetMinutes: 50, source: "stored", envNote: note }, (_l, t) => warnings.push(t)), 83);
    assert.equal(warnings.filter((w) => w === note).length, 1);
    for (const r of rigs) await r.scheduler.stop();
  });

  it("runs once after downtime that missed three occurrences, then resumes the schedule", async () => {
    const first = new Rig(store, new FakeClock(at("2026-05-05T10:30:00Z")));
    await first.scheduler.sync([task({ name: "m:hourly", runat: "0 * * * *" })]);
    await first.scheduler.start();
    await first.scheduler.stop(); // down before 11:00

    const clock = new FakeClock(at("2026-05-05T14:10:00Z")); // 11:00, 12:00 and 14:00 were missed
    const second = new Rig(store, clock);
    await second.scheduler.sync([task({ name: "m:hourly", runat: "0 * * * *" })]);
    await second.scheduler.start();
    await second.scheduler.whenQuiet();
    assert.deepEqual(second.runs.map((r) => isoOf(r.at)), ["2026-05-05T14:10:00Z"], "exactly one catch-up run");
    assert.deepEqual(await second.runUntil(at("2026-05-05T16:30:00Z")), ["2026-05-05T15:00:00Z", "2026-05-05T16:00:00Z"]);
    await second.scheduler.stop();
  });

  it("never overlaps runs of one tag; a run that outlasts occurrences is followed by one catch-up", async () => {
    const rig = new Rig(store, new FakeClock(at("2026-05-05T09:59:00Z")), "node-a", { autoFinish: false });
    await rig.scheduler.sync([task({ name: "m:every5", runat: "*/5 * * * *" })]);
    await rig.scheduler.start();
    await rig.runUntil(at("2026-05-05T10:11:00Z"));
    assert.deepEqual(rig.runs.map((r) => isoOf(r.at)), ["2026-05-05T10:00:00Z"], "10:05 and 10:10 did not start a second run");
    await rig.advanceTo(at("2026-05-05T10:12:00Z"));
    let ended = rig.finished("m:every5");
    rig.runs[0]!.finish();
    await ended;
    await rig.scheduler.whenQuiet();
    assert.deepEqual(rig.runs.map((r) => isoOf(r.at)), ["2026-05-05T10:00:00Z", "2026-05-05T10:12:00Z"]);
    ended = rig.finished("m:every5");
    rig.runs[1]!.finish();
    await ended;
    await rig.scheduler.whenQuiet();
    assert.equal((await new TimedStore(store).get("m:every5"))!.next, at("2026-05-05T10:15:00Z"), "counts on from the run's start");
    await rig.scheduler.stop();
  });

  it("reschedules when the definition changes", async () => {
    const rig = new Rig(store, new FakeClock(at("2026-05-05T10:00:00Z")));
    await rig.scheduler.sync([task({ name: "m:edit", runat: "0 3 * * *" })]);
    assert.equal((await new TimedStore(store).get("m:edit"))!.next, at("2026-05-06T03:00:00Z"));
    await rig.scheduler.sync([task({ name: "m:edit", runat: "30 12 * * *" })]);
    assert.equal((await new TimedStore(store).get("m:edit"))!.next, at("2026-05-05T12:30:00Z"));
    await rig.scheduler.sync([task({ name: "m:edit", runat: "30 12 * * *", runtz: "America/New_York" })]);
    assert.equal((await new TimedStore(store).get("m:edit"))!.next, at("2026-05-05T16:30:00Z"));
    await rig.scheduler.stop();
  });

  it("runs a triggered task now and resolves when that run finished; disabled tasks never run", async () => {
    const rig = new Rig(store, new FakeClock(at("2026-05-05T10:00:30Z")));
    await rig.scheduler.sync([task({ name: "m:manual", runat: "" }), task({ name: "m:off", runat: "* * * * *" })]);
    await rig.scheduler.setEnabled("m:off", false);
    await rig.scheduler.start();
    const done = await rig.scheduler.trigger("m:manual");
    assert.deepEqual([done.name, done.ok, isoOf(done.start)], ["m:manual", true, "2026-05-05T10:00:30Z"]);
    assert.deepEqual(await rig.runUntil(at("2026-05-05T10:10:00Z")), [], "nothing else ran");
    await rig.scheduler.setEnabled("m:off", true);
    // No catch-up for the disabled period: the schedule resumes from now.
    assert.deepEqual(await rig.runUntil(at("2026-05-05T10:12:00Z")), ["2026-05-05T10:11:00Z", "2026-05-05T10:12:00Z"]);
    await assert.rejects(rig.scheduler.trigger("m:nope"), /No such scheduled task 'm:nope'/);
    await rig.scheduler.stop();
  });

  it("runs runatstartup tasks once at start without moving their schedule", async () => {
    const rig = new Rig(store, new FakeClock(at("2026-05-05T10:20:00Z")));
    await rig.scheduler.sync([task({ name: "m:boot", runat: "0 * * * *", runAtStartup: true })]);
    await rig.scheduler.start();
    await rig.scheduler.whenQuiet();
    assert.deepEqual(rig.runs.map((r) => isoOf(r.at)), ["2026-05-05T10:20:00Z"]);
    assert.deepEqual(await rig.runUntil(at("2026-05-05T11:30:00Z")), ["2026-05-05T11:00:00Z"]);
    await rig.scheduler.stop();
  });

  it("lets exactly one of several nodes run each occurrence", async () => {
    const clock = new FakeClock(at("2026-05-05T09:59:00Z"));
    const rigs = [new Rig(store, clock, "node-a"), new Rig(store, clock, "node-b"), new Rig(store, clock, "node-c")];
    for (const r of rigs) {
      await r.scheduler.sync([task({ name: "m:once", runat: "* * * * *" })]);
      await r.scheduler.start();
    }
    for (let m = 0; m < 5; m++) {
      clock.advanceTo(at("2026-05-05T10:00:00Z") + m * 60_000);
      await Promise.all(rigs.map((r) => r.scheduler.whenQuiet()));
    }
    const all = rigs.flatMap((r) => r.runs.map((x) => isoOf(x.at))).sort();
    assert.deepEqual(all, ["2026-05-05T10:00:00Z", "2026-05-05T10:01:00Z", "2026-05-05T10:02:00Z", "2026-05-05T10:03:00Z", "2026-05-05T10:04:00Z"]);
    for (const r of rigs) await r.scheduler.stop();
  });

  it("records runs of a task that cannot run here as failures, on schedule", async () => {
    const rig = new Rig(store, new FakeClock(at("2026-05-05T09:59:30Z")));
    await rig.scheduler.sync([task({ name: "m:hs", runat: "0 10 * * *", unrunnable: "HareScript scripts need a WebHare server" })]);
    await rig.scheduler.start();
    await rig.advanceTo(at("2026-05-05T10:00:00Z"));
    const row = (await new TimedStore(store).get("m:hs"))!;
    assert.deepEqual([row.lastOk, row.lastError, row.runs, row.next], [false, "HareScript scripts need a WebHare server", 1, at("2026-05-06T10:00:00Z")]);
    assert.equal(rig.runs.length, 0, "no process was started");
    await rig.scheduler.stop();
  });

  it("runs a disabled task once when triggered by hand; it stays disabled and keeps its schedule", { timeout: 10_000 }, async () => {
    const rig = new Rig(store, new FakeClock(at("2026-05-05T10:00:30Z")));
    await rig.scheduler.sync([task({ name: "m:off", runat: "0 * * * *" })]);
    await rig.scheduler.setEnabled("m:off", false);
    await rig.scheduler.start();
    const done = await rig.scheduler.trigger("m:off");
    assert.deepEqual([done.name, done.ok, isoOf(done.start)], ["m:off", true, "2026-05-05T10:00:30Z"]);
    const row = (await new TimedStore(store).get("m:off"))!;
    assert.deepEqual([row.enabled, row.next, row.manualNext, row.runs], [false, at("2026-05-05T11:00:00Z"), null, 1]);
    assert.deepEqual(await rig.runUntil(at("2026-05-05T13:30:00Z")), [], "no scheduled run while disabled");
    await rig.scheduler.stop();
  });

  it("queues runatstartup runs beyond the run limit and starts them as runs end", async () => {
    const rig = new Rig(store, new FakeClock(at("2026-05-05T10:20:00Z")), "node-a", { maxParallel: 2, autoFinish: false });
    await rig.scheduler.sync(["m:s1", "m:s2", "m:s3"].map((name) => task({ name, runat: "0 3 * * *", runAtStartup: true })));
    await rig.scheduler.start();
    await rig.scheduler.whenQuiet();
    assert.deepEqual(rig.runs.map((r) => r.name), ["m:s1", "m:s2"], "two slots");
    await rig.finishRun("m:s1");
    assert.deepEqual(rig.runs.map((r) => r.name), ["m:s1", "m:s2", "m:s3"], "the third starts when a slot frees up");
    await rig.finishRun("m:s2");
    await rig.finishRun("m:s3");
    assert.equal(rig.runs.length, 3, "one startup run each");
    assert.equal(rig.maxActive, 2);
    await rig.scheduler.stop();
  });

  it("gives a disabled runatstartup task no startup run", async () => {
    const rig = new Rig(store, new FakeClock(at("2026-05-05T10:20:00Z")));
    await rig.scheduler.sync([task({ name: "m:bootoff", runat: "", runAtStartup: true })]);
    await rig.scheduler.setEnabled("m:bootoff", false);
    await rig.scheduler.start();
    await rig.scheduler.whenQuiet();
    assert.deepEqual(rig.runs, []);
    assert.equal((await new TimedStore(store).get("m:bootoff"))!.runs, 0);
    await rig.scheduler.stop();
  });

  it("runs at most maxParallel scheduled runs at once when five are due", async () => {
    const rig = new Rig(store, new FakeClock(at("2026-05-05T09:59:30Z")), "node-a", { maxParallel: 2, autoFinish: false });
    const names = ["m:p1", "m:p2", "m:p3", "m:p4", "m:p5"];
    await rig.scheduler.sync(names.map((name) => task({ name, runat: "0 10 * * *" })));
    await rig.scheduler.start();
    await rig.advanceTo(at("2026-05-05T10:00:00Z"));
    assert.equal(rig.runs.length, 2);
    assert.equal((await new TimedStore(store).all()).filter((r) => r.runningSince !== null).length, 2, "two are running in the database too");
    for (let i = 0; rig.runs.some((r) => !rig.events.some((e) => e.event === "scheduled-finished" && e.name === r.name)); i++) {
      await rig.finishRun(rig.runs.find((r) => !rig.events.some((e) => e.event === "scheduled-finished" && e.name === r.name))!.name);
      assert.ok(i < 10, "all five finished");
    }
    assert.deepEqual(rig.runs.map((r) => r.name).sort(), names, "each due task ran once");
    assert.equal(rig.maxActive, 2, "never more than two at once");
    await rig.scheduler.stop();
  });

  it("stores stderr of a run that exited 0 as its warning, and clears it after a clean run", async () => {
    const rig = new Rig(store, new FakeClock(at("2026-05-05T10:00:30Z")));
    await rig.scheduler.sync([task({ name: "m:warn", runat: "" })]);
    await rig.scheduler.start();
    rig.results.set("m:warn", { warning: "disk almost full" });
    const done = await rig.scheduler.trigger("m:warn");
    assert.deepEqual([done.ok, done.warning], [true, "disk almost full"]);
    assert.deepEqual(
      (await rig.scheduler.list()).map((t) => [t.lastOk, t.lastError, t.lastWarning]),
      [[true, null, "disk almost full"]],
    );
    rig.results.delete("m:warn");
    await rig.scheduler.trigger("m:warn");
    assert.equal((await new TimedStore(store).get("m:warn"))!.lastWarning, null);
    await rig.scheduler.stop();
  });

  it("settles a trigger on one node when another node runs the task", { timeout: 10_000 }, async () => {
    const clock = new FakeClock(at("2026-05-05T10:00:30Z"));
    // A has no free run slot, so B (which happens to run the task when A is asked) does the run.
    const a = new Rig(store, clock, "node-a", { maxParallel: 0 });
    const b = new Rig(store, clock, "node-b", { autoFinish: false });
    for (const r of [a, b]) await r.scheduler.sync([task({ name: "m:shared", runat: "" })]);
    for (const r of [a, b]) await r.scheduler.start();
    const timed = new TimedStore(store);
    // Node B runs the task; meanwhile node A is asked for a run.
    const bDone = b.scheduler.trigger("m:shared");
    await until(async () => b.runs.length === 1);
    const aDone = a.scheduler.trigger("m:shared");
    await until(async () => (await timed.get("m:shared"))!.manualNext !== null);
    await b.finishRun("m:shared");
    assert.equal((await bDone).seq, 1);
    assert.equal(b.runs.length, 2, "B's run ended and B took A's request");
    await b.finishRun("m:shared", { ok: false, error: "it broke" });
    // No notification reaches A here (SQLite): A sees the row on its next re-check, a second on.
    clock.advanceTo(clock.now() + 1000);
    const r = await aDone;
    assert.deepEqual([r.ok, r.error, r.seq, a.runs.length], [false, "it broke", 2, 0]);

    // With a notification from B (PostgreSQL NOTIFY), A settles without waiting for the re-check.
    const again = a.scheduler.trigger("m:shared");
    await until(async () => (await timed.get("m:shared"))!.manualNext !== null);
    await b.scheduler.tick(); // B's wake-up (A's NOTIFY on PostgreSQL)
    assert.equal(b.runs.length, 3);
    await b.finishRun("m:shared");
    const ev = b.events.filter((e) => e.event === "scheduled-finished").at(-1)!;
    a.scheduler.noteFinishedElsewhere(JSON.stringify(ev));
    assert.deepEqual([(await again).seq, (await again).ok], [3, true]);
    for (const r of [a, b]) await r.scheduler.stop();
  });

  it("kills a script at its timeout on the scheduler's clock and records why, with the last output", { timeout: 30_000 }, async () => {
    const script = join(dir.path, "hang.js");
    writeFileSync(script, `require("node:child_process").spawn("sleep", ["600"], { stdio: "ignore" });\nconsole.log("started, now hanging");\nsetInterval(() => {}, 1000);\n`);
    const clock = new FakeClock(at("2026-05-05T10:00:30Z"));
    let pid = 0;
    let printed!: () => void;
    const hasPrinted = new Promise<void>((r) => (printed = r));
    const rig = new Rig(store, clock, "node-a", {
      run: (t, signal) =>
        runScript({
          script: t.script!,
          args: t.args,
          cwd: dir.path,
          env: process.env,
          timeoutMs: t.timeoutMinutes * 60_000,
          timeoutMinutes: t.timeoutMinutes,
          clock,
          signal,
          onStart: (p) => (pid = p),
          onOutput: (_s, text) => text.includes("hanging") && printed(),
        }),
    });
    await rig.scheduler.sync([task({ name: "m:hang", runat: "", script, timeoutMinutes: 2 })]);
    await rig.scheduler.start();
    const done = rig.scheduler.trigger("m:hang");
    await hasPrinted;
    assert.equal(liveGroupMembers(pid).length, 2, "the script and the program it started run");
    clock.advanceTo(clock.now() + 2 * 60_000);
    const r = await done;
    assert.equal(r.error, "Script timed out after 2 minutes. Last output: started, now hanging");
    const row = (await new TimedStore(store).get("m:hang"))!;
    assert.deepEqual([row.lastOk, row.lastError], [false, "Script timed out after 2 minutes. Last output: started, now hanging"]);
    assert.deepEqual(liveGroupMembers(pid), [], "the whole process group is gone");
    await rig.scheduler.stop();
  });
});
