import type { ControlClient } from "../control/client";
import type { QueueStore } from "../queue/store";
import type { TaskRecord } from "../queue/types";
import { waitUntil } from "./event-wait";

export type TaskEnd = { kind: "ended"; task: TaskRecord } | { kind: "timeout"; task: TaskRecord } | { kind: "missing" };

/**
 * Waits until a task is finished (or, with acceptTempFailure, waits for a retry after a
 * failure): woken by the runtime's events, never by polling while a runtime is there.
 */
export async function waitForTaskEnd(
  store: QueueStore,
  control: ControlClient,
  id: number,
  opts: { timeoutMs: number; acceptTempFailure: boolean; signal?: AbortSignal },
): Promise<TaskEnd> {
  // With acceptTempFailure, a task waiting for its retry counts as ended (its result is the failure's).
  const ended = (t: TaskRecord) => t.state === "finished" || (opts.acceptTempFailure && t.state === "pending" && t.failures > 0);
  const r = await waitUntil(
    control,
    store,
    [`task:${id}`],
    async () => {
      const t = await store.describe(id);
      return { done: !t || ended(t), value: t };
    },
    opts,
  );
  if (!r.value) return { kind: "missing" };
  return r.done ? { kind: "ended", task: r.value } : { kind: "timeout", task: r.value };
}
