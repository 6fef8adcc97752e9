import { ControlClient } from "../control/client";
import type { EphemeralTaskOptions } from "./task-db";

export const NOT_COMMITTED = "The transaction in which this task was queued did not commit";

/**
 * Runs an ephemeral task on the runtime listening at `socket` and resolves with its result.
 * Each call has its own connection: closing it is how the runtime learns the caller went away
 * (abort, process exit), and then it kills the run.
 */
export async function callEphemeral<R>(socket: string, type: string, data: unknown, opts: EphemeralTaskOptions = {}): Promise<R> {
  const client = new ControlClient(socket);
  if (opts.signal?.aborted) throw abortError(opts.signal);
  const onAbort = () => client.close();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    try {
      await client.connect();
    } catch {
      if (opts.signal?.aborted) throw abortError(opts.signal);
      throw new Error(`Cannot run ephemeral task '${type}': no modtasks runtime is running (looked for ${socket})`);
    }
    if (opts.signal?.aborted) throw abortError(opts.signal);
    const { signal: _signal, ...options } = opts;
    return await client.request<R>("ephemeral", { type, data: data ?? null, options });
  } catch (e) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    throw e;
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    client.close();
  }
}

function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new Error("The ephemeral task was aborted");
}

/**
 * Ephemeral tasks queued inside a transaction: sent when it commits, rejected when it does not.
 */
export class PendingEphemerals {
  private readonly items: { send: () => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];

  add<R>(send: () => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.items.push({ send, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  committed(): void {
    for (const i of this.items.splice(0)) i.send().then(i.resolve, i.reject);
  }

  rolledBack(): void {
    for (const i of this.items.splice(0)) i.reject(new Error(NOT_COMMITTED));
  }
}
