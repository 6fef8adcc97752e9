/**
 * Running scheduled tasks by hand, end to end: scheduleTimedTask (now, and `{when}` on the
 * runtime's fake clock), disabled tasks (run once, stay disabled), and the CLI: `modtasks
 * trigger` (also `--no-wait`, which must not lose the request) and `modtasks scheduled list`
 * showing a run's warning. The CLI tests use the build (dist/): run `npm run build` first.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { openRuntime, type RuntimeHandle } from "../../runtime/src/api/runtime-handle";
import { Runtime } from "../../runtime/src/engine/runtime";
import type { TimedEvent, TimedTaskState } from "../../runtime/src/scheduler/timed-scheduler";
import { TimedStore } from "../../runtime/src/scheduler/timed-store";
import { tempDir } from "../helpers/tmp";
import { FakeClock } from "./fake-clock";

const SMOD = join(__dirname, "..", "fixtures", "scheduler", "smod");
const CLI = join(__dirname, "..", "..", "runtime", "bin", "modtasks.js");
const run = promisify(execFile);

describe("running scheduled tasks by hand", { timeout: 120_000 }, () => {
  let rt: Runtime;
  let api: RuntimeHandle;
  let dir: { path: string; cleanup: () => void };
  let db: string;
  let clock: FakeClock;
  const out = () => join(dir.path, "notes.txt");
  const notes = () => (existsSync(out()) ? readFileSync(out(), "utf8").split("\n").filter(Boolean) : []);
  const timed = () => new TimedStore(rt.store);
  const cli = (...args: string[]) => run(process.execPath, [CLI, ...args, "--db", `sqlite:${db}`], { env: { ...process.env, MODTASKS_SOCKET: "" } });
  /** Resolves at the end of the next run of `name` (the runtime's own event). */
  const nextEnd = (name: string) =>
    new Promise<TimedEvent>((resolve) => {
      const off = rt.onTimedEvent((e) => {
        if (e.event === "scheduled-finished" && e.name === name) {
          off();
          resolve(e);
        }
      });
    });

  before(async () => {
    dir = tempDir("mttrig");
    db = join(dir.path, "tasks.db");
    process.env.SMOD_OUT = out();
    clock = new FakeClock(Date.now());
    rt = await Runtime.start({ db: { kind: "sqlite", path: db }, moduleDirs: [SMOD], workers: 1, watch: false, clock, log: () => {} });
    api = await openRuntime({ db: `sqlite:${db}` });
  });
  after(async () => {
    await api.close();
    await rt.stop();
    delete process.env.SMOD_OUT;
    dir.cleanup();
  });

  it("scheduleTimedTask runs the task now and resolves when that run finished", async () => {
    const before = notes().length;
    const r = await api.scheduleTimedTask("smod:note");
    assert.deepEqual([r.ok, r.error, r.start], [true, null, clock.now()]);
    assert.deepEqual(notes().slice(before), ["smod:note by hand"]);
  });

  it("scheduleTimedTask with {when} runs it at that time on the runtime's clock, not before", async () => {
    const before = notes().length;
    const when = clock.now() + 10 * 60_000;
    const done = api.scheduleTimedTask("smod:note", { when: new Date(when) });
    // The request is stored (nothing else tells when): look at the row until it says so.
    while ((await timed().get("smod:note"))?.manualNext !== when) await new Promise((r) => setImmediate(r));
    clock.advanceTo(when - 60_000);
    await rt.scheduler.whenQuiet();
    const row = (await timed().get("smod:note"))!;
    assert.deepEqual([row.runningSince, notes().length], [null, before], "not run a minute early");
    clock.advanceTo(when);
    const r = await done;
    assert.deepEqual([r.ok, r.start], [true, when]);
    assert.equal(notes().length, before + 1);
  });

  it("runs a disabled task once through the API; it stays disabled", async () => {
    await api.setTimedTaskEnabled("smod:note", false);
    const before = notes().length;
    const r = await api.scheduleTimedTask("smod:note");
    assert.equal(r.ok, true);
    assert.equal(notes().length, before + 1);
    const state = (await rt.scheduler.list()).find((t) => t.name === "smod:note")!;
    assert.equal(state.enabled, false);
  });

  it("`modtasks trigger` runs a disabled task and waits for it", async () => {
    assert.equal((await cli("scheduled", "disable", "smod:note")).stdout, "smod:note disabled\n");
    const before = notes().length;
    const { stdout } = await cli("trigger", "smod:note");
    assert.match(stdout, /^smod:note ran at \S+: ok\n$/);
    assert.equal(notes().length, before + 1);
    await api.setTimedTaskEnabled("smod:note", true);
  });

  it("`modtasks trigger --no-wait` returns once the request is stored, and the run happens", async () => {
    const ended = nextEnd("smod:note");
    const before = notes().length;
    const { stdout } = await cli("trigger", "smod:note", "--no-wait");
    assert.equal(stdout, "requested a run of smod:note\n");
    const e = await ended;
    assert.equal(e.event === "scheduled-finished" && e.ok, true);
    assert.equal(notes().length, before + 1);
  });

  it("`modtasks scheduled list` shows the warning of a run that wrote to stderr and exited 0", async () => {
    const r = await api.scheduleTimedTask("smod:warn");
    assert.deepEqual([r.ok, r.warning], [true, "careful: disk almost full"]);
    const { stdout } = await cli("scheduled", "list");
    assert.match(stdout, /^smod:warn .* ok, warning: careful: disk almost full$/m);
    const list = JSON.parse((await cli("scheduled", "list", "--json")).stdout) as TimedTaskState[];
    assert.deepEqual(list.filter((t) => t.name === "smod:warn").map((t) => [t.lastOk, t.lastWarning]), [[true, "careful: disk almost full"]]);
  });

  it("rejects an unknown task", async () => {
    await assert.rejects(api.scheduleTimedTask("smod:nope"), /No such scheduled task 'smod:nope'/);
    await assert.rejects(cli("trigger", "smod:nope"), /No such scheduled task 'smod:nope'/);
  });
});
