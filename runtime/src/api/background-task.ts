import type { ControlClient } from "../control/client";
import type { BackgroundTaskState, ExecuteSpec } from "../prudence/background";

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
