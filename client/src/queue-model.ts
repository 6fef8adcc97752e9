/**
 * The Task Queue tree as plain data: which groups exist, which node goes where, and each node's
 * label, description, tooltip (Markdown), icon and `contextValue`. The tree view (queue-tree.ts)
 * only turns these into TreeItems. No `vscode` import (unit-tested without VS Code).
 *
 * `contextValue`s drive the menus in package.json:
 *   task.running | task.queued | task.retrying | task.failed | task.completed | task.cancelled
 *     (with `.readonly` appended when the snapshot was read from the database without a runtime:
 *     only details and the declaration are offered then)
 *   scheduled.enabled | scheduled.disabled | scheduled.running | scheduled.unrunnable
 *   service.* (service-model.ts) | group.<id> | node | banner.stored
 * Ids are stable ("task:42", "group:failed", "scheduled:hello:cleanup", "group:running/node:a")
 * so expansion and selection survive a refresh.
 */
import { firstLine, formatDuration, formatInScheduleZone, formatLocal, formatRelative } from "./format";
import type { QueueSnapshot, ScheduledState, TaskSummary } from "./runtime-api";
import { serviceNodes, servicesSummary, type ServiceNode } from "./service-model";

export type { ServiceNode };
export type GroupId = "running" | "queued" | "retrying" | "failed" | "completed" | "cancelled" | "scheduled" | "services";
export type TaskViewState = "running" | "queued" | "retrying" | "failed" | "completed" | "cancelled";

/** A codicon and an optional theme colour id (`new ThemeIcon(id, new ThemeColor(color))`). */
export interface IconSpec {
  id: string;
  color?: string;
}

export interface TaskNode {
  kind: "task";
  id: string;
  taskId: number;
  state: TaskViewState;
  label: string;
  description: string;
  tooltip: string;
  icon: IconSpec;
  contextValue: string;
  task: TaskSummary;
}

export interface ScheduledNode {
  kind: "scheduled";
  id: string;
  name: string;
  label: string;
  description: string;
  tooltip: string;
  icon: IconSpec;
  contextValue: string;
  scheduled: ScheduledState;
}

export interface NodeGroup {
  kind: "node";
  id: string;
  node: string;
  label: string;
  description: string;
  icon: IconSpec;
  contextValue: "node";
  children: TaskNode[];
}

export interface GroupNode {
  kind: "group";
  id: string;
  group: GroupId;
  label: string;
  description: string;
  tooltip: string;
  icon: IconSpec;
  contextValue: string;
  /** Whether the group starts expanded. */
  expanded: boolean;
  children: (TaskNode | ScheduledNode | NodeGroup | ServiceNode)[];
}

/**
 * The first row while the tree shows the queue as stored (no runtime runs): says so, and starts
 * the runtime when clicked (the welcome view's button is hidden while the tree has rows).
 */
export interface BannerNode {
  kind: "banner";
  id: string;
  label: string;
  description: string;
  tooltip: string;
  icon: IconSpec;
  contextValue: "banner.stored";
  command: string;
}

export type QueueNode = GroupNode | NodeGroup | TaskNode | ScheduledNode | ServiceNode | BannerNode;

export interface ModelOptions {
  now: number;
  maintenanceOffsetMinutes: number;
  /** How many completed (and cancelled) tasks to show. */
  recentLimit?: number;
}

