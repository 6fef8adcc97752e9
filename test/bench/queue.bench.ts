/**
 * Managed-task throughput and latency (issue #5): 20,000 no-op tasks enqueued, then drained;
 * enqueue→start latency over 1,000 sequential samples. Baseline in the same run: graphile-worker
 * on the local PostgreSQL with the same workload. Prints figures, targets and ratios; never fails
 * on speed.
 */
import { join } from "node:path";
import { openRuntime } from "../../runtime/src/api/runtime-handle";
import { Runtime } from "../../runtime/src/engine/runtime";
import { freshPgDatabase } from "../helpers/pg";
import { tempDir } from "../helpers/tmp";

const BMOD = join(__dirname, "..", "fixtures", "bench", "bmod");
const N = Number(process.env.BENCH_TASKS ?? 20_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1000);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

interface Figures {
  enqueuePerSec: number;
  tasksPerSec: number;
  p50: number;
  p99: number;
}

async function benchModtasks(dbUrl: string, db: Parameters<typeof Runtime.start>[0]["db"], nodes = 1): Promise<Figures> {
  const api = await openRuntime({ db: dbUrl, modules: [BMOD] });
  let t0 = performance.now();
  await api.transaction((tx) => tx.scheduleManagedTasks("bmod:noop", Array.from({ length: N }, (_, i) => ({ i }))));
  const enqueueMs = performance.now() - t0;

  // Throughput counts from the first task start to the last finish (process start-up excluded,
  // for both systems).
  let done = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  t0 = 0;
  // Several nodes: runtimes on one database, each with its own connections and worker processes
  // (in this process, so their events can be timed; the workers are separate processes anyway).
  const rts = await Promise.all(Array.from({ length: nodes }, (_, i) => Runtime.start({ db, moduleDirs: [BMOD], nodeName: `bench${i}`, noControlSocket: i > 0, log: () => {} })));
  const offs = rts.map((r) =>
    r.onEvent((e) => {
      if (e.event === "task-started" && !t0) t0 = performance.now();
      if (e.event === "task-finished" && ++done === N) resolveAll();
    }),
  );
  await all;
  const drainMs = performance.now() - t0;
  offs.forEach((off) => off());

  // Latency: one task at a time, from just before the scheduling commit to a runtime starting it
  // (with every node still running: on PostgreSQL any of them may take it).
  const nextEvent = (kind: "task-started" | "task-finished") =>
    new Promise<number>((resolve) => {
      const stops = rts.map((r) =>
        r.onEvent((e) => {
          if (e.event !== kind) return;
          for (const stop of stops) stop();
          resolve(performance.now());
        }),
      );
    });
  const lat: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = nextEvent("task-started");
    const finished = nextEvent("task-finished");
    const s = performance.now();
    await api.transaction((tx) => tx.scheduleManagedTask("bmod:noop", { i }));
    lat.push((await started) - s);
    await finished;
  }
  await api.close();
  for (const r of rts) await r.stop();
  return { enqueuePerSec: N / (enqueueMs / 1000), tasksPerSec: N / (drainMs / 1000), p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function benchGraphile(url: string): Promise<Figures> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gw = require("graphile-worker") as typeof import("graphile-worker");
  // Our own pool (with an error handler, ended by us), so dropping the database afterwards cannot
  // crash the benchmark through an idle connection's error event.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require("pg") as typeof import("pg");
  const pgPool = new pg.Pool({ connectionString: url, max: 8 });
  pgPool.on("error", () => {});
  const utils = await gw.makeWorkerUtils({ pgPool });
  await utils.migrate();
  let t0 = performance.now();
  // One statement adding many jobs, as graphile's own perf test enqueues (its fastest path).
  await utils.withPgClient((c) => c.query(`SELECT graphile_worker.add_job('noop', json_build_object('i', i)) FROM generate_series(1, $1) i`, [N]));
  const enqueueMs = performance.now() - t0;
  let done = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  let onStart: (() => void) | undefined;
  t0 = 0;
  const runner = await gw.run({
    pgPool,
    concurrency: 4,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: new gw.Logger(() => () => {}),
    taskList: {
      noop: async () => {
        if (!t0) t0 = performance.now();
        onStart?.();
        if (++done === N) resolveAll();
      },
    },
  });
  await all;
  const drainMs = performance.now() - t0;
  const lat: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = new Promise<number>((resolve) => (onStart = () => resolve(performance.now())));
    const s = performance.now();
    await utils.addJob("noop", { i });
    lat.push((await started) - s);
  }
  onStart = undefined;
  await runner.stop();
  await utils.release();
  await pgPool.end();
  return { enqueuePerSec: N / (enqueueMs / 1000), tasksPerSec: N / (drainMs / 1000), p50: pct(lat, 50), p99: pct(lat, 99) };
}

