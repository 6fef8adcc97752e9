import * as vscode from "vscode";
import { scheduledNameFromArg } from "../command-args";
import { firstLine } from "../format";
import { isUnknownOp, type ScheduledState } from "../runtime-api";
import { requireTrust } from "../trust";
import { triggerScheduled } from "./run-task";
import type { Services } from "./services";

/** Run a scheduled task now; enable or disable it (the runtime keeps that state per tag). */
export function registerScheduledActions(s: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand("modtasks.runScheduledNow", async (arg?: unknown) => {
      if (!requireTrust("Running a scheduled task")) return undefined;
      const name = scheduledNameFromArg(arg) ?? (await pickScheduled(s, "Run which scheduled task now?", () => true));
      return name ? triggerScheduled(s, name) : undefined;
    }),
    vscode.commands.registerCommand("modtasks.enableScheduledTask", (arg?: unknown) => setEnabled(s, arg, true)),
    vscode.commands.registerCommand("modtasks.disableScheduledTask", (arg?: unknown) => setEnabled(s, arg, false)),
  ];
}

async function setEnabled(s: Services, arg: unknown, enabled: boolean): Promise<boolean> {
  const verb = enabled ? "enable" : "disable";
  const name = scheduledNameFromArg(arg) ?? (await pickScheduled(s, `${enabled ? "Enable" : "Disable"} which scheduled task?`, (t) => t.enabled !== enabled));
  if (!name) return false;
  try {
    await s.runtime.request("set-enabled", { name, enabled });
    s.queue.refreshSoon(0);
    void vscode.window.setStatusBarMessage(`modtasks: ${name} ${enabled ? "enabled" : "disabled"}`, 5000);
    return true;
  } catch (e) {
    const msg = isUnknownOp(e) ? "this runtime has no scheduled tasks yet (update modtasks)" : (e as Error).message;
    void vscode.window.showErrorMessage(`modtasks: could not ${verb} ${name}: ${firstLine(msg, 300)}`);
    return false;
  }
}

async function pickScheduled(s: Services, title: string, filter: (t: ScheduledState) => boolean): Promise<string | undefined> {
  let list: ScheduledState[];
  try {
    list = (await s.runtime.request<ScheduledState[]>("scheduled")).filter(filter);
  } catch (e) {
    void vscode.window.showErrorMessage(`modtasks: ${isUnknownOp(e) ? "this runtime has no scheduled tasks yet" : (e as Error).message}`);
    return undefined;
  }
  if (!list.length) {
    void vscode.window.showInformationMessage("modtasks: no scheduled task to choose from.");
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    list.map((t) => ({ label: t.name, description: `${t.runat || "(no runat)"} ${t.runtz || "UTC"}`, detail: t.description || undefined })),
    { title: `modtasks: ${title}` },
  );
  return picked?.label;
}
