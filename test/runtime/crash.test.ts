/**
 * Crash safety: the runtime is SIGKILLed at random moments while it works through thousands of
 * tasks whose runs each insert a row and complete; later, worker processes are killed mid-run.
 * At the end every task completed exactly once, every row exists exactly once, and nothing is
 * left running or leased. Runs on SQLite and PostgreSQL.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openRuntime, type RuntimeHandle } from "../../runtime/src/api/runtime-handle";
import { DATABASES } from "../helpers/stores";
import { TMOD } from "./harness";
import { prng } from "../helpers/prng";

const CLI = join(__dirname, "..", "..", "runtime", "bin", "modtasks.js");
const TASKS = 2000;
const KILLS = 12;


interface RuntimeProcess {
  proc: ChildProcess;
  ready: Promise<void>;
  exited: Promise<number | null>;
  /** Resolves once the runtime has reported this many more completed tasks (needs quiet: false). */
  completions(n: number): Promise<void>;
}

function startRuntime(url: string, extra: string[] = [], o: { quiet?: boolean } = {}): RuntimeProcess {
  const quiet = o.quiet ?? true;
  const proc = spawn(process.execPath, [CLI, "run", TMOD, "--db", url, "--workers", "2", ...(quiet ? ["--quiet"] : []), "--lease-ms", "3000", ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let completed = 0;
  let partial = "";
  const waiters: { at: number; resolve: () => void }[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      const s = b.toString();
      out += s;
      if (out.includes("started on")) resolve();
      // Count whole lines only: a chunk may end inside one.
      const lines = (partial + s).split("\n");
      partial = lines.pop()!;
      completed += lines.filter((l) => l.includes(" completed")).length;
      for (const w of waiters.filter((w) => completed >= w.at)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
    proc.once("exit", (code) => reject(new Error(`runtime exited early (${code}): ${out.slice(-2000)}`)));
  });
  ready.catch(() => {});
  const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  const completions = (n: number) => new Promise<void>((resolve) => waiters.push({ at: completed + n, resolve }));
  return { proc, ready, exited, completions };
}

/**
 * Worker processes of the given runtime: its children that carry MODTASKS_WORKER. Only its own:
 * other test files run beside this one, and killing their workers would fail their tests.
 */
function workerPids(runtimePid: number): number[] {
  const pids: number[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      // stat is "pid (comm) state ppid ...": comm may hold spaces, so read after its closing paren.
      const stat = readFileSync(`/proc/${e}/stat`, "latin1");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) !== runtimePid) continue;
      const env = readFileSync(`/proc/${e}/environ`, "latin1");
      if (env.includes("MODTASKS_WORKER=") && readFileSync(`/proc/${e}/cmdline`, "latin1").includes("worker.js")) pids.push(Number(e));
    } catch {
      // gone
    }
  }
  return pids;
}

for (const dbut of DATABASES) {
  describe(`crash safety on ${dbut.name}`, { timeout: 300_000 }, () => {
    let api: RuntimeHandle;
    let url: string;
    let cleanup: () => Promise<void>;
    const seed = Number(process.env.MODTASKS_CRASH_SEED ?? Date.now() % 100000);
    const random = prng(seed);

    before(async () => {
      const made = await dbut.create();
      url = made.url;
      cleanup = made.cleanup;
      api = await openRuntime({ db: url, modules: [TMOD] });
      await api.transaction((tx) => tx.execute("CREATE TABLE IF NOT EXISTS effects (label TEXT NOT NULL, taskid INTEGER NOT NULL)"));
    });
    after(async () => {
      await api.close();
      await cleanup();
    });

    const effectsCount = async (label: string) =>
      Number((await api.query<{ n: number }>("SELECT COUNT(*) AS n FROM effects WHERE label = $1", [label]))[0]!.n);

    const check = async (label: string, ids: number[]) => {
      const tasks = await api.listTasks("tmod:*", { limit: 100000 });
      const mine = tasks.filter((t) => ids.includes(t.id));
      assert.equal(mine.length, ids.length);
      const notDone = mine.filter((t) => t.state !== "finished" || t.outcome !== "completed");
      assert.deepEqual(notDone.map((t) => `#${t.id} ${t.state} ${t.outcome} ${t.lastError}`), [], `every task completed (seed ${seed})`);
      assert.equal(tasks.filter((t) => t.state === "running" || t.leaseToken !== null).length, 0, "nothing left running or leased");
      const rows = await api.query<{ taskid: number; n: number }>("SELECT taskid, COUNT(*) AS n FROM effects WHERE label = $1 GROUP BY taskid", [label]);
      const counts = new Map(rows.map((r) => [Number(r.taskid), Number(r.n)]));
      const wrong = ids.filter((id) => counts.get(id) !== 1).map((id) => `#${id}: ${counts.get(id) ?? 0} rows`);
      assert.deepEqual(wrong, [], `every row exactly once (seed ${seed})`);
      assert.equal(rows.length, ids.length);
    };

    it(`keeps every task exactly once when the runtime is SIGKILLed ${KILLS} times`, async () => {
      const ids = await api.transaction((tx) =>
        tx.scheduleManagedTasks(
          "tmod:crashy",
          Array.from({ length: TASKS }, () => ({ action: "insert", label: "runtime-kill" })),
        ),
      );
      for (let k = 0; k < KILLS; k++) {
        // Without --quiet the runtime prints a line per finished task: kill it without warning
        // after a random number of completions, so every kill lands while it is busy.
        const r = startRuntime(url, [], { quiet: false });
        await r.ready;
        await r.completions(1 + Math.floor(random() * 40));
        r.proc.kill("SIGKILL");
        await r.exited;
      }
      const doneBeforeDrain = await effectsCount("runtime-kill");
      assert.ok(doneBeforeDrain > 0 && doneBeforeDrain < ids.length, `the killed runtimes did part of the work (${doneBeforeDrain} of ${ids.length})`);
      const recovered = await api.query<{ n: number }>(
        `SELECT COUNT(DISTINCT taskid) AS n FROM modtasks_task_errors WHERE taskid >= $1 AND taskid <= $2`,
        [Math.min(...ids), Math.max(...ids)],
      );
      assert.ok(Number(recovered[0]!.n) > 0, "some kills left runs leased, and their recovery was recorded");
      const final = startRuntime(url, ["--drain"]);
      assert.equal(await final.exited, 0);
      await check("runtime-kill", ids);
    });

    it("keeps every task exactly once when worker processes are killed mid-run", async () => {
      const ids = await api.transaction((tx) =>
        tx.scheduleManagedTasks(
          "tmod:crashy",
          Array.from({ length: 400 }, () => ({ action: "insert", label: "worker-kill" })),
        ),
      );
      const r = startRuntime(url);
      await r.ready;
      let killed = 0;
      for (let k = 0; k < 20; k++) {
        await new Promise((res) => setTimeout(res, 20 + random() * 80));
        for (const pid of workerPids(r.proc.pid!)) {
          if (random() < 0.5) {
            try {
              process.kill(pid, "SIGKILL");
              killed++;
            } catch {
              // already gone
            }
          }
        }
      }
      r.proc.kill("SIGTERM");
      await r.exited;
      const final = startRuntime(url, ["--drain"]);
      assert.equal(await final.exited, 0);
      assert.ok(killed > 0, "some workers were killed");
      await check("worker-kill", ids);
    });
  });
}
