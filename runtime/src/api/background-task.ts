import type { ControlClient } from "../control/client";
import type { BackgroundTaskState, ExecuteSpec } from "../prudence/background";
import { MAX_TIMER_MS } from "../workers/long-timeout";

export type { ExecuteSpec, BackgroundTaskState };

/**
 * A Prudence-style future for a background task (`executeTask`, `codeTask`): wait for the result
 * with a timeout, ask whether it is done, or cancel it (a running run is killed; a repeating task
 * runs no more). The task lives in the runtime, not in this process.
 */
export class BackgroundTaskHandle {
  constructor(
    readonly id: number,
    private readonly control: ControlClient,
  ) {}

  /** The first run's return value (entry points; programs give null). Rejects with its error, or on timeout. */
  result<T = unknown>(timeoutMs: number): Promise<T> {
    // The runtime waits with one timer: a longer wait would end after 1 ms (Node's timer limit).
    if (typeof timeoutMs !== "number" || !(timeoutMs >= 0 && timeoutMs <= MAX_TIMER_MS))
      return Promise.reject(new TypeError(`result(timeoutMs): a number of milliseconds from 0 to ${MAX_TIMER_MS} (about 24.8 days), got ${String(timeoutMs)}`));
    return this.control.request<T>("execute-result", { taskId: this.id, timeout: timeoutMs });
  }

  async isDone(): Promise<boolean> {
    return (await this.state()).done;
  }

  state(): Promise<BackgroundTaskState> {
    return this.control.request<BackgroundTaskState>("execute-state", { taskId: this.id });
  }

  /** Resolves once running runs are killed; false when it had already finished. */
  cancel(): Promise<boolean> {
    return this.control.request<boolean>("execute-cancel", { taskId: this.id });
  }
}
