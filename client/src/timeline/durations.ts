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