function line(name: string, f: Figures): string {
  return `${name.padEnd(32)} enqueue ${Math.round(f.enqueuePerSec).toString().padStart(7)}/s   drain ${Math.round(f.tasksPerSec).toString().padStart(6)} tasks/s   enqueue→start p50 ${f.p50.toFixed(2)} ms  p99 ${f.p99.toFixed(2)} ms`;
}

async function main() {
  console.log(`${N} no-op tasks enqueued then drained; latency over ${SAMPLES} sequential samples. Workers: modtasks default (cores), graphile concurrency 4.`);
  const dir = tempDir("mtbench");
  const sqlitePath = join(dir.path, "tasks.db");
  const sqlite = await benchModtasks(`sqlite:${sqlitePath}`, { kind: "sqlite", path: sqlitePath });
  console.log(line("modtasks (SQLite)", sqlite));
  dir.cleanup();

  const pg1 = await freshPgDatabase();
  const pg = await benchModtasks(pg1.url, { kind: "postgres", url: pg1.url });
  console.log(line("modtasks (PostgreSQL)", pg));
  await pg1.drop();

  const pg3 = await freshPgDatabase();
  const pg2nodes = await benchModtasks(pg3.url, { kind: "postgres", url: pg3.url }, 2);
  console.log(line("modtasks (PostgreSQL, 2 nodes)", pg2nodes));

  // graphile-worker on the same database (its own schema), after modtasks is done with it.
  let graphile: Figures | undefined;
  try {
    graphile = await benchGraphile(pg3.url);
    console.log(line("graphile-worker (PostgreSQL)", graphile));
  } catch (e) {
    console.log(`graphile-worker baseline could not run: ${(e as Error).message}`);
  }
  await pg3.drop();

  console.log("");
  console.log(`target: SQLite drain >= 10,000 tasks/s -> ${Math.round(sqlite.tasksPerSec)} (${sqlite.tasksPerSec >= 10_000 ? "met" : "NOT met"})`);
  console.log(`target: enqueue→start p50 <= 1 ms -> ${sqlite.p50.toFixed(2)} ms (${sqlite.p50 <= 1 ? "met" : "NOT met"})`);
  if (graphile) {
    console.log(`ratio: modtasks SQLite / graphile-worker throughput = ${(sqlite.tasksPerSec / graphile.tasksPerSec).toFixed(2)}x (target >= 2x)`);
    console.log(`ratio: modtasks PostgreSQL / graphile-worker throughput = ${(pg.tasksPerSec / graphile.tasksPerSec).toFixed(2)}x`);
    console.log(`ratio: modtasks PostgreSQL 2 nodes / graphile-worker throughput = ${(pg2nodes.tasksPerSec / graphile.tasksPerSec).toFixed(2)}x (target >= 1.0; both enqueue in one statement)`);
    console.log(`ratio: graphile-worker p50 latency / modtasks SQLite p50 = ${(graphile.p50 / sqlite.p50).toFixed(2)}x`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
