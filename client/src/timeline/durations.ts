/**
 * Last measured run durations of scheduled tasks, from the runtime's `scheduled` control op
 * (TimedTaskState in runtime/src/scheduler: `lastRun` = start of the last run, `lastEnd` = its
 * end), so the timeline can flag runs that would overlap their previous run. Also accepts an
 * explicit `lastDurationMs`. A run in progress (end before start) teaches nothing. Pure.
 */
export function durationsFromScheduled(answer: unknown): Map<string, number> | undefined {
  const list = Array.isArray(answer) ? answer : answer && typeof answer === "object" && Array.isArray((answer as { tasks?: unknown }).tasks) ? (answer as { tasks: unknown[] }).tasks : undefined;
  if (!list) return undefined;
  const out = new Map<string, number>();
  for (const item of list) {
    if (!item || typeof item !== "object") continue;
    const o = item as Record<string, unknown>;
    const name = typeof o.name === "string" ? o.name : undefined;
    if (!name) continue;
    const num = (k: string) => (typeof o[k] === "number" && Number.isFinite(o[k]) ? (o[k] as number) : undefined);
    let d = num("lastDurationMs");
    if (d === undefined) {
      const start = num("lastRun");
      const end = num("lastEnd");
      if (start !== undefined && end !== undefined && end >= start) d = end - start;
    }
    if (d !== undefined && d >= 0) out.set(name, d);
  }
  return out;
}

/** What the timeline takes from a running runtime: its last durations and its parallel limit. */
export interface RuntimeScheduleFacts {
  durations: Map<string, number> | undefined;
  /** `maxScheduledRuns` of the runtime's `status` (`--max-scheduled`); undefined from a runtime that does not say. */
  parallelLimit: number | undefined;
}

/**
 * From the runtime's `status` reply (RuntimeStatus: `scheduled` is the same list the `scheduled`
 * op returns, `maxScheduledRuns` the limit the runtime really applies). Pure.
 */
export function scheduleFactsFromStatus(status: unknown): RuntimeScheduleFacts {
  if (!status || typeof status !== "object") return { durations: undefined, parallelLimit: undefined };
  const o = status as Record<string, unknown>;
  const limit = o.maxScheduledRuns;
  return {
    durations: durationsFromScheduled(o.scheduled),
    parallelLimit: typeof limit === "number" && Number.isInteger(limit) && limit >= 1 ? limit : undefined,
  };
}
