import { JsonValueError, toJsonText } from "../queue/json-value";
import type { RunOutcome, RunRequest } from "./protocol";
import { errorMessage } from "./run-task";
import { loadExport } from "./task-loader";

/**
 * A Prudence-style entry point: the document is loaded once per worker (its top level runs
 * once), then the named function is called with the context for every run; its return value
 * (JSON) goes back to the caller. `document.context` is also set, as in Prudence.
 */
export async function runEntryPoint(req: RunRequest): Promise<RunOutcome> {
  const context = req.task.data;
  (globalThis as { document?: unknown }).document = { context };
  try {
    const fn = await loadExport(req.impl.file, req.impl.exportName);
    if (typeof fn !== "function") throw new Error(`'${req.impl.exportName}' in ${req.impl.file} is not a function`);
    const value: unknown = await (fn as (c: unknown) => unknown)(context);
    try {
      toJsonText(value ?? null, "the entry point's return value");
    } catch (e) {
      if (e instanceof JsonValueError) throw new Error(e.message);
      throw e;
    }
    return { kind: "resolved", resolution: { kind: "completed", result: value ?? null } };
  } catch (e) {
    return { kind: "resolved", resolution: { kind: "temporary-failure", error: errorMessage(e), ...(e instanceof Error && e.stack ? { stack: e.stack } : {}) } };
  }
}
