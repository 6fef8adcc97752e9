import { priorityValue } from "../queue/policy";
import type { TaskTypeInfo } from "../queue/task-types";
import type { UrgentRunResult, WorkerPool } from "../workers/pool";
import type { RunRequest } from "../workers/protocol";
import { mergeAuxData } from "./dispatcher";

export interface EphemeralOptions {
  timeout?: number;
  priority?: string | number;
  auxdata?: unknown;
}

/** Only completion gives a result; everything else is the caller's error message. */
function ephemeralOutcome(r: UrgentRunResult): { ok: true; value: unknown } | { ok: false; error: string } {
  if (r.kind === "died") return { ok: false, error: r.reason };
  const o = r.outcome;
  if (o.kind !== "resolved") return { ok: false, error: "The ephemeral task did not complete" };
  const res = o.resolution;
  if (res.kind === "completed") return { ok: true, value: res.result };
  return { ok: false, error: "error" in res ? res.error : "The ephemeral task did not complete" };
}

/**
 * Ephemeral tasks: not stored, run by the same worker pools as managed tasks, their result goes
 * straight back to the waiting caller. When the caller goes away (its AbortSignal fires: process
 * exit, closed connection, explicit abort), a queued task is dropped and a running one killed,
 * because its result would be thrown away.
 */
export class EphemeralRunner {
  private runCounter = 1_000_000_000; // apart from the dispatchers' run ids, for logs

  constructor(
    private readonly pools: (cluster: string) => WorkerPool | undefined,
    private readonly onFinished: (run: { id: number; type: string; ok: boolean }) => void = () => {},
  ) {}

  async run(info: TaskTypeInfo, data: unknown, opts: EphemeralOptions, signal: AbortSignal): Promise<unknown> {
    if (info.unrunnable || !info.impl) throw new Error(info.unrunnable ?? `No code for ephemeral task type '${info.name}'`);
    const pool = this.pools(info.cluster);
    if (!pool) throw new Error(`No workers for cluster '${info.cluster}'`);
    const priority = opts.priority === undefined ? info.priority : priorityValue(opts.priority as never);
    if (priority === undefined) throw new Error(`Invalid priority ${JSON.stringify(opts.priority)}`);
    const id = ++this.runCounter;
    const req: RunRequest = {
      runId: id,
      kind: "ephemeral",
      task: { id, type: info.name, data: mergeAuxData(data, opts.auxdata), failures: 0, iterations: 0 },
      impl: info.impl,
      policy: { timeoutMs: opts.timeout ?? info.timeoutMs, failRescheduleMs: info.failRescheduleMs, maxFailures: 0 },
    };
    const outcome = ephemeralOutcome(await pool.run(req, { urgent: true, priority, signal }));
    this.onFinished({ id, type: info.name, ok: outcome.ok });
    if (!outcome.ok) throw new Error(outcome.error);
    return outcome.value;
  }
}
