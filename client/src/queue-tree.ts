import * as vscode from "vscode";
import { maintenanceOffsetMinutes, readSettings } from "./config";
import { formatLocal } from "./format";
import { badgeOf, buildQueueTree, findTaskPath, storedQueueBanner, type BannerNode, type GroupNode, type IconSpec, type QueueNode } from "./queue-model";
import { isServiceEvent, isUnknownOp, type QueueSnapshot, type RuntimeStatus, type ScheduledState, type ServiceStatus, type TaskSummary } from "./runtime-api";
import type { RuntimeConnection } from "./runtime-connection";
import { cliRunner, readStoredQueue } from "./stored-queue";

export const QUEUE_VIEW_ID = "modtasks.queue";
/** Events arriving within this window cause one refresh, not one each. */
const COALESCE_MS = 150;
const ACTIVE_LIMIT = 500;
const FINISHED_LIMIT = 50;

/** What a refresh fetches: everything, or only the backend services (after a `service-state` event). */
type RefreshKind = "full" | "services";

/**
 * The "Task Queue" view. Refreshes are pushed, never polled: the runtime's events (a task
 * started or finished, a scheduled run started or finished, a service changed state), a
 * connection change, or an action of the user each ask for one, and a burst of them is coalesced
 * into a single fetch. A service event fetches only the services.
 *
 * While no runtime runs (and the workspace is trusted) the view shows the queue as stored in the
 * database, read through the `modtasks` command: when the view is first shown, when the runtime
 * stops, and on Refresh. Read-only: its rows offer details and declarations, not actions.
 */
export class QueueTreeProvider implements vscode.TreeDataProvider<QueueNode>, vscode.Disposable {
  private groups: GroupNode[] = [];
  private banner: BannerNode | undefined;
  private parents = new Map<string, QueueNode>();
  private snapshot: QueueSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerKind: RefreshKind = "services";
  private inFlight: Promise<void> | undefined;
  private wanted: RefreshKind | undefined;
  /** Whether the stored queue was read since the runtime was last seen (or the view was shown). */
  private storedLoaded = false;
  private view: vscode.TreeView<QueueNode> | undefined;
  private readonly changed = new vscode.EventEmitter<QueueNode | undefined>();
  private readonly refreshed = new vscode.EventEmitter<QueueSnapshot | undefined>();
  private readonly disposables: vscode.Disposable[] = [];
  readonly onDidChangeTreeData = this.changed.event;
  /** After each refresh (the status bar listens). */
  readonly onDidRefresh = this.refreshed.event;

