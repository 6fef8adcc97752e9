import { extendsTaskBase, RUN_CONTEXT, type RunContext, TaskRequest, type TaskResponse } from "../api/task-base";
import { JsonValueError, toJsonText } from "../queue/json-value";
import { ephemeralResolutionError, resultError } from "../queue/lifecycle";
import type { QueueStore, StoreTransaction } from "../queue/store";
import type { TaskTypeLookup } from "../queue/task-types";
import type { Resolution } from "../queue/types";
import type { RunOutcome, RunRequest } from "./protocol";
import { LeaseLostError, RunDb } from "./run-db";
import { type LongTimeout, setLongTimeout } from "./long-timeout";
import { loadExport } from "./task-loader";
import { finishedPayload } from "../queue/notifications";

/** What a worker needs from its process to run tasks. */
export interface RunEnvironment {
  openStore: () => Promise<QueueStore>;
  lookup: TaskTypeLookup;
  /** Called when a run committed new tasks, so the runtime looks for work at once. */
  onScheduled: () => void;
  /**
   * SQLite: warn (through `warn`) when a run's transaction has held the database's only write
   * lock this long. Everything else that writes (other runs, scheduling, the runtime) waits.
   */
  lockWarnMs?: number;
  warn?: (text: string) => void;
}

/** The outcome of an ephemeral run: only completion gives a result. */
export type EphemeralOutcome = { ok: true; result: unknown } | { ok: false; error: string };

class ResolutionError extends Error {}

/** WebHare's wording for the run-level mistakes. */
const NO_RESOLUTION = "No resolution selected for the current task";
const DOUBLE_RESOLUTION = "A resolution was already selected for this task";

/**
 * Runs one task in this worker and decides how it ended. Exactly one resolution per run: none,
 * two, or a throw become a temporary failure with WebHare's messages (process exits and crashes
 * are seen by the runtime, which records them the same way).
 */
export async function runTask(req: RunRequest, env: RunEnvironment): Promise<RunOutcome> {
  if (!env.lockWarnMs || !env.warn) return runWith(req, env, env.openStore);
  const warn = env.warn;
  const watch = new LockWatch(env.lockWarnMs, (ms) =>
    warn(
      `${req.task.type} #${req.task.id} has held the SQLite write lock for ${Math.round(ms / 100) / 10} s (since its first database call) and still runs; ` +
        `other runs, scheduling and the runtime wait for it. Do slow work before the task's first database call.`,
    ),
  );
  try {
    return await runWith(req, env, () => env.openStore().then((store) => watch.wrap(store)));
  } finally {
    watch.stop();
  }
}

/**
 * Times how long a run holds its transaction open: from the moment the store hands the run its
 * transaction (the write lock is taken) until the run ends. Warns once, while it still runs.
 */
class LockWatch {
  private timer: LongTimeout | undefined;

  constructor(
    private readonly warnAfterMs: number,
    private readonly warn: (heldMs: number) => void,
  ) {}

