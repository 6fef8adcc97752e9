// Backend service calls against a plain node:net JSON echo over the same kind of Unix socket,
// in the same run: calls per second and p50/p99 latency of a no-op method, from one client and
// from 8 clients (each with one call in flight). Both servers run in one child process; this
// process is the client. Prints the figures and the ratio next to the target (≥ 0.8×).
// Never fails on speed.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createConnection, type Socket } from "node:net";
import { join } from "node:path";
import { openBackendService } from "../../runtime/src/services/client";
import { tempDir } from "../helpers/tmp";

const TARGET = 0.8;
const RUN_MS = 1000;
const WARMUP_CALLS = 2000;
/** Rounds alternate which side goes first; figures are medians over rounds (the machine is shared: single runs are noisy). */
const ROUNDS = 5;

interface Caller {
  call(): Promise<unknown>;
  close(): void;
}

/** The baseline client: one JSON line out, one JSON line back, matched by id. */
async function echoClient(path: string): Promise<Caller> {
  const s: Socket = createConnection(path);
  await once(s, "connect");
  s.setNoDelay(true);
  s.setEncoding("utf8");
  const pending = new Map<number, (v: unknown) => void>();
  let nextId = 1;
  let buffer = "";
  s.on("data", (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const msg = JSON.parse(buffer.slice(0, nl)) as { id: number; args: unknown };
      buffer = buffer.slice(nl + 1);
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      p?.(msg.args);
    }
  });
  return {
    call() {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        s.write(JSON.stringify({ id, method: "noop", args: [] }) + "\n");
      });
    },
    close: () => s.destroy(),
  };
}

async function serviceClient(): Promise<Caller> {
  const c = await openBackendService<{ noop(): void }>("bench:noop", [], { notOnDemand: true, awaitConstructor: true, timeout: 10_000 });
  return { call: () => c.noop(), close: () => c.close() };
}

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
}

async function measure(make: () => Promise<Caller>, clients: number): Promise<Figures> {
  const callers = await Promise.all(Array.from({ length: clients }, make));
  for (const c of callers) for (let i = 0; i < WARMUP_CALLS / clients; i++) await c.call();
  const latencies: number[] = [];
  const t0 = performance.now();
  const end = t0 + RUN_MS;
  await Promise.all(
    callers.map(async (c) => {
      while (performance.now() < end) {
        const s = performance.now();
        await c.call();
        latencies.push(performance.now() - s);
      }
    }),
  );
  const elapsed = performance.now() - t0;
  for (const c of callers) c.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]! * 1000;
  return { perSecond: (latencies.length / elapsed) * 1000, p50: pct(0.5), p99: pct(0.99) };
}

function median(runs: Figures[]): Figures {
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { perSecond: mid(runs.map((r) => r.perSecond)), p50: mid(runs.map((r) => r.p50)), p99: mid(runs.map((r) => r.p99)) };
}

async function main(): Promise<void> {
  const tmp = tempDir("mtbench");
  const dir = join(tmp.path, "services");
  process.env.MODTASKS_SERVICE_DIR = dir;
  process.env.MODTASKS_SOCKET = join(tmp.path, "runtime.sock"); // no runtime: notOnDemand
  const server: ChildProcess = spawn(process.execPath, ["--import", "tsx", join(__dirname, "..", "fixtures", "services", "bench-server.ts")], {
    env: process.env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout!.setEncoding("utf8").on("data", (d: string) => (d.includes("ready") ? resolve() : undefined));
      server.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
    });
    const echoPath = join(dir, "echo.sock");
    console.log(`no-op call, ${RUN_MS} ms per measurement, median of ${ROUNDS} alternating rounds; server in a child process, clients here (Node ${process.version})`);
    for (const clients of [1, 8]) {
      const echoRuns: Figures[] = [];
      const svcRuns: Figures[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const runEcho = async () => echoRuns.push(await measure(() => echoClient(echoPath), clients));
        const runSvc = async () => svcRuns.push(await measure(serviceClient, clients));
        if (r % 2 === 0) await runEcho().then(runSvc);
        else await runSvc().then(runEcho);
      }
      const echo = median(echoRuns);
      const svc = median(svcRuns);
      const fmt = (name: string, f: Figures) => `  ${name.padEnd(26)} ${Math.round(f.perSecond).toLocaleString("en").padStart(9)} calls/s   p50 ${f.p50.toFixed(0).padStart(4)} µs   p99 ${f.p99.toFixed(0).padStart(5)} µs`;
      const ratio = svc.perSecond / echo.perSecond;
      console.log(`\n${clients} client${clients > 1 ? "s" : ""}:`);
      console.log(fmt("plain node:net JSON echo", echo));
      console.log(fmt("openBackendService", svc));
      console.log(`  ratio ${ratio.toFixed(2)}× (target ≥ ${TARGET}×) ${ratio >= TARGET ? "✓" : "✗ below target"}`);
    }
  } finally {
    server.kill();
    tmp.cleanup();
  }
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
