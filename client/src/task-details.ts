import * as vscode from "vscode";
import type { TaskRecord } from "./runtime-api";
import type { RuntimeConnection } from "./runtime-connection";
import { cliRunner, describeStoredTask } from "./stored-queue";

export const TASK_DETAILS_SCHEME = "modtasks-task";

/** `modtasks-task:/task-42.json` → 42. */
export function taskIdOfUri(uri: vscode.Uri): number | undefined {
  const m = /task-(\d+)\.json$/.exec(uri.path);
  return m ? Number(m[1]) : undefined;
}

export function taskDetailsUri(taskId: number): vscode.Uri {
  return vscode.Uri.from({ scheme: TASK_DETAILS_SCHEME, path: `/task-${taskId}.json` });
}

/** Results of ephemeral tasks and other one-off JSON documents: `modtasks-task:/result-<n>.json`. */
const oneOffs = new Map<string, string>();
let oneOffCounter = 0;

/**
 * Read-only JSON documents: a task's data, result, errors (with stacks), metadata and times, as
 * the runtime's `describe` returns them. Documents of tasks that change are updated live. While
 * no runtime runs, the task as stored (`modtasks tasks describe`), in a trusted workspace.
 */
export class TaskDetailsProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly runtime: RuntimeConnection) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(TASK_DETAILS_SCHEME, this),
      runtime.onDidReceiveEvent((e) => {
        const id = (e as { id?: unknown }).id;
        if (typeof id !== "number") return;
        const uri = taskDetailsUri(id);
        if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) this.changed.fire(uri);
      }),
      this.changed,
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const oneOff = oneOffs.get(uri.path);
    if (oneOff !== undefined) return oneOff;
    const id = taskIdOfUri(uri);
    if (id === undefined) return "// not a modtasks task document\n";
    try {
      const t = await this.describe(id);
      return JSON.stringify(taskDetails(t), null, 2) + "\n";
    } catch (e) {
      return JSON.stringify({ task: id, error: (e as Error).message }, null, 2) + "\n";
    }
  }

  private describe(taskId: number): Promise<TaskRecord> {
    if (!this.runtime.connected && vscode.workspace.isTrusted) {
      const cmd = this.runtime.commandLine();
      if (cmd.ok) return describeStoredTask(cliRunner(cmd.runtime, cmd.cwd), cmd.db, taskId);
    }
    return this.runtime.request<TaskRecord>("describe", { taskId });
  }

  /** Opens a task's details beside the current editor. */
  async show(taskId: number): Promise<void> {
    const uri = taskDetailsUri(taskId);
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, "json");
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  /** Opens a one-off JSON document (an ephemeral task's result). */
  async showJson(title: string, value: unknown): Promise<void> {
    const path = `/${title.replace(/[^\w.-]+/g, "-")}-${++oneOffCounter}.json`;
    oneOffs.set(path, JSON.stringify(value, null, 2) + "\n");
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: TASK_DETAILS_SCHEME, path }));
    await vscode.languages.setTextDocumentLanguage(doc, "json");
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The document's content: what a user looks for first on top, times as ISO strings. */
export function taskDetails(t: TaskRecord): Record<string, unknown> {
  const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : null);
  return {
    id: t.id,
    type: t.type,
    state: t.state,
    outcome: t.outcome,
    data: t.data,
    result: t.result,
    lastError: t.lastError,
    lastStack: t.lastStack,
    errors: t.errors.map((e) => ({ at: iso(e.at), error: e.error, ...(e.stack ? { stack: e.stack } : {}) })),
    metadata: t.metadata,
    auxdata: t.auxdata,
    failures: t.failures,
    iterations: t.iterations,
    priority: t.priority,
    times: {
      created: iso(t.created),
      notBefore: iso(t.notBefore),
      nextAttempt: iso(t.nextAttempt),
      started: iso(t.started),
      finished: iso(t.finished),
    },
    timeout: t.timeout,
    lease: t.leaseOwner ? { owner: t.leaseOwner, expires: iso(t.leaseExpires) } : null,
    cancelRequested: t.cancelRequested,
  };
}