  wrap(store: QueueStore): QueueStore {
    const started = () => {
      const since = Date.now();
      this.timer ??= setLongTimeout(() => this.warn(Date.now() - since), this.warnAfterMs, { unref: true });
    };
    return new Proxy(store, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown;
        if (prop === "transaction")
          return <T>(fn: (tx: StoreTransaction) => Promise<T>) =>
            target.transaction((tx) => {
              started();
              return fn(tx);
            });
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  stop(): void {
    this.timer?.clear();
  }
}

async function runWith(req: RunRequest, env: RunEnvironment, openStore: () => Promise<QueueStore>): Promise<RunOutcome> {
  const managed = req.kind === "managed";
  const db = new RunDb(openStore, env.lookup, managed && req.task.leaseToken ? { id: req.task.id, token: req.task.leaseToken } : undefined);
  let chosen: TaskResponse | undefined;
  let doubled = false;
  const abort = new AbortController();
  const ctx: RunContext = {
    taskId: req.task.id,
    taskType: req.task.type,
    failures: req.task.failures,
    iterations: req.task.iterations,
    ephemeral: !managed,
    db,
    signal: abort.signal,
    resolve(response) {
      if (chosen) {
        doubled = true;
        throw new ResolutionError(DOUBLE_RESOLUTION);
      }
      if (response.type === "finished" || response.type === "cancelled" || response.type === "failed" || response.type === "failedtemporarily") {
        const bad = "result" in response ? resultError(response.result) : undefined;
        if (bad) throw new ResolutionError(bad);
        if ("result" in response && response.result !== undefined) checkJson(response.result, "the task's result");
      }
      if (response.type === "restart" && response.newData !== undefined) checkJson(response.newData, "restart newData");
      chosen = response;
      return response;
    },
  };

  let thrown: unknown;
  try {
    const target = await loadExport(req.impl.file, req.impl.exportName);
    if (req.impl.form === "class") {
      if (!extendsTaskBase(target)) throw new Error(`Objecttype '${req.impl.exportName}' does not extend from ManagedTaskBase`);
      const Cls = target as new () => { runTask(data: unknown): unknown };
      const obj = new Cls();
      Object.defineProperty(obj, RUN_CONTEXT, { value: ctx, enumerable: false });
      await obj.runTask(req.task.data);
    } else {
      if (typeof target !== "function") throw new Error(`'${req.impl.exportName}' in ${req.impl.file} is not a function`);
      const request = new TaskRequest(req.task.data);
      Object.defineProperty(request, RUN_CONTEXT, { value: ctx, enumerable: false });
      await (target as (r: TaskRequest) => unknown)(request);
    }
  } catch (e) {
    thrown = e;
  }

  let resolution: Resolution;
  if (doubled) resolution = failure(DOUBLE_RESOLUTION);
  else if (thrown instanceof LeaseLostError) {
    await db.finish(false).catch(() => {});
    return { kind: "lost" };
  } else if (thrown !== undefined) resolution = failure(errorMessage(thrown), errorStack(thrown));
  else if (!chosen) resolution = failure(NO_RESOLUTION);
  else resolution = toResolution(chosen);

  if (!managed) {
    const refusal = ephemeralResolutionError(resolution);
    if (refusal !== undefined) {
      await db.finish(false).catch(() => {});
      return { kind: "resolved", resolution: failure(refusal, resolution.kind === "temporary-failure" ? resolution.stack : undefined) };
    }
  }

  // Temporary failures roll the task's writes back; every other resolution commits them.
  const commit = resolution.kind !== "temporary-failure";
  if (!db.opened) return { kind: "resolved", resolution };
  try {
    if (!commit || !managed) {
      await db.finish(commit);
      if (commit && db.scheduledSomething) env.onScheduled();
      return { kind: "resolved", resolution };
    }
    const finish = await db.finish(true, async (tx) => {
      const out = await tx.finishRun({ id: req.task.id, leaseToken: req.task.leaseToken!, resolution, policy: req.policy }, Date.now());
      if (out.applied) await tx.notify("modtasks_events", finishedPayload([out.id]));
      return out;
    });
    if (db.scheduledSomething) env.onScheduled();
    return { kind: "committed", finish: finish! };
  } catch (e) {
    if (e instanceof LeaseLostError) return { kind: "lost" };
    // The commit itself failed (e.g. a constraint the task violated): nothing was written.
    return { kind: "resolved", resolution: failure(`The task's transaction failed to commit: ${errorMessage(e)}`, errorStack(e)) };
  }
}

function failure(error: string, stack?: string): Resolution {
  return { kind: "temporary-failure", error, ...(stack ? { stack } : {}) };
}

function toResolution(r: TaskResponse): Resolution {
  switch (r.type) {
    case "finished":
      return { kind: "completed", result: r.result ?? null };
    case "failed":
      return { kind: "permanent-failure", error: r.error, ...("result" in r ? { result: r.result } : {}) };
    case "failedtemporarily":
      return { kind: "temporary-failure", error: r.error, ...("result" in r ? { result: r.result } : {}), nextRetry: r.nextretry ? r.nextretry.getTime() : null };
    case "restart":
      return { kind: "restart", when: r.when.getTime(), newData: r.newData, auxData: r.auxData, hasNewData: "newData" in r && r.newData !== undefined, hasAuxData: "auxData" in r && r.auxData !== undefined };
    case "cancelled":
      return { kind: "cancelled", result: r.result ?? null, error: r.error };
  }
}

function checkJson(v: unknown, what: string): void {
  try {
    toJsonText(v, what);
  } catch (e) {
    if (e instanceof JsonValueError) throw new ResolutionError(e.message);
    throw e;
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return typeof e === "string" ? e : (() => {
    try {
      return JSON.stringify(e);
    } catch {
      return String(e);
    }
  })();
}

function errorStack(e: unknown): string | undefined {
  return e instanceof Error && e.stack ? e.stack : undefined;
}