export const GROUPS: readonly { id: GroupId; label: string; icon: IconSpec; expanded: boolean; tooltip: string }[] = [
  { id: "running", label: "Running", icon: { id: "sync~spin", color: "charts.blue" }, expanded: true, tooltip: "Tasks a worker runs now" },
  { id: "queued", label: "Queued", icon: { id: "clock" }, expanded: true, tooltip: "Tasks waiting for a worker (or for their not-before time)" },
  { id: "retrying", label: "Retrying", icon: { id: "warning", color: "charts.yellow" }, expanded: true, tooltip: "Tasks that failed and will be tried again" },
  { id: "failed", label: "Failed", icon: { id: "error", color: "charts.red" }, expanded: true, tooltip: "Tasks that failed for good: retry them, or look at their errors" },
  { id: "completed", label: "Completed (recent)", icon: { id: "pass", color: "charts.green" }, expanded: true, tooltip: "The most recently completed tasks" },
  { id: "cancelled", label: "Cancelled (recent)", icon: { id: "circle-slash", color: "disabledForeground" }, expanded: true, tooltip: "The most recently cancelled tasks" },
  { id: "scheduled", label: "Scheduled", icon: { id: "calendar", color: "charts.purple" }, expanded: true, tooltip: "Scheduled tasks (<task runat=...>) with their next run in their own zone" },
  {
    id: "services",
    label: "Services",
    icon: { id: "server-process", color: "charts.green" },
    expanded: true,
    tooltip: "Backend services the runtime runs (modtasks.json, <runatstartup>): restart, stop or start them. Services are node-local: these are this runtime's.",
  },
];

export const TASK_ICONS: Record<TaskViewState, IconSpec> = {
  running: { id: "sync~spin", color: "charts.blue" },
  queued: { id: "clock" },
  retrying: { id: "warning", color: "charts.yellow" },
  failed: { id: "error", color: "charts.red" },
  completed: { id: "pass", color: "charts.green" },
  cancelled: { id: "circle-slash", color: "disabledForeground" },
};

/** Which group a task belongs in, from its stored state. */
export function taskViewState(t: Pick<TaskSummary, "state" | "outcome" | "failures">): TaskViewState {
  if (t.state === "running") return "running";
  if (t.state === "pending") return t.failures > 0 ? "retrying" : "queued";
  if (t.outcome === "failed") return "failed";
  if (t.outcome === "cancelled") return "cancelled";
  return "completed";
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, "\\$&");
}

function codeBlock(text: string): string {
  const fence = text.includes("```") ? "~~~~" : "```";
  return `${fence}text\n${text}\n${fence}`;
}

function attemptsText(t: TaskSummary, state: TaskViewState): string {
  // `failures` counts failed attempts; a running or finished task is on attempt failures+1.
  const attempts = state === "queued" ? 0 : state === "retrying" ? t.failures : t.failures + (state === "failed" ? 0 : 1);
  return attempts === 1 ? "1 attempt" : `${attempts} attempts`;
}

export function taskNode(t: TaskSummary, opts: ModelOptions & { readOnly?: boolean }): TaskNode {
  const state = taskViewState(t);
  const now = opts.now;
  let description: string;
  switch (state) {
    case "running":
      description = t.started ? `#${t.id} · running ${formatDuration(now - t.started)}` : `#${t.id} · running`;
      break;
    case "queued":
      description = t.runAt > now + 1000 ? `#${t.id} · not before ${formatRelative(t.runAt, now)}` : `#${t.id} · queued ${formatRelative(t.created, now)}`;
      break;
    case "retrying":
      description = `#${t.id} · ${t.failures} failure${t.failures === 1 ? "" : "s"}, next try ${formatRelative(t.runAt, now)}`;
      break;
    default:
      description = `#${t.id} · ${state} ${t.finished ? formatRelative(t.finished, now) : ""}`.trimEnd();
  }
  const lines = [
    `**${escapeMd(t.type)}** — task #${t.id}`,
    "",
    `State: **${state}** · ${attemptsText(t, state)}`,
    "",
    `Created: ${formatLocal(t.created)} (${formatRelative(t.created, now)})`,
  ];
  if (t.started) lines.push("", `Started: ${formatLocal(t.started)}`);
  if (t.finished) lines.push("", `Finished: ${formatLocal(t.finished)}${t.started ? ` (took ${formatDuration(t.finished - t.started)})` : ""}`);
  if (state === "queued" || state === "retrying") lines.push("", `Runs at: ${formatLocal(t.runAt)} (${formatRelative(t.runAt, now)})`);
  if (t.lastError) lines.push("", "Last error:", "", codeBlock(firstLine(t.lastError, 400)));
  return {
    kind: "task",
    id: `task:${t.id}`,
    taskId: t.id,
    state,
    label: t.type,
    description,
    tooltip: lines.join("\n"),
    icon: TASK_ICONS[state],
    contextValue: opts.readOnly ? `task.${state}.readonly` : `task.${state}`,
    task: t,
  };
}

