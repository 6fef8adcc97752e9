import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, watch } from "node:fs";
import { dirname, join } from "node:path";
import type { QueueStore } from "../../runtime/src/queue/store";

export const CMOD = join(__dirname, "..", "fixtures", "cluster", "cmod");
const CLI = join(__dirname, "..", "..", "runtime", "bin", "modtasks.js");

/** A `modtasks run` process of the cluster under test. */
export interface NodeProc {
  name: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

/** A preload that moves a process's Date.now() by MODTASKS_TEST_CLOCK_SKEW_MS (a node whose clock is off). */
export const SKEWED_CLOCK = join(__dirname, "skewed-clock.cjs");

/** Starts a node and resolves once it is serving (its start line is printed). */
export async function startNode(name: string, dbUrl: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<NodeProc> {
  const proc = spawn(process.execPath, [CLI, "run", CMOD, "--db", dbUrl, "--node-name", name, "--workers", "2", "--quiet", ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let out = "";
  const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes("started on")) resolve();
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
    proc.once("exit", (code) => reject(new Error(`node ${name} exited early (${code}): ${out}`)));
  });
  return { name, proc, exited, output: () => out };
}

export async function stopNode(n: NodeProc): Promise<void> {
  if (n.proc.exitCode === null && n.proc.signalCode === null) n.proc.kill("SIGTERM");
  await n.exited;
}

/**
 * Waits until `check` gives a value other than false, re-checking whenever `subscribe`'s source
 * pokes, never in a fixed sleep; each wait's bound (`guardMs`) only guards against a poke lost
 * meanwhile. Fails after `timeoutMs` with `timedOut()`.
 */
async function untilPoked<T>(
  subscribe: (poke: () => void) => Promise<() => void> | (() => void),
  check: () => Promise<T | false> | T | false,
  timeoutMs: number,
  guardMs: number,
  timedOut: () => string,
): Promise<T> {
  let poke: () => void = () => {};
  const off = await subscribe(() => poke());
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const v = await check();
      if (v !== false) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(timedOut());
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, guardMs));
        poke = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  } finally {
    off();
  }
}

/** Waits until `check` holds, re-checking whenever a task of the cluster ends (NOTIFY); fails after `timeoutMs`. */
export async function until(store: QueueStore, check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  await untilPoked((poke) => store.listen("modtasks_events", poke), async () => (await check()) || false, timeoutMs, 1000, () => `timed out waiting for ${what}`);
}

/** A line of the `hold` task's execution log: "<step> <taskid> <node> <pid> [detail]". */
export interface HoldStep {
  step: "start" | "open" | "lost" | "commit";
  taskId: number;
  node: string;
  pid: number;
  detail: string;
}

export function readHoldLog(file: string): HoldStep[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [step, id, node, pid, ...rest] = l.split(" ");
      return { step: step as HoldStep["step"], taskId: Number(id), node: node!, pid: Number(pid), detail: rest.join(" ") };
    });
}

/** Waits until the execution log satisfies `check`, re-reading it whenever its folder changes; fails after `timeoutMs`. */
export async function untilLogged(file: string, check: (steps: HoldStep[]) => boolean, timeoutMs: number, what: string): Promise<HoldStep[]> {
  let last: HoldStep[] = [];
  return untilPoked(
    (poke) => {
      const watcher = watch(dirname(file), poke);
      return () => watcher.close();
    },
    () => {
      last = readHoldLog(file);
      return check(last) ? last : false;
    },
    timeoutMs,
    500,
    () => `timed out waiting for ${what}; the log has: ${JSON.stringify(last)}`,
  );
}

/** The steps the log holds for one task on one node (any node when omitted). */
export function stepsOf(steps: HoldStep[], taskId: number, node?: string): HoldStep["step"][] {
  return steps.filter((s) => s.taskId === taskId && (node === undefined || s.node === node)).map((s) => s.step);
}
