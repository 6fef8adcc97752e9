/**
 * What an editor attached to a runtime it did not start gets over the control socket: the
 * runtime's log (`subscribe` with `logs: true`, one `log` event per line, task lines included)
 * and queue insights that hold the current counts from the first moment. Runs `modtasks run`
 * from dist/ (`npm run build` first), as a user's terminal does; waits on events, never on time.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ControlClient } from "../../runtime/src/control/client";
import { controlSocketPath, type EventLine } from "../../runtime/src/control/protocol";
import type { InsightsSnapshot } from "../../runtime/src/insights";
import { tempDir } from "../helpers/tmp";
import { TMOD } from "../runtime/harness";

const BIN = join(__dirname, "..", "..", "runtime", "bin", "modtasks.js");

/** Resolves with the first event that matches, from the moment of the call. */
function nextEvent(c: ControlClient, match: (e: EventLine) => boolean): Promise<EventLine> {
  return new Promise((resolve) => {
    const off = c.onEvent((e) => {
      if (match(e)) {
        off();
        resolve(e);
      }
    });
  });
}

describe("a runtime started in a terminal, seen by an attached client", { timeout: 120_000 }, () => {
  const tmp = tempDir("mtlive");
  const db = { kind: "sqlite" as const, path: join(tmp.path, "tasks.db") };
  let child: ChildProcess;
  let stdout = "";
  const withLogs = new ControlClient(controlSocketPath(db));
  const withoutLogs = new ControlClient(controlSocketPath(db));
  const logsSeen: EventLine[] = [];
  const plainSeen: EventLine[] = [];

  before(async () => {
    const env = { ...process.env };
    delete env.MODTASKS_SOCKET;
    delete env.MODTASKS_DB;
    child = spawn(process.execPath, [BIN, "run", TMOD, "--db", `sqlite:${db.path}`, "--workers", "1"], { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stderr!.setEncoding("utf8").on("data", (t: string) => (stdout += t));
    // Ready when it says so on stdout (its control socket listens before that line).
    await new Promise<void>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`modtasks run exited with ${code}:\n${stdout}`)));
      child.stdout!.setEncoding("utf8").on("data", (t: string) => {
        stdout += t;
        if (/runtime 'local' started/.test(stdout)) resolve();
      });
    });
    withLogs.onEvent((e) => void (e.event === "log" && logsSeen.push(e)));
    withoutLogs.onEvent((e) => void plainSeen.push(e));
  });

  after(async () => {
    withLogs.close();
    withoutLogs.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    tmp.cleanup();
  });

  it("subscribe with logs: true says the log will come; without it, none is promised", async () => {
    assert.deepEqual(await withLogs.request("subscribe", { logs: true }), { node: "local", logs: true });
    assert.deepEqual(await withoutLogs.request("subscribe"), { node: "local", logs: false });
  });

  it("insights right after start hold the current counts (no wait for a periodic sample)", async () => {
    const s = await withLogs.request<InsightsSnapshot>("insights");
    assert.ok(s.counts, "counts are in the reply");
    assert.deepEqual([s.counts.pending, s.counts.running, s.counts.failed], [0, 0, 0]);
    assert.ok(s.countsAt !== null && s.countsAt <= s.at);
    assert.notEqual(s.buckets.at(-1)!.queued, null, "the chart has a value for the current minute");
  });

  it("a task's line reaches the client that asked for the log, and only that one", async () => {
    const finishedPlain = nextEvent(withoutLogs, (e) => e.event === "task-finished");
    const [id] = await withLogs.request<number[]>("schedule", { type: "tmod:ctl", data: { action: "complete" } });
    const line = await nextEvent(withLogs, (e) => e.event === "log" && String(e.text).includes(`tmod:ctl #${id} completed`));
    assert.equal(line.level, "info");
    assert.equal(typeof line.at, "number");
    assert.match(String(line.text), /^✓ tmod:ctl #\d+ completed \(\d+ ms\)$/);
    // The same line on the runtime's own stdout: the log event is that output, not a summary of it.
    assert.match(stdout, new RegExp(`✓ tmod:ctl #${id} completed`));
    // Events on one connection arrive in order: the task-finished event comes after any log line
    // of the run would have, and the connection that did not ask got none.
    await finishedPlain;
    assert.deepEqual(plainSeen.filter((e) => e.event === "log"), []);
    assert.ok(logsSeen.length >= 1);
  });

  it("after the run, insights count it and the counts say completed", async () => {
    const s = await withLogs.request<InsightsSnapshot>("insights");
    assert.equal(s.throughput.completed, 1);
    assert.equal(s.counts!.completed, 1);
    assert.equal(s.buckets.at(-1)!.finished, 1);
  });
});