  constructor(private readonly runtime: RuntimeConnection) {
    this.disposables.push(
      runtime.onDidChangeState((state) => {
        // The runtime went away: show the queue as it was left (read once, not polled).
        if (state === "stopped" || state === "error") this.storedLoaded = false;
        this.refreshSoon(0);
      }),
      runtime.onDidReceiveEvent((e) => this.refreshSoon(COALESCE_MS, isServiceEvent(e) ? "services" : "full")),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.storedLoaded = false;
        this.refreshSoon(0);
      }),
      this.changed,
      this.refreshed,
    );
  }

  /** Creates the tree view (with badge and reveal support). */
  createView(): vscode.TreeView<QueueNode> {
    this.view = vscode.window.createTreeView(QUEUE_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    // The stored queue is read when someone looks, not at every activation.
    this.disposables.push(
      this.view,
      this.view.onDidChangeVisibility((e) => {
        if (e.visible && !this.storedLoaded && this.storedReadable()) this.refreshSoon(0);
      }),
    );
    return this.view;
  }

  get current(): QueueSnapshot | undefined {
    return this.snapshot;
  }

  /** Asks for a refresh; calls within the coalescing window share one fetch (a full one if any asked for it). */
  refreshSoon(delay = COALESCE_MS, kind: RefreshKind = "full"): void {
    if (kind === "full") this.timerKind = "full";
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const k = this.timerKind;
      this.timerKind = "services";
      void this.refresh(k);
    }, delay);
  }

  /**
   * Fetches now (or once more after the fetch in flight); resolves when the tree shows it. The
   * user's Refresh also re-reads the stored queue while no runtime runs.
   */
  refresh(kind: RefreshKind = "full"): Promise<void> {
    if (this.wanted !== "full") this.wanted = kind;
    this.inFlight ??= this.drain();
    return this.inFlight;
  }

  private async drain(): Promise<void> {
    try {
      while (this.wanted) {
        const k = this.wanted;
        this.wanted = undefined;
        await (k === "full" ? this.load() : this.loadServices());
      }
    } finally {
      // In the same turn as the last check: a refresh asked for after it starts a new drain.
      this.inFlight = undefined;
    }
  }

  /** The user's Refresh: also reads the stored queue again while no runtime runs. */
  refreshNow(): Promise<void> {
    this.storedLoaded = false;
    return this.refresh("full");
  }

  private async load(): Promise<void> {
    let snapshot: QueueSnapshot | undefined;
    let message: string | undefined;
    if (this.runtime.connected) {
      try {
        snapshot = await fetchSnapshot(this.runtime);
      } catch (e) {
        this.runtime.output.appendLine(`queue refresh failed: ${(e as Error).message}`);
        snapshot = this.snapshot?.source === "runtime" ? this.snapshot : undefined;
      }
    } else if (this.storedReadable()) {
      if (this.storedLoaded) {
        snapshot = this.snapshot?.source === "database" ? this.snapshot : undefined;
        message = this.view?.message;
      } else if (this.view?.visible !== false) {
        ({ snapshot, message } = await this.loadStored());
      }
    }
    this.show(snapshot, message);
  }

  /**
   * Whether the view shows the stored queue now: no runtime (and none starting), and a trusted
   * workspace (reading runs the workspace's modtasks install).
   */
  private storedReadable(): boolean {
    return !this.runtime.connected && (this.runtime.state === "stopped" || this.runtime.state === "error") && vscode.workspace.isTrusted;
  }

  /** The queue as stored, through the `modtasks` command; or why not. */
  private async loadStored(): Promise<{ snapshot?: QueueSnapshot; message?: string }> {
    this.storedLoaded = true;
    const cmd = this.runtime.commandLine();
    if (!cmd.ok) return {};
    try {
      const read = await readStoredQueue(cliRunner(cmd.runtime, cmd.cwd), cmd.db);
      if (read.kind === "runtime-running") {
        // Started in a terminal since we last looked: attach (its state change refreshes the view).
        void this.runtime.attach({ quiet: true });
        return {};
      }
      if (read.kind === "no-database") return {};
      const s = read.snapshot;
      return {
        snapshot: s,
        message: `No runtime is running. This is the queue as stored in ${s.status.db}, read at ${formatLocal(s.fetchedAt).slice(11)} (read-only; Refresh reads it again).`,
      };
    } catch (e) {
      const why = (e as Error).message;
      this.runtime.output.appendLine(`reading the stored queue failed: ${why}`);
      return { message: `No runtime is running, and the stored queue could not be read: ${why}` };
    }
  }

  /** After a `service-state` event: only the services are fetched again. */
  private async loadServices(): Promise<void> {
    const current = this.snapshot;
    if (!current || current.source !== "runtime" || !this.runtime.connected) return;
    try {
      const services = await fetchServices(this.runtime);
      // A full refresh that finished meanwhile has newer rows for everything.
      if (this.snapshot !== current) return;
      this.show({ ...current, services }, undefined);
    } catch (e) {
      this.runtime.output.appendLine(`services refresh failed: ${(e as Error).message}`);
    }
  }

  private show(snapshot: QueueSnapshot | undefined, message: string | undefined): void {
    this.snapshot = snapshot;
    const s = readSettings();
    this.groups = snapshot ? buildQueueTree(snapshot, { now: Date.now(), maintenanceOffsetMinutes: maintenanceOffsetMinutes(s) }) : [];
    this.banner = storedQueueBanner(snapshot, this.groups);
    this.parents.clear();
    for (const g of this.groups) {
      for (const c of g.children) {
        this.parents.set(c.id, g);
        if (c.kind === "node") for (const t of c.children) this.parents.set(t.id, c);
      }
    }
    if (this.view) {
      this.view.badge = badgeOf(snapshot);
      this.view.description = snapshot?.source === "database" ? "read-only" : !snapshot && this.runtime.state === "starting" ? "starting…" : undefined;
      this.view.message = message;
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
        item.accessibilityInformation = { label: `runtime node ${node.node}, ${node.description}` };
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
      case "service":
        item.tooltip = new vscode.MarkdownString(node.tooltip);
        if (node.scriptPath) item.command = { command: "vscode.open", title: "Open Service Script", arguments: [vscode.Uri.file(node.scriptPath)] };
        item.accessibilityInformation = { label: node.accessibilityLabel };
        break;
      case "banner":
        item.tooltip = node.tooltip;
        item.command = { command: node.command, title: node.label };
        item.accessibilityInformation = { label: `${node.label}: ${node.description}` };
        break;
    }
    return item;
  }

  getChildren(node?: QueueNode): QueueNode[] {
    if (!node) {
      // First shown while no runtime runs: read the stored queue (once; Refresh reads it again).
      if (!this.storedLoaded && this.storedReadable()) this.refreshSoon(0);
      return this.banner ? [this.banner, ...this.groups] : this.groups;
    }
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
  const [status, active, failed, completed, cancelled, scheduled, services] = await Promise.all([
    runtime.request<RuntimeStatus>("status"),
    list({ onlyPending: true, limit: ACTIVE_LIMIT }),
    list({ state: "failed", limit: FINISHED_LIMIT }),
    list({ state: "completed", limit: FINISHED_LIMIT }),
    list({ state: "cancelled", limit: FINISHED_LIMIT }),
    runtime.request<ScheduledState[]>("scheduled").catch((e: unknown) => {
      if (isUnknownOp(e)) return undefined; // a runtime without scheduled tasks (before issue #6)
      throw e;
    }),
    fetchServices(runtime),
  ]);
  return { source: "runtime", status, active, failed, completed, cancelled, scheduled, services, fetchedAt: Date.now() };
}

/** The runtime's backend services; undefined from a runtime without them (before issue #10). */
export function fetchServices(runtime: RuntimeConnection): Promise<ServiceStatus[] | undefined> {
  return runtime.request<ServiceStatus[]>("services").catch((e: unknown) => {
    if (isUnknownOp(e)) return undefined;
    throw e;
  });
}
