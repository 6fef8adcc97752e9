/**
 * A trigger in a cluster on PostgreSQL: node A is asked to run a scheduled task but has no free
 * run slot, so node B runs it (woken by NOTIFY); A's caller learns of the end although A never
 * ran it. Real time, waiting on the runtimes' events only.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Runtime } from "../../runtime/src/engine/runtime";
import type { TimedEvent } from "../../runtime/src/scheduler/timed-scheduler";
import { freshPgDatabase } from "../helpers/pg";
import { tempDir } from "../helpers/tmp";

const SMOD = join(__dirname, "..", "fixtures", "scheduler", "smod");

describe("a trigger that another node runs (PostgreSQL)", { timeout: 60_000 }, () => {
  let url: string;
  let drop: () => Promise<void>;
  let dir: { path: string; cleanup: () => void };
  let a: Runtime;
  let b: Runtime;
  before(async () => {
    ({ url, drop } = await freshPgDatabase());
    dir = tempDir("mtctrig");
    process.env.SMOD_OUT = join(dir.path, "notes.txt");
    const start = (nodeName: string, maxScheduledRuns: number) =>
      Runtime.start({ db: { kind: "postgres", url }, moduleDirs: [SMOD], nodeName, maxScheduledRuns, workers: 1, watch: false, noControlSocket: true, log: () => {} });
    a = await start("trig-a", 0);
    b = await start("trig-b", 4);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await drop();
    delete process.env.SMOD_OUT;
    dir.cleanup();
  });

  it("settles on node A when node B did the run", async () => {
    const ranOn: string[] = [];
    for (const rt of [a, b]) rt.onTimedEvent((e: TimedEvent) => e.event === "scheduled-started" && ranOn.push(rt.nodeName));
    const done = await a.scheduler.trigger("smod:note");
    assert.deepEqual([done.ok, done.error, ranOn], [true, null, ["trig-b"]]);
    assert.equal(existsSync(process.env.SMOD_OUT!) && readFileSync(process.env.SMOD_OUT!, "utf8"), "smod:note by hand\n");
  });
});
