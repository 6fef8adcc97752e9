import { existsSync, mkdirSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TaskRequest } from "modtasks";

/** Runs until cancelled (or 2 minutes): the suite cancels it from the tree. */
export async function slow(req: TaskRequest<{ seconds?: number }>) {
  await new Promise((r) => setTimeout(r, (req.taskdata?.seconds ?? 120) * 1000));
  return req.resolveByCompletion({ slept: true });
}

/**
 * Runs until the file `gate` exists: the suite creates it once it has seen the task running, so
 * "running" is observed for certain and "completed" follows. A slow timer backs up fs.watch,
 * which may miss an event on some file systems.
 */
export async function gated(req: TaskRequest<{ gate: string }>) {
  const gate = String(req.taskdata?.gate ?? "");
  if (!gate) return req.resolveByPermanentFailure("no gate file given");
  await new Promise<void>((resolve) => {
    const done = () => {
      if (!existsSync(gate)) return;
      watcher.close();
      clearInterval(timer);
      resolve();
    };
    mkdirSync(dirname(gate), { recursive: true });
    const watcher = watch(dirname(gate), done);
    const timer = setInterval(done, 1000);
    done();
  });
  return req.resolveByCompletion({ gate, opened: true });
}

/** Fails the first time it runs for a label, succeeds afterwards (a marker file remembers; the suite uses fresh labels). */
export async function failOnce(req: TaskRequest<{ label: string }>) {
  const dir = join(tmpdir(), "modtasks-e2e-markers");
  const marker = join(dir, String(req.taskdata?.label ?? "default"));
  if (!existsSync(marker)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(marker, "failed once\n");
    return req.resolveByTemporaryFailure(`first run of ${req.taskdata?.label} fails on purpose`);
  }
  return req.resolveByCompletion({ label: req.taskdata?.label, ok: true });
}

/** An ephemeral task: its result goes straight back to the caller. */
export async function double(req: TaskRequest<{ n: number }>) {
  return req.resolveByCompletion({ doubled: (req.taskdata?.n ?? 0) * 2 });
}
