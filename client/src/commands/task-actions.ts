import * as vscode from "vscode";
import { isTaskName, scheduledNameFromArg, taskIdFromArg } from "../command-args";
import { firstLine } from "../format";
import type { TaskSummary } from "../runtime-api";
import { requireTrust } from "../trust";
import type { Services } from "./services";

/**
 * Actions on one task: from a tree item (its node), from the palette (a QuickPick of the tasks
 * the action applies to), or with an id (scripts, tests, notifications).
 */
export function registerTaskActions(s: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand("modtasks.retryTask", async (arg?: unknown) => {
      if (!requireTrust("Retry")) return undefined;
      const id = taskIdFromArg(arg) ?? (await pickTask(s, "Retry which task?", { states: ["failed", "retrying"] }));
      if (id === undefined) return undefined;
      return act(s, `retry task #${id}`, async () => {
        const n = await s.runtime.request<number>("retry", { taskId: id });
        // Failed (finished) tasks are scheduled anew by `reschedule`; pending ones run now with `retry`.
        if (n === 0) {
          const newId = await s.runtime.request<number>("reschedule", { taskId: id });
          void vscode.window.setStatusBarMessage(`modtasks: task #${id} queued again as #${newId}`, 5000);
          return newId;
        }
        void vscode.window.setStatusBarMessage(`modtasks: task #${id} will be retried now`, 5000);
        return id;
      });
    }),
    vscode.commands.registerCommand("modtasks.cancelTask", async (arg?: unknown) => {
      const id = taskIdFromArg(arg) ?? (await pickTask(s, "Cancel which task?", { states: ["running", "pending", "retrying"] }));
      if (id === undefined) return undefined;
      return act(s, `cancel task #${id}`, async () => {
        const r = await s.runtime.request<string>("cancel", { taskId: id });
        const text = r === "cancelled" ? `task #${id} cancelled` : r === "finished" ? `task #${id} had already finished` : r === "missing" ? `task #${id} no longer exists` : `task #${id}: ${r}`;
        void vscode.window.setStatusBarMessage(`modtasks: ${text}`, 5000);
        return r;
      });
    }),
    vscode.commands.registerCommand("modtasks.deleteTask", async (arg?: unknown) => {
      const id = taskIdFromArg(arg) ?? (await pickTask(s, "Delete which task?", {}));
      if (id === undefined) return undefined;
      const choice = await vscode.window.showWarningMessage(`Delete task #${id} from the queue? A running task is killed first.`, { modal: true }, "Delete");
      if (choice !== "Delete") return undefined;
      return act(s, `delete task #${id}`, () => s.runtime.request<boolean>("delete", { taskId: id }));
    }),
    vscode.commands.registerCommand("modtasks.showTaskDetails", async (arg?: unknown) => {
      const id = taskIdFromArg(arg) ?? (await pickTask(s, "Show which task?", {}));
      if (id !== undefined) await s.details.show(id);
    }),
    vscode.commands.registerCommand("modtasks.revealTask", async (arg?: unknown) => {
      const id = taskIdFromArg(arg);
      if (id === undefined) return false;
      await vscode.commands.executeCommand("modtasks.queue.focus");
      return s.queue.revealTask(id);
    }),
    vscode.commands.registerCommand("modtasks.revealDeclaration", async (arg?: unknown) => {
      const name = declarationNameOf(arg) ?? (await pickDeclaration(s));
      if (!name) return false;
      const decl = await s.modules.find(name);
      if (!decl) {
        void vscode.window.showWarningMessage(`modtasks: no declaration of ${name} in this workspace.`);
        return false;
      }
      const range = new vscode.Range(decl.range.start.line, decl.range.start.character, decl.range.end.line, decl.range.end.character);
      await vscode.window.showTextDocument(vscode.Uri.file(decl.file), { selection: range, preview: true });
      return true;
    }),
  ];
}

/** Runs an action against the runtime, refreshes the tree, and reports failures. */
async function act<T>(s: Services, what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    const r = await fn();
    s.queue.refreshSoon(0);
    return r;
  } catch (e) {
    void vscode.window.showErrorMessage(`modtasks: could not ${what}: ${firstLine((e as Error).message, 300)}`);
    return undefined;
  }
}

function declarationNameOf(arg: unknown): string | undefined {
  if (typeof arg === "object" && arg !== null && "task" in arg) {
    const type = (arg as { task: { type?: unknown } }).task.type;
    if (isTaskName(type)) return type;
  }
  return scheduledNameFromArg(arg);
}

async function pickDeclaration(s: Services): Promise<string | undefined> {
  const tasks = await s.modules.declaredTasks();
  const picked = await vscode.window.showQuickPick(
    tasks.map((t) => ({ label: t.name, description: t.kind, detail: vscode.workspace.asRelativePath(t.file) })),
    { title: "modtasks: Reveal Declaration", matchOnDescription: true },
  );
  return picked?.label;
}

/** A QuickPick of the runtime's tasks in the given states (all when none are given). */
async function pickTask(s: Services, title: string, o: { states?: ("running" | "pending" | "retrying" | "failed" | "completed" | "cancelled")[] }): Promise<number | undefined> {
  if (!s.runtime.connected) {
    void vscode.window.showWarningMessage("modtasks: no runtime is running. Start it first.");
    return undefined;
  }
  const states = o.states?.length ? o.states : [undefined];
  const lists = await Promise.all(states.map((state) => s.runtime.request<TaskSummary[]>("list", { filter: { ...(state ? { state } : {}), limit: 200 } })));
  const tasks = lists.flat().sort((a, b) => b.id - a.id);
  if (!tasks.length) {
    void vscode.window.showInformationMessage("modtasks: no task to choose from.");
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    tasks.map((t) => ({
      label: `#${t.id} ${t.type}`,
      description: t.state === "finished" ? (t.outcome ?? "finished") : t.state === "pending" && t.failures > 0 ? "retrying" : t.state,
      detail: t.lastError ? firstLine(t.lastError, 160) : undefined,
      id: t.id,
    })),
    { title: `modtasks: ${title}`, matchOnDescription: true },
  );
  return picked?.id;
}
