import * as vscode from "vscode";
import { parseRunTaskArgs, type RunTaskArgs } from "../command-args";
import { quickPickRow, type DeclaredTask } from "../declared-tasks";
import { firstLine, jsonPreview } from "../format";
import { isUnknownOp, type TriggerResult } from "../runtime-api";
import { requireTrust } from "../trust";
import { parseTaskData, validateTaskData, dataPlaceholder } from "../task-data";
import type { Services } from "./services";

/**
 * `modtasks.runTask`: the palette's "Run Task…", the CodeLens "Run" of the language server
 * (`{ kind, name, uri, range }`), and the tree's play buttons all land here.
 *  - managed: asks for JSON data, queues the task, shows its id and offers to reveal it;
 *  - ephemeral: asks for JSON data, runs it with a progress notification, shows the result;
 *  - scheduled: runs it now (as `modtasks trigger` does) and reports how the run ended.
 */
export function registerRunTask(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand("modtasks.runTask", (arg?: unknown) => runTask(s, arg));
}

async function runTask(s: Services, arg: unknown): Promise<unknown> {
  if (!requireTrust("Run Task")) return undefined;
  const target = parseRunTaskArgs(arg) ?? (await pickTask(s));
  if (!target) return undefined;
  if (!(await ensureRuntime(s, `run ${target.name}`))) return undefined;

  let data: unknown = null;
  if (target.kind !== "scheduled") {
    if (target.hasData) data = target.data;
    else {
      const asked = await askData(s, target);
      if (asked === undefined) return undefined;
      data = asked;
    }
  }
  switch (target.kind) {
    case "managed":
      return scheduleManaged(s, target, data);
    case "ephemeral":
      return runEphemeral(s, target, data);
    case "scheduled":
      return triggerScheduled(s, target.name);
  }
}

/** QuickPick of every declared task, with kind and (for scheduled tasks) the next run. */
async function pickTask(s: Services): Promise<RunTaskArgs | undefined> {
  const tasks = await s.modules.declaredTasks();
  if (!tasks.length) {
    void vscode.window.showInformationMessage("modtasks: this workspace declares no tasks (no <managedtask>, <ephemeraltask> or <task> in a moduledefinition.xml).");
    return undefined;
  }
  const opts = s.modules.options();
  type Item = vscode.QuickPickItem & { task: DeclaredTask };
  const items: Item[] = tasks.map((t) => ({ ...quickPickRow(t, opts), task: t }));
  const picked = await vscode.window.showQuickPick(items, {
    title: "modtasks: Run Task",
    placeHolder: "Choose a task to run (type to filter by name or kind)",
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return undefined;
  const t = picked.task;
  return { kind: t.kind, name: t.name, uri: vscode.Uri.file(t.file).toString(), range: t.range, hasData: false };
}

/** Makes sure a runtime is connected: attaches, or offers to start one. */
export async function ensureRuntime(s: Services, why: string): Promise<boolean> {
  if (s.runtime.connected) return true;
  if (await s.runtime.attach({ quiet: true })) return true;
  const choice = await vscode.window.showInformationMessage(`modtasks: no runtime is running for this workspace. Start one to ${why}?`, "Start Runtime");
  if (choice !== "Start Runtime") return false;
  const ok = await s.runtime.start();
  if (!ok) void showRuntimeError(s);
  return ok;
}

export async function showRuntimeError(s: Services): Promise<void> {
  const choice = await vscode.window.showErrorMessage(`modtasks: the runtime could not start: ${s.runtime.lastError ?? "unknown error"}`, "Show Output");
  if (choice) s.runtime.output.show(true);
}

async function askData(s: Services, t: RunTaskArgs): Promise<unknown | undefined> {
  const key = `modtasks.lastData.${t.name.toLowerCase()}`;
  const last = s.context.workspaceState.get<string>(key, "");
  const text = await vscode.window.showInputBox({
    title: `modtasks: data for ${t.name} (${t.kind} task)`,
    prompt: "JSON data for the task; empty means null",
    placeHolder: dataPlaceholder(t.kind),
    value: last,
    ignoreFocusOut: true,
    validateInput: validateTaskData,
  });
  if (text === undefined) return undefined;
  const parsed = parseTaskData(text);
  if (!parsed.ok) return undefined; // validateInput keeps invalid JSON from being accepted
  await s.context.workspaceState.update(key, text);
  return parsed.value;
}

async function scheduleManaged(s: Services, t: RunTaskArgs, data: unknown): Promise<number | undefined> {
  let ids: number[];
  try {
    ids = await s.runtime.request<number[]>("schedule", { type: t.name, data });
  } catch (e) {
    void vscode.window.showErrorMessage(`modtasks: could not queue ${t.name}: ${(e as Error).message}`);
    return undefined;
  }
  const id = ids[0];
  if (id === undefined) return undefined;
  s.queue.refreshSoon(0);
  void vscode.window.showInformationMessage(`modtasks: queued ${t.name} as task #${id}.`, "Reveal in Queue", "Show Details").then((choice) => {
    if (choice === "Reveal in Queue") void vscode.commands.executeCommand("modtasks.revealTask", id);
    else if (choice === "Show Details") void s.details.show(id);
  });
  return id;
}

async function runEphemeral(s: Services, t: RunTaskArgs, data: unknown): Promise<unknown> {
  const started = Date.now();
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `modtasks: running ${t.name}…`, cancellable: false },
      () => s.runtime.request<unknown>("ephemeral", { type: t.name, data }),
    );
    const took = Date.now() - started;
    void vscode.window.showInformationMessage(`modtasks: ${t.name} returned ${jsonPreview(result, 120)} (${took} ms)`, "Open Result").then((choice) => {
      if (choice) void s.details.showJson(`${t.name}-result`, result);
    });
    return result;
  } catch (e) {
    const msg = isUnknownOp(e) ? "this runtime cannot run ephemeral tasks yet (update modtasks)" : (e as Error).message;
    void vscode.window.showErrorMessage(`modtasks: ${t.name} failed: ${firstLine(msg, 300)}`);
    return undefined;
  }
}

export async function triggerScheduled(s: Services, name: string): Promise<TriggerResult | undefined> {
  try {
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `modtasks: running scheduled task ${name} now…`, cancellable: false },
      () => s.runtime.request<TriggerResult>("trigger", { name }),
    );
    s.queue.refreshSoon(0);
    if (r?.ok) void vscode.window.showInformationMessage(`modtasks: ${name} ran successfully.`);
    else void vscode.window.showErrorMessage(`modtasks: ${name} failed${r?.exitCode !== undefined ? ` (exit code ${r.exitCode})` : ""}: ${firstLine(r?.error ?? "unknown error", 300)}`);
    return r;
  } catch (e) {
    const msg = isUnknownOp(e) ? "this runtime cannot run scheduled tasks yet (update modtasks)" : (e as Error).message;
    void vscode.window.showErrorMessage(`modtasks: could not run ${name}: ${firstLine(msg, 300)}`);
    return undefined;
  }
}
