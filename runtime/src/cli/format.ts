import type { TaskRecord } from "../queue/types";
import { priorityName } from "../queue/policy";

/** Local time with milliseconds for log lines; ISO for everything stored or compared. */
export function clock(ms = Date.now()): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function iso(ms: number | null | undefined): string {
  return ms === null || ms === undefined || ms === 0 ? "-" : new Date(ms).toISOString();
}

/** What a task's state means to a person: retrying, failed, completed... */
export function stateLabel(t: Pick<TaskRecord, "state" | "outcome" | "failures">): string {
  if (t.state === "finished") return t.outcome ?? "finished";
  if (t.state === "pending" && t.failures > 0) return "retrying";
  return t.state;
}

export function taskLine(t: TaskRecord): string {
  const when = t.state === "finished" ? `finished ${iso(t.finished)}` : t.state === "running" ? `started ${iso(t.started)}` : `runs at ${iso(t.runAt)}`;
  const err = t.lastError && t.state !== "finished" ? `  last error: ${oneLine(t.lastError)}` : t.outcome === "failed" ? `  error: ${oneLine(t.lastError ?? "")}` : "";
  return `#${t.id}  ${t.type}  ${stateLabel(t)}  ${when}  attempts ${t.iterations}${err}`;
}

export function taskDetails(t: TaskRecord): string {
  const lines = [
    `task #${t.id}  ${t.type}`,
    `state:       ${stateLabel(t)}`,
    `priority:    ${priorityName(t.priority)}`,
    `created:     ${iso(t.created)}`,
    `not before:  ${iso(t.notBefore)}`,
    `next run:    ${t.state === "pending" ? iso(t.runAt) : "-"}`,
    `started:     ${iso(t.started)}`,
    `finished:    ${iso(t.finished)}`,
    `failures:    ${t.failures}`,
    `iterations:  ${t.iterations}`,
    `data:        ${JSON.stringify(t.data)}`,
  ];
  if (t.auxdata !== null) lines.push(`auxdata:     ${JSON.stringify(t.auxdata)}`);
  if (t.result !== null) lines.push(`result:      ${JSON.stringify(t.result)}`);
  if (t.metadata) lines.push(`metadata:    ${JSON.stringify(t.metadata)}`);
  if (t.lastError) lines.push(`last error:  ${t.lastError}`);
  if (t.errors.length) {
    lines.push("errors:");
    for (const e of t.errors) lines.push(`  ${iso(e.at)}  ${oneLine(e.error)}`);
  }
  if (t.lastStack) lines.push("stack:", ...t.lastStack.split("\n").map((l) => `  ${l}`));
  return lines.join("\n");
}

function oneLine(s: string): string {
  const l = s.split("\n")[0] ?? "";
  return l.length > 160 ? l.slice(0, 157) + "..." : l;
}