export function scheduledNode(s: ScheduledState, opts: ModelOptions): ScheduledNode {
  const now = opts.now;
  const when = (ms: number) => formatInScheduleZone(ms, s.runtz, opts.maintenanceOffsetMinutes);
  let state: "running" | "enabled" | "disabled" | "unrunnable";
  let icon: IconSpec;
  let description: string;
  if (s.unrunnable) {
    state = "unrunnable";
    icon = { id: "warning", color: "problemsWarningIcon.foreground" };
    description = `cannot run: ${firstLine(s.unrunnable, 60)}`;
  } else if (s.running) {
    state = "running";
    icon = { id: "sync~spin", color: "charts.blue" };
    description = "running now";
  } else if (!s.enabled) {
    state = "disabled";
    icon = { id: "circle-slash", color: "disabledForeground" };
    description = "disabled";
  } else {
    state = "enabled";
    icon = s.lastError ? { id: "calendar", color: "charts.red" } : { id: "calendar", color: "charts.purple" };
    description = s.nextRun ? `next: ${when(s.nextRun)} (${formatRelative(s.nextRun, now)})` : s.runat ? "no next run" : s.runAtStartup ? "runs at runtime start" : "runs only when triggered";
  }
  const lines = [`**${escapeMd(s.name)}**${s.description ? ` — ${escapeMd(s.description)}` : ""}`, ""];
  lines.push(`Runs at: \`${s.runat || "(not scheduled)"}\` in ${escapeMd(s.runtz || "UTC")}`, "");
  lines.push(`State: **${state}**`, "");
  if (s.nextRun) lines.push(`Next run: ${when(s.nextRun)} (${formatRelative(s.nextRun, now)})`, "");
  if (s.lastRun) {
    const outcome = s.lastOk === true ? (s.lastWarning ? " — succeeded with a warning" : " — succeeded") : s.lastOk === false ? " — failed" : "";
    const took = s.lastEnd && s.lastEnd >= s.lastRun ? `, took ${formatDuration(s.lastEnd - s.lastRun)}` : "";
    lines.push(`Last run: ${when(s.lastRun)} (${formatRelative(s.lastRun, now)}${took})${outcome}`, "");
  }
  if (s.runs) lines.push(`Runs so far: ${s.runs}${s.runner ? ` · running on ${escapeMd(s.runner)}` : ""}`, "");
  if (s.lastError) lines.push("Last error:", "", codeBlock(firstLine(s.lastError, 400)), "");
  // WebHare counts output on stderr with exit code 0 as a warning: the run succeeded, but say it.
  if (s.lastWarning) lines.push("Last warning:", "", codeBlock(firstLine(s.lastWarning, 400)), "");
  if (s.unrunnable) lines.push("Cannot run:", "", codeBlock(s.unrunnable), "");
  return {
    kind: "scheduled",
    id: `scheduled:${s.name}`,
    name: s.name,
    label: s.name,
    description,
    tooltip: lines.join("\n").trimEnd(),
    icon,
    // A running scheduled task can still be enabled/disabled; "run now" waits for the current run.
    contextValue: state === "running" ? (s.enabled ? "scheduled.enabled" : "scheduled.disabled") : `scheduled.${state}`,
    scheduled: s,
  };
}

