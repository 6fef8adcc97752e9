import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TaskRequest } from "modtasks";

/** Runs until cancelled (or 2 minutes): the suite cancels it from the tree. */
export async function slow(req: TaskRequest<{ seconds?: number }>) {
  await new Promise((r) => setTimeout(r, (req.taskdata?.seconds ?? 120) * 1000));
  return req.resolveByCompletion({ slept: true });
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
