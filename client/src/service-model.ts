/**
 * The Task Queue tree's "Services" group as plain data: the runtime's backend services (issue #10,
 * runtime/src/services), one row per service name (or per `<runatstartup>` script that has not
 * registered one), with label, description, Markdown tooltip, icon and `contextValue`.
 * No `vscode` import (unit-tested without VS Code).
 *
 * `contextValue`s drive the menus in package.json:
 *   service.running | service.starting | service.restarting | service.stopping | service.stopped
 * Ids are stable ("service:e2emod:echo", "service:hello:lib/startup.ts") so selection survives.
 */
import { join } from "node:path";
import { firstLine, formatDuration, formatLocal, formatRelative } from "./format";
import type { IconSpec } from "./queue-model";
import type { ServiceStatus } from "./runtime-api";

export type ServiceViewState = "running" | "starting" | "restarting" | "stopping" | "stopped";

export interface ServiceNode {
  kind: "service";
  id: string;
  /** What the service commands take: the service's name, else its declaration key. */
  name: string;
  state: ServiceViewState;
  label: string;
  description: string;
  tooltip: string;
  icon: IconSpec;
  contextValue: string;
  /** For screen readers (and the end-to-end suite): "service m:n, running, pid 12, 0 connections". */
  accessibilityLabel: string;
  /** The script's absolute path, when the runtime says where its module lives. */
  scriptPath: string | undefined;
  service: ServiceStatus;
}

export const SERVICE_ICONS: Record<ServiceViewState, IconSpec> = {
  running: { id: "vm-running", color: "charts.green" },
  starting: { id: "loading~spin", color: "charts.blue" },
  restarting: { id: "sync~spin", color: "charts.yellow" },
  stopping: { id: "loading~spin", color: "disabledForeground" },
  stopped: { id: "vm-outline", color: "disabledForeground" },
};
/** A stopped service whose process ended badly (an on-demand service that crashed). */
const STOPPED_AFTER_FAILURE: IconSpec = { id: "vm-outline", color: "charts.red" };

/**
 * The row's state. A process that runs but does not accept clients for this name yet is
 * "starting"; a `<runatstartup>` script that registered no name is "running" once its process is.
 */
export function serviceViewState(s: Pick<ServiceStatus, "state" | "listening" | "name">): ServiceViewState {
  if (s.state === "running") return s.listening || s.name === null ? "running" : "starting";
  return s.state;
}

/** Whether the last exit was a failure (a stop asks with SIGTERM, so that one is not). */
export function exitedBadly(exit: ServiceStatus["lastExit"]): boolean {
  if (!exit) return false;
  return (exit.code !== null && exit.code !== 0) || (exit.signal !== null && exit.signal !== "SIGTERM");
}

function describeExit(exit: NonNullable<ServiceStatus["lastExit"]>): string {
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, "\\$&");
}

function sourceText(s: ServiceStatus): string {
  const where = s.source === "runatstartup" ? "`<runatstartup>`" : s.source === "modtasks.json" ? "`modtasks.json`" : escapeMd(String(s.source));
  return `${where} of ${escapeMd(s.module)} · ${s.onDemand ? "started on demand" : "always on"}`;
}

export function serviceNode(s: ServiceStatus, opts: { now: number; moduleDirs?: ReadonlyMap<string, string> }): ServiceNode {
  const now = opts.now;
  const state = serviceViewState(s);
  const name = s.name ?? s.key;
  const uptime = s.startedAt !== null ? formatDuration(now - s.startedAt) : undefined;
  let description: string;
  switch (state) {
    case "running":
      description = [`pid ${s.pid}`, uptime ? `up ${uptime}` : "", plural(s.connections, "connection")].filter(Boolean).join(" · ");
      break;
    case "starting":
      description = `starting (pid ${s.pid})`;
      break;
    case "stopping":
      description = `stopping (pid ${s.pid})`;
      break;
    case "restarting":
      description = s.lastExit ? `restarting · ${describeExit(s.lastExit)}` : "restarting";
      break;
    case "stopped": {
      const parts = ["stopped"];
      if (s.lastExit && exitedBadly(s.lastExit)) parts.push(`${describeExit(s.lastExit)} ${formatRelative(s.lastExit.at, now)}`);
      else if (s.onDemand) parts.push("starts on demand");
      description = parts.join(" · ");
      break;
    }
  }
  const lines = [`**${escapeMd(name)}** — backend service`, "", `State: **${state}**${s.pid !== null && state !== "stopped" ? ` · pid ${s.pid}` : ""}`, ""];
  if (s.startedAt !== null) lines.push(`Up since: ${formatLocal(s.startedAt)} (${uptime})`, "");
  if (s.name !== null) {
    if (state !== "stopped") lines.push(`Connections: ${s.connections}${s.listening ? "" : " (not accepting clients yet)"}`, "");
  } else lines.push("Serves no name yet (a `<runatstartup>` script registers its names when it calls `runBackendService`)", "");
  lines.push(`Restarts: ${s.restarts}`, "");
  lines.push(`Declared in: ${sourceText(s)}`, "", `Script: \`${s.script}\``, "");
  if (s.lastExit) {
    lines.push(`Last exit: ${describeExit(s.lastExit)}, ${formatLocal(s.lastExit.at)} (${formatRelative(s.lastExit.at, now)})`, "");
    if (s.lastExit.stderr) lines.push("```text", firstLine(s.lastExit.stderr, 400), "```", "");
  }
  lines.push("_Counts as of the last refresh._");
  const moduleDir = opts.moduleDirs?.get(s.module);
  const icon = state === "stopped" && exitedBadly(s.lastExit) ? STOPPED_AFTER_FAILURE : SERVICE_ICONS[state];
  return {
    kind: "service",
    id: `service:${s.name ?? s.key}`,
    name,
    state,
    label: name,
    description,
    tooltip: lines.join("\n"),
    icon,
    contextValue: `service.${state}`,
    accessibilityLabel: `service ${name}, ${state}${s.pid !== null && state !== "stopped" ? `, pid ${s.pid}` : ""}, ${plural(s.connections, "connection")}`,
    scriptPath: moduleDir ? join(moduleDir, s.script) : undefined,
    service: s,
  };
}

/** The rows of the Services group, by name. */
export function serviceNodes(services: readonly ServiceStatus[], opts: { now: number; moduleDirs?: ReadonlyMap<string, string> }): ServiceNode[] {
  return services.map((s) => serviceNode(s, opts)).sort((a, b) => a.name.localeCompare(b.name));
}

/** The group's description: "2 running", "1 of 3 running"; in a cluster, whose services they are. */
export function servicesSummary(nodes: readonly ServiceNode[], node: string | undefined): string {
  const running = nodes.filter((n) => n.state === "running").length;
  const text = running === nodes.length ? `${running} running` : `${running} of ${nodes.length} running`;
  return node ? `${text} on ${node}` : text;
}
