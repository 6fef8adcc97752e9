/**
 * What the CLI accepts: ISO 8601 for --not-before, priority names or integers in range, no
 * database created by a read-only command on a mistyped --db, and `run --keep-finished` (with
 * the runtime's purge on that retention). Runs the CLI from dist/ (`npm run build` first).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { openRuntime } from "../../runtime/src/api/runtime-handle";
import { Runtime } from "../../runtime/src/engine/runtime";
import { runCli } from "../helpers/cli";
import { tempDir } from "../helpers/tmp";
import { TMOD } from "./harness";

const cli = (...args: string[]) => runCli(args);

describe("CLI input", { timeout: 120_000 }, () => {
  const tmp = tempDir("mtcli");
  after(() => tmp.cleanup());
  const db = join(tmp.path, "tasks.db");
  const schedule = (...args: string[]) => cli("schedule", "tmod:ctl", '{"action":"complete"}', "--db", db, "--modules", TMOD, ...args);

  it("--not-before takes ISO 8601 only", async () => {
    for (const bad of ["1", "Dec 25 2030", "2030-02-30", "2030-12-25 8am", "tomorrow"]) {
      const r = await schedule("--not-before", bad);
      assert.equal(r.code, 2, bad);
      assert.equal(r.err, `modtasks schedule: --not-before: '${bad}' is not an ISO 8601 time (e.g. 2030-12-25, 2030-12-25T08:00, 2030-12-25T08:00:00Z)\n`);
    }
    const ok = await schedule("--not-before", "2030-12-25T08:00:00Z");
    assert.equal(ok.code, 0, ok.err);
    const api = await openRuntime({ db: `sqlite:${db}`, modules: [TMOD] });
    try {
      assert.equal((await api.describeTask(Number(ok.out.trim())))!.notBefore, Date.UTC(2030, 11, 25, 8));
    } finally {
      await api.close();
    }
  });

  it("--priority takes the five names or an integer from -1000 to 1000", async () => {
    for (const bad of ["99999999999999999999", "1001", "-1001", "1.5", "urgentish", "0x10"]) {
      const r = await schedule("--priority", bad);
      assert.equal(r.code, 2, bad);
      assert.equal(r.err, `modtasks schedule: --priority must be background, normal, interactive, update, updateinteractive, or an integer from -1000 to 1000; got '${bad}'\n`);
    }
    for (const good of ["-1000", "1000", "interactive", "updateinteractive"]) assert.equal((await schedule("--priority", good)).code, 0, good);
    assert.match((await schedule("--timeout", "-5")).err, /--timeout must be a whole number of milliseconds/);
  });

  it("read-only commands refuse a database that does not exist, and create nothing", async () => {
    const typo = join(tmp.path, "typo", "tasks.db");
    for (const args of [
      ["tasks", "list"],
      ["tasks", "describe", "1"],
      ["tasks", "result", "1", "--timeout", "10"],
      ["status"],
    ]) {
      const r = await cli(...args, "--db", typo);
      assert.equal(r.code, 1, args.join(" "));
      assert.match(r.err, new RegExp(`: no task database at ${typo.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\n$`), args.join(" "));
    }
    assert.equal(existsSync(join(tmp.path, "typo")), false, "no folder was made");
  });

  it("run --keep-finished: finished tasks older than the retention are purged when the runtime starts", async () => {
    const kept = join(tmp.path, "kept.db");
    const id = Number((await cli("schedule", "tmod:ctl", '{"action":"complete"}', "--db", kept, "--modules", TMOD)).out.trim());
    const first = await cli("run", TMOD, "--db", kept, "--drain", "--drain-grace", "0", "--workers", "1", "--keep-finished", "3d");
    assert.equal(first.code, 0, first.err);
    const api = await openRuntime({ db: `sqlite:${kept}`, modules: [TMOD] });
    try {
      assert.equal((await api.describeTask(id))?.outcome, "completed", "kept: younger than 3 days");
      const second = await cli("run", TMOD, "--db", kept, "--drain", "--drain-grace", "0", "--workers", "1", "--keep-finished", "1ms");
      assert.equal(second.code, 0, second.err);
      assert.equal(await api.describeTask(id), undefined, "purged: older than 1 ms");
    } finally {
      await api.close();
    }
    for (const bad of ["3 days", "-1", "1w", ""]) {
      const r = await cli("run", TMOD, "--db", kept, "--keep-finished", bad);
      assert.equal(r.code, 2, bad);
      assert.match(r.err, /--keep-finished must be a duration: milliseconds, or a number with ms, s, m, h or d/, bad);
    }
  });

  it("a running runtime purges on its retention, not only hourly", async () => {
    const path = join(tmp.path, "purge.db");
    let purged: () => void;
    const purgedOnce = new Promise<void>((r) => (purged = r));
    const rt = await Runtime.start({
      db: { kind: "sqlite", path },
      moduleDirs: [TMOD],
      workers: 1,
      watch: false,
      keepFinishedMs: 50,
      log: (_level, text) => {
        if (/^purged [1-9]\d* finished task/.test(text)) purged();
      },
    });
    const api = await openRuntime({ db: `sqlite:${path}`, modules: [TMOD] });
    // Recorded from the start: the task may finish, and even be purged, before schedule() returns.
    const finished = new Set<number>();
    let onFinish = () => {};
    const off = rt.onEvent((e) => {
      if (e.event === "task-finished" && e.state === "finished") (finished.add((e as { id: number }).id), onFinish());
    });
    try {
      const id = await api.transaction((tx) => tx.scheduleManagedTask("tmod:ctl", { action: "complete" }));
      await new Promise<void>((resolve) => {
        onFinish = () => finished.has(id) && resolve();
        onFinish();
      });
      await purgedOnce; // the only task there is: a purge of one or more is this one
      assert.equal(await api.describeTask(id), undefined);
      off();
    } finally {
      await api.close();
      await rt.stop();
    }
  });
});
