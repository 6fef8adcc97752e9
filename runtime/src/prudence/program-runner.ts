import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { typeScriptLoaderArgs } from "../workers/task-loader";

/** Where the preload lives: beside the runtime bundle, or in the package's dist folder. */
export function programPreloadPath(packageRoot: () => string): string {
  const beside = join(__dirname, "program-preload.js");
  return existsSync(beside) ? beside : join(packageRoot(), "dist", "runtime", "program-preload.js");
}

export interface ProgramRun {
  file: string;
  cwd: string;
  context: unknown;
  env: NodeJS.ProcessEnv;
  preload: string;
  signal?: AbortSignal;
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
}

/** Environment variables hold at most 128 KiB on Linux; beyond this, use an entry point. */
const MAX_CONTEXT = 100_000;

/**
 * A Prudence "program" task: the document runs top to bottom in a process of its own, with the
 * context as `document.context`. A new process per run is what makes "top to bottom" true (an
 * imported module would run only once); entry points are the fast path.
 */
export function runProgram(run: ProgramRun): Promise<{ ok: boolean; error: string | null }> {
  const contextJson = JSON.stringify(run.context ?? null);
  if (contextJson.length > MAX_CONTEXT) {
    return Promise.resolve({ ok: false, error: `the context is ${contextJson.length} characters; program tasks take at most ${MAX_CONTEXT} (use an entry point)` });
  }
  return new Promise((resolve) => {
    let stderr = "";
    const child = spawn(process.execPath, ["--require", run.preload, ...typeScriptLoaderArgs(), run.file], {
      cwd: run.cwd,
      env: { ...run.env, MODTASKS_CONTEXT: contextJson },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    run.signal?.addEventListener("abort", kill, { once: true });
    child.stdout!.on("data", (b: Buffer) => run.onOutput?.("stdout", b.toString()));
    child.stderr!.on("data", (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-4000);
      run.onOutput?.("stderr", b.toString());
    });
    child.on("error", (e) => resolve({ ok: false, error: `cannot start ${run.file}: ${e.message}` }));
    child.on("close", (code, signal) => {
      run.signal?.removeEventListener("abort", kill);
      if (run.signal?.aborted) return resolve({ ok: false, error: "cancelled" });
      if (code === 0) return resolve({ ok: true, error: null });
      resolve({ ok: false, error: `${stderr.trim() ? stderr.trim() + "\n" : ""}${code === null ? `killed by signal ${signal}` : `exited with code ${code}`}` });
    });
  });
}
