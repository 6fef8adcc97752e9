import * as vscode from "vscode";
import { serviceNameFromArg } from "../command-args";
import { firstLine } from "../format";
import { fetchServices } from "../queue-tree";
import type { ServiceStatus, StartAnswer } from "../runtime-api";
import { serviceViewState } from "../service-model";
import { requireTrust } from "../trust";
import type { Services } from "./services";

type ServiceAction = "start" | "stop" | "restart";

/**
 * Start, stop and restart a backend service (issue #10) through the runtime's control ops
 * `service-start`, `service-stop`, `service-restart`. From a tree row (its node), with a name
 * (`module:name`, scripts and tests), or from the palette (a QuickPick of the services the action
 * applies to). Start and Restart run the workspace's code, so they need a trusted workspace.
 */
export function registerServiceActions(s: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand("modtasks.startService", (arg?: unknown) => serviceAction(s, "start", arg)),
    vscode.commands.registerCommand("modtasks.stopService", (arg?: unknown) => serviceAction(s, "stop", arg)),
    vscode.commands.registerCommand("modtasks.restartService", (arg?: unknown) => serviceAction(s, "restart", arg)),
  ];
}

const APPLIES: Record<ServiceAction, (x: ServiceStatus) => boolean> = {
  start: (x) => serviceViewState(x) === "stopped",
  stop: (x) => serviceViewState(x) !== "stopped",
  restart: () => true,
};

async function serviceAction(s: Services, action: ServiceAction, arg: unknown): Promise<StartAnswer | ServiceStatus[] | undefined> {
  if (action !== "stop" && !requireTrust(action === "start" ? "Starting a service" : "Restarting a service")) return undefined;
  const name = serviceNameFromArg(arg) ?? (await pickService(s, action));
  if (!name) return undefined;
  const title = { start: `starting ${name}`, stop: `stopping ${name}`, restart: `restarting ${name}` }[action];
  try {
    const answer = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `modtasks: ${title}` }, () =>
      s.runtime.request<StartAnswer | ServiceStatus[]>(`service-${action}`, { name }),
    );
    s.queue.refreshSoon(0, "services");
    if (Array.isArray(answer)) void vscode.window.setStatusBarMessage(`modtasks: ${name} stopped`, 5000);
    else if (answer.state === "listening") void vscode.window.setStatusBarMessage(`modtasks: ${name} ${action === "start" ? "started" : "restarted"} (pid ${answer.pid})`, 5000);
    else if (answer.state === "failed") void vscode.window.showErrorMessage(`modtasks: ${name} did not start: ${firstLine(answer.reason, 300)}`, "Show Runtime Output").then((c) => c && s.runtime.output.show(true));
    else void vscode.window.showWarningMessage(`modtasks: the runtime declares no service ${name}.`);
    return answer;
  } catch (e) {
    void vscode.window.showErrorMessage(`modtasks: could not ${action} ${name}: ${firstLine((e as Error).message, 300)}`);
    return undefined;
  }
}

async function pickService(s: Services, action: ServiceAction): Promise<string | undefined> {
  if (!s.runtime.connected) {
    void vscode.window.showWarningMessage("modtasks: no runtime is running. Start it first.");
    return undefined;
  }
  let list: ServiceStatus[];
  try {
    list = ((await fetchServices(s.runtime)) ?? []).filter(APPLIES[action]);
  } catch (e) {
    void vscode.window.showErrorMessage(`modtasks: ${(e as Error).message}`);
    return undefined;
  }
  if (!list.length) {
    void vscode.window.showInformationMessage(`modtasks: no service to ${action}.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    list.map((x) => ({ label: x.name ?? x.key, description: `${serviceViewState(x)}${x.pid !== null ? ` · pid ${x.pid}` : ""}`, detail: `${x.module}/${x.script}` })),
    { title: `modtasks: ${action[0]!.toUpperCase()}${action.slice(1)} which service?` },
  );
  return picked?.label;
}