/** Which node (runtime in a cluster) runs each task, from the nodes' heartbeat info. */
function nodesByTask(snapshot: QueueSnapshot): Map<number, string> {
  const out = new Map<number, string>();
  for (const n of snapshot.status.nodes ?? []) {
    const running = (n.info as { running?: unknown }).running;
    if (Array.isArray(running)) for (const id of running) if (typeof id === "number") out.set(id, n.name);
  }
  for (const r of snapshot.status.running ?? []) if (!out.has(r.id)) out.set(r.id, snapshot.status.node ?? "this node");
  return out;
}

/**
 * The tree's top level: the groups that have something in them, in a fixed order. With more than
 * one node in the cluster, running tasks are grouped per node.
 */
export function buildQueueTree(snapshot: QueueSnapshot, opts: ModelOptions): GroupNode[] {
  const limit = opts.recentLimit ?? 20;
  const seen = new Set<number>();
  const byGroup = new Map<GroupId, TaskNode[]>();
  const readOnly = snapshot.source === "database";
  const add = (t: TaskSummary) => {
    if (seen.has(t.id)) return;
    seen.add(t.id);
    const node = taskNode(t, { ...opts, readOnly });
    const list = byGroup.get(node.state) ?? [];
    list.push(node);
    byGroup.set(node.state, list);
  };
  for (const t of snapshot.active) add(t);
  for (const t of snapshot.failed) add(t);
  for (const t of snapshot.completed.slice(0, limit)) add(t);
  for (const t of snapshot.cancelled.slice(0, limit)) add(t);

  // Order inside groups: running by start, queued and retrying by when they run, finished newest first.
  const sorters: Partial<Record<GroupId, (a: TaskNode, b: TaskNode) => number>> = {
    running: (a, b) => (a.task.started ?? 0) - (b.task.started ?? 0) || a.taskId - b.taskId,
    queued: (a, b) => a.task.priority - b.task.priority || a.task.runAt - b.task.runAt || a.taskId - b.taskId,
    retrying: (a, b) => a.task.runAt - b.task.runAt || a.taskId - b.taskId,
    failed: (a, b) => (b.task.finished ?? 0) - (a.task.finished ?? 0) || b.taskId - a.taskId,
    completed: (a, b) => (b.task.finished ?? 0) - (a.task.finished ?? 0) || b.taskId - a.taskId,
    cancelled: (a, b) => (b.task.finished ?? 0) - (a.task.finished ?? 0) || b.taskId - a.taskId,
  };
  const counts = snapshot.status.counts;
  const multiNode = (snapshot.status.nodes ?? []).length > 1;
  const nodeOf = multiNode ? nodesByTask(snapshot) : undefined;

  const groups: GroupNode[] = [];
  for (const g of GROUPS) {
    let children: GroupNode["children"];
    let total: number;
    let description: string | undefined;
    if (g.id === "scheduled") {
      const list = (snapshot.scheduled ?? []).map((s) => scheduledNode(s, opts)).sort((a, b) => a.name.localeCompare(b.name));
      children = list;
      total = list.length;
    } else if (g.id === "services") {
      const moduleDirs = new Map((snapshot.status.modules ?? []).map((m) => [m.name, m.dir] as const));
      const list = serviceNodes(snapshot.services ?? [], { now: opts.now, moduleDirs });
      children = list;
      total = list.length;
      description = servicesSummary(list, multiNode ? snapshot.status.node : undefined);
    } else {
      const list = (byGroup.get(g.id) ?? []).sort(sorters[g.id]);
      total = counts ? Math.max(list.length, counts[g.id === "queued" ? "pending" : g.id]) : list.length;
      children = list;
      if (g.id === "running" && nodeOf && list.length) children = groupByNode(list, nodeOf);
    }
    if (!children.length) continue;
    const shown = (children as { kind: string }[]).reduce((n, c) => n + (c.kind === "node" ? (c as NodeGroup).children.length : 1), 0);
    groups.push({
      kind: "group",
      id: `group:${g.id}`,
      group: g.id,
      label: g.label,
      description: description ?? (shown < total ? `${shown} of ${total}` : String(total)),
      tooltip: g.tooltip,
      icon: g.icon,
      contextValue: `group.${g.id}`,
      expanded: g.expanded,
      children,
    });
  }
  return groups;
}

