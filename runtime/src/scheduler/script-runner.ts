import { spawn } from "node:child_process";
import { extname } from "node:path";
import { typeScriptLoaderArgs } from "../workers/task-loader";
import { type Clock, realClock } from "./clock";

/** How one run of a scheduled task's script ended. */
export interface ScriptResult {
  ok: boolean;
  /** WebHare's wording for failures; null when the run succeeded. */
  error: string | null;
  /** Output on stderr from a run that exited 0 (WebHare: a warning, not a failure). */
  warning: string | null;
  /** The last part of the combined output. */
  output: string;
  exitCode: number | null;
}

export interface ScriptRun {
  script: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** 0 = no limit. */
  timeoutMs: number;
  /** As declared, for the message ("Script timed out after N minutes"). */
  timeoutMinutes: number;
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
  /** Called once the process runs, with its pid (also its process group's id). */
  onStart?: (pid: number) => void;
  signal?: AbortSignal;
  /** Time of the timeout (the scheduler's clock, so tests need not wait for real minutes). */
  clock?: Clock;
}

const TAIL = 4000;

/**
 * Runs a `<task script>` as its own process: `.ts`/`.js` files with Node (TypeScript through
 * tsx, no build step), anything else as an executable. The process gets its own process group so
 * a timeout kills everything it started.
 */
export function runScript(run: ScriptRun): Promise<ScriptResult> {
  const ext = extname(run.script).toLowerCase();
  const isNode = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"].includes(ext);
  const [cmd, argv] = isNode ? [process.execPath, [...typeScriptLoaderArgs(), run.script, ...run.args]] : [run.script, run.args];
  return new Promise<ScriptResult>((resolve) => {
    let output = "";
    let stderr = "";
    let timedOut = false;
    let settled = false;
    const child = spawn(cmd, argv, { cwd: run.cwd, env: run.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const clock = run.clock ?? realClock;
    const cancelTimer = run.timeoutMs > 0 ? clock.setTimer(clock.now() + run.timeoutMs, () => ((timedOut = true), killGroup())) : undefined;
    if (child.pid) run.onStart?.(child.pid);
    const onAbort = () => killGroup();
    run.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout!.on("data", (b: Buffer) => {
      const s = b.toString();
      output = (output + s).slice(-TAIL);
      run.onOutput?.("stdout", s);
    });
    child.stderr!.on("data", (b: Buffer) => {
      const s = b.toString();
      output = (output + s).slice(-TAIL);
      stderr = (stderr + s).slice(-TAIL);
      run.onOutput?.("stderr", s);
    });
    const finish = (r: ScriptResult) => {
      if (settled) return;
      settled = true;
      cancelTimer?.();
      run.signal?.removeEventListener("abort", onAbort);
      resolve(r);
    };
    child.on("error", (e) => finish({ ok: false, error: `Cannot start '${run.script}': ${e.message}`, warning: null, output, exitCode: null }));
    child.on("close", (code, signal) => {
      if (timedOut) {
        return finish({ ok: false, error: `Script timed out after ${run.timeoutMinutes} minutes. Last output: ${output.trim()}`, warning: null, output, exitCode: code });
      }
      if (run.signal?.aborted) return finish({ ok: false, error: "The run was stopped", warning: null, output, exitCode: code });
      if (code === 0) return finish({ ok: true, error: null, warning: stderr.trim() ? stderr.trim() : null, output, exitCode: 0 });
      const reason = code === null ? `Process was killed by signal ${signal}` : `Process exited with error code: ${code}`;
      finish({ ok: false, error: `${stderr}${stderr && !stderr.endsWith("\n") ? "\n" : ""}${reason}`, warning: null, output, exitCode: code });
    });
  });
}
