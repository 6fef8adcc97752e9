import * as vscode from "vscode";
import { statusBarText } from "./queue-model";
import type { QueueTreeProvider } from "./queue-tree";
import type { RuntimeConnection } from "./runtime-connection";

/** The runtime's state and the queue's counts; a click shows the Task Queue. */
export class RuntimeStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("modtasks.runtime", vscode.StatusBarAlignment.Left, 20);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly runtime: RuntimeConnection,
    queue: QueueTreeProvider,
  ) {
    this.item.name = "modtasks runtime";
    this.item.command = "modtasks.showQueue";
    this.disposables.push(this.item, runtime.onDidChangeState(() => this.update(queue)), queue.onDidRefresh(() => this.update(queue)));
    this.update(queue);
  }

  private update(queue: QueueTreeProvider): void {
    const state = this.runtime.state;
    const counts = queue.current?.status.counts;
    this.item.text = statusBarText(state, state === "running" ? counts : undefined);
    const md = new vscode.MarkdownString(undefined, true);
    if (state === "running" && queue.current?.source === "runtime") {
      const st = queue.current.status;
      const node = st.nodes && st.nodes.length > 1 && st.node ? `node ${st.node}, ` : "";
      md.appendMarkdown(`**modtasks runtime** (${node}pid ${st.pid}${this.runtime.owned ? ", started by this window" : ", attached"})\n\n`);
      md.appendMarkdown(`Database: \`${st.db}\`\n\n`);
      if (counts) md.appendMarkdown(`${counts.running} running · ${counts.pending} queued · ${counts.retrying} retrying · ${counts.failed} failed · ${counts.completed} completed\n\n`);
    } else if (state === "error") {
      md.appendMarkdown(`**modtasks runtime failed**\n\n${this.runtime.lastError ?? ""}\n\n`);
    } else {
      md.appendMarkdown(`**modtasks runtime**: ${state}\n\n`);
    }
    const stored = queue.current?.source === "database" ? queue.current.status.counts : undefined;
    if (state !== "running" && stored) md.appendMarkdown(`Queue as stored: ${stored.running} running · ${stored.pending} queued · ${stored.retrying} retrying · ${stored.failed} failed\n\n`);
    md.appendMarkdown("Click to show the Task Queue.");
    this.item.tooltip = md;
    this.item.backgroundColor = state === "error" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