/**
 * The banner above a snapshot read from the database (no runtime runs); undefined for a live one,
 * and for an empty queue (the welcome view, with its Start button, shows then).
 */
export function storedQueueBanner(snapshot: QueueSnapshot | undefined, groups: readonly GroupNode[]): BannerNode | undefined {
  if (!snapshot || snapshot.source !== "database" || !groups.length) return undefined;
  return {
    kind: "banner",
    id: "banner:stored",
    label: "Start Runtime",
    description: `read-only view · ${formatLocal(snapshot.fetchedAt).slice(11)}`,
    tooltip: `No modtasks runtime is running for this workspace. The tree shows the queue as stored in ${snapshot.status.db}, read at ${formatLocal(snapshot.fetchedAt)}; it is not updated live. Start the runtime to run tasks and act on them.`,
    icon: { id: "debug-start", color: "charts.green" },
    contextValue: "banner.stored",
    command: "modtasks.startRuntime",
  };
}

/**
 * The node that holds a running task's lease: owners are `<node>/<pid>/<start>` (the runtime's
 * makeOwner). Read from the task row, so it is current even between two heartbeats of that node.
 */
export function leaseNode(owner: string | null | undefined): string | undefined {
  const m = owner ? /^(.+)\/\d+\/[0-9a-z]+$/.exec(owner) : null;
  return m?.[1];
}

function groupByNode(list: TaskNode[], nodeOf: Map<number, string>): NodeGroup[] {
  const byNode = new Map<string, TaskNode[]>();
  for (const t of list) {
    const n = leaseNode(t.task.leaseOwner) ?? nodeOf.get(t.taskId) ?? "unknown node";
    byNode.set(n, [...(byNode.get(n) ?? []), t]);
  }
  return [...byNode.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([node, children]) => ({
      kind: "node" as const,
      id: `group:running/node:${node}`,
      node,
      label: node,
      description: `${children.length} running`,
      icon: { id: "server" },
      contextValue: "node" as const,
      children,
    }));
}

/** The view's badge: failed tasks (finished as failed) need attention. */
export function badgeOf(snapshot: QueueSnapshot | undefined): { value: number; tooltip: string } | undefined {
  const failed = snapshot?.status.counts.failed ?? 0;
  return failed > 0 ? { value: failed, tooltip: `${failed} failed task${failed === 1 ? "" : "s"}` } : undefined;
}

/** Status bar text: "$(sync~spin) 2 running · 5 queued · 1 failed" or the runtime's state. */
export function statusBarText(state: "stopped" | "starting" | "running" | "error", counts: QueueSnapshot["status"]["counts"] | undefined): string {
  if (state === "starting") return "$(loading~spin) modtasks: starting";
  if (state === "error") return "$(error) modtasks: runtime failed";
  if (state === "stopped" || !counts) return "$(circle-slash) modtasks: stopped";
  const icon = counts.running > 0 ? "$(sync~spin)" : "$(pass)";
  const parts = [`${counts.running} running`, `${counts.pending + counts.retrying} queued`];
  if (counts.failed) parts.push(`${counts.failed} failed`);
  return `${icon} ${parts.join(" · ")}`;
}

/** The node to reveal for a task id, with its parent chain (for TreeView.reveal). */
export function findTaskPath(groups: GroupNode[], taskId: number): QueueNode[] | undefined {
  for (const g of groups) {
    for (const c of g.children) {
      if (c.kind === "task" && c.taskId === taskId) return [g, c];
      if (c.kind === "node") for (const t of c.children) if (t.taskId === taskId) return [g, c, t];
    }
  }
  return undefined;
}
