import * as vscode from "vscode";
import { maintenanceOffsetMinutes, readSettings } from "./config";
import { badgeOf, buildQueueTree, findTaskPath, type GroupNode, type IconSpec, type QueueNode } from "./queue-model";
import { isUnknownOp, type QueueSnapshot, type RuntimeStatus, type ScheduledState, type TaskSummary } from "./runtime-api";
import type { RuntimeConnection } from "./runtime-connection";

export const QUEUE_VIEW_ID = "modtasks.queue";
/** Events arriving within this window cause one refresh, not one each. */
const COALESCE_MS = 150;
const ACTIVE_LIMIT = 500;
const FINISHED_LIMIT = 50;

/**
 * The "Task Queue" view. Refreshes are pushed, never polled: the runtime's events (a task
 * started or finished, a scheduled run started or finished), a connection change, or an action
 * of the user each ask for one, and a burst of them is coalesced into a single fetch.
 */
export class QueueTreeProvider implements vscode.TreeDataProvider<QueueNode>, vscode.Disposable {
  private groups: GroupNode[] = [];
  private parents = new Map<string, QueueNode>();
  private snapshot: QueueSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private again = false;
  private view: vscode.TreeView<QueueNode> | undefined;
  private readonly changed = new vscode.EventEmitter<QueueNode | undefined>();
  private readonly refreshed = new vscode.EventEmitter<QueueSnapshot | undefined>();
  private readonly disposables: vscode.Disposable[] = [];
  readonly onDidChangeTreeData = this.changed.event;
  /** After each refresh (the status bar listens). */
  readonly onDidRefresh = this.refreshed.event;

  constructor(private readonly runtime: RuntimeConnection) {
    this.disposables.push(
      runtime.onDidChangeState(() => this.refreshSoon(0)),
      runtime.onDidReceiveEvent(() => this.refreshSoon()),
      this.changed,
      this.refreshed,
    );
  }

  /** Creates the tree view (with badge and reveal support). */
  createView(): vscode.TreeView<QueueNode> {
    this.view = vscode.window.createTreeView(QUEUE_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(this.view);
    return this.view;
  }

  get current(): QueueSnapshot | undefined {
    return this.snapshot;
  }

  /** Asks for a refresh; calls within the coalescing window share one fetch. */
  refreshSoon(delay = COALESCE_MS): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delay);
  }

  /** Fetches now (or once more after the fetch in flight); resolves when the tree shows it. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      do {
        this.again = false;
        await this.load();
      } while (this.again);
    })().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async load(): Promise<void> {
    let snapshot: QueueSnapshot | undefined;
    if (this.runtime.connected) {
      try {
        snapshot = await fetchSnapshot(this.runtime);
      } catch (e) {
        this.runtime.output.appendLine(`queue refresh failed: ${(e as Error).message}`);
        snapshot = this.snapshot;
      }
    }
    this.snapshot = snapshot;
    const s = readSettings();
    this.groups = snapshot ? buildQueueTree(snapshot, { now: Date.now(), maintenanceOffsetMinutes: maintenanceOffsetMinutes(s) }) : [];
    this.parents.clear();
    for (const g of this.groups) {
      for (const c of g.children) {
        this.parents.set(c.id, g);
        if (c.kind === "node") for (const t of c.children) this.parents.set(t.id, c);
      }
    }
    if (this.view) {
      const badge = badgeOf(snapshot);
      this.view.badge = badge;
      this.view.description = snapshot ? undefined : this.runtime.state === "starting" ? "starting…" : undefined;
    }
    this.changed.fire(undefined);
    this.refreshed.fire(snapshot);
  }

  getTreeItem(node: QueueNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.label);
    item.id = node.id;
    item.description = node.description;
    item.contextValue = node.contextValue;
    item.iconPath = themeIcon(node.icon);
    switch (node.kind) {
      case "group":
        item.collapsibleState = node.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
        item.tooltip = node.tooltip;
        break;
      case "node":
        item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
        item.tooltip = `Runtime node ${node.node}`;
        break;
      case "task":
        item.tooltip = new vscode.MarkdownString(node.tooltip);
        item.command = { command: "modtasks.showTaskDetails", title: "Show Task Details", arguments: [node] };
        item.accessibilityInformation = { label: `${node.label}, task ${node.taskId}, ${node.state}` };
        break;
      case "scheduled":
        item.tooltip = new vscode.MarkdownString(node.tooltip);
        item.command = { command: "modtasks.revealDeclaration", title: "Reveal Declaration", arguments: [node] };
        item.accessibilityInformation = { label: `scheduled task ${node.label}, ${node.description}` };
        break;
    }
    return item;
  }

  getChildren(node?: QueueNode): QueueNode[] {
    if (!node) return this.groups;
    if (node.kind === "group" || node.kind === "node") return node.children;
    return [];
  }

  getParent(node: QueueNode): QueueNode | undefined {
    return this.parents.get(node.id);
  }

  /** Shows a task in the tree (refreshing first if it is not there yet). */
  async revealTask(taskId: number): Promise<boolean> {
    let path = findTaskPath(this.groups, taskId);
    if (!path) {
      await this.refresh();
      path = findTaskPath(this.groups, taskId);
    }
    const node = path?.at(-1);
    if (!node || !this.view) return false;
    await this.view.reveal(node, { select: true, focus: true, expand: true });
    return true;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

function themeIcon(icon: IconSpec): vscode.ThemeIcon {
  return icon.color ? new vscode.ThemeIcon(icon.id, new vscode.ThemeColor(icon.color)) : new vscode.ThemeIcon(icon.id);
}

/** One consistent picture of the queue: status plus one list per group, fetched in parallel. */
export async function fetchSnapshot(runtime: RuntimeConnection): Promise<QueueSnapshot> {
  const list = (filter: Record<string, unknown>) => runtime.request<TaskSummary[]>("list", { filter });
  const [status, active, failed, completed, cancelled, scheduled] = await Promise.all([
    runtime.request<RuntimeStatus>("status"),
    list({ onlyPending: true, limit: ACTIVE_LIMIT }),
    list({ state: "failed", limit: FINISHED_LIMIT }),
    list({ state: "completed", limit: FINISHED_LIMIT }),
    list({ state: "cancelled", limit: FINISHED_LIMIT }),
    runtime.request<ScheduledState[]>("scheduled").catch((e: unknown) => {
      if (isUnknownOp(e)) return undefined; // a runtime without scheduled tasks (before issue #6)
      throw e;
    }),
  ]);
  return { status, active, failed, completed, cancelled, scheduled, fetchedAt: Date.now() };
}
