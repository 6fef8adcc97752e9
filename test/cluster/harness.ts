import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
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

/** Starts a node and resolves once it is serving (its start line is printed). */
export async function startNode(name: string, dbUrl: string, extra: string[] = []): Promise<NodeProc> {
  const proc = spawn(process.execPath, [CLI, "run", CMOD, "--db", dbUrl, "--node-name", name, "--workers", "2", "--quiet", ...extra], { stdio: ["ignore", "pipe", "pipe"] });
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
 * Waits until `check` holds, re-checking whenever a task of the cluster ends (NOTIFY), never
 * in a fixed sleep; fails after `timeoutMs`.
 */
export async function until(store: QueueStore, check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  let poke: () => void = () => {};
  const off = await store.listen("modtasks_events", () => poke());
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (await check()) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      // Woken by the next task event; the bound only guards against an event lost meanwhile.
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 1000));
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
