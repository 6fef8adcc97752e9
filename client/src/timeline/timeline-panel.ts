/**
 * The "Schedule Timeline" webview panel: the workspace's scheduled tasks on a time axis (the
 * layout and SVG of runtime/src/timeline, the same as `modtasks timeline --svg`), and a second
 * tab with live queue insights from the runtime's control socket. The extension host computes
 * and renders; the webview script (client/media/timeline/src) only shows, and reports clicks,
 * keys and size changes.
 */
import * as vscode from "vscode";
import { listZones, parseIsoInZone, formatInZone } from "../../../runtime/src/cron";
import type { InsightsSnapshot } from "../../../runtime/src/insights";
import { computeTimeline, DEFAULT_PARALLEL_LIMIT, resolveDisplayZone, type Timeline } from "../../../runtime/src/timeline/layout";
import { localZoneName } from "../../../runtime/src/timeline/sources";
import { renderSvg } from "../../../runtime/src/timeline/svg";
import { collisionNotes, summaryLine } from "../../../runtime/src/timeline/text";
import { maintenanceOffsetMinutes, readSettings } from "../config";
import { isUnknownOp } from "../runtime-api";
import { scheduleFactsFromStatus, type RuntimeScheduleFacts } from "./durations";
import { makeNonce, panelHtml } from "./html";
import { renderInsights, renderInsightsUnavailable } from "./insights-view";
import type { ShowTimelineOptions } from "./options";
import type { HostMessage, TimelineNote, TimelineTab, TimelineViewState, WebviewMessage } from "./protocol";
import { CRONTAB_GLOB, workspaceTimelineTasks, type ModuleSource } from "./workspace-tasks";

/** The part of RuntimeConnection (client/src/runtime-connection.ts) the panel uses. */
export interface RuntimeLike {
  readonly connected: boolean;
  readonly pid?: number | undefined;
  readonly database?: string | undefined;
  request<T>(op: string, args?: Record<string, unknown>): Promise<T>;
  readonly onDidChangeState: vscode.Event<unknown>;
  readonly onDidReceiveEvent: vscode.Event<{ event: string }>;
}

export interface TimelineDeps {
  modules: ModuleSource;
  runtime?: RuntimeLike;
}

/**
 * Insights are asked for when the runtime pushes an event (coalesced), when the tab shows and when
 * the runtime comes or goes; nothing polls for data. This slow timer only keeps the relative
 * times ("in 3 min", "for 2 min") and the chart's sliding hour current while nothing happens.
 */
const INSIGHTS_RELABEL_MS = 30_000;
/** Events arrive in bursts (a batch of tasks): one request per burst. */
const INSIGHTS_COALESCE_MS = 250;
const FOLLOW_NOW_MS = 60_000;
const RUNTIME_FACTS_TTL_MS = 15_000;
const ALLOWED_COMMANDS = new Set(["modtasks.startRuntime", "modtasks.attachRuntime", "modtasks.showQueue"]);

export class TimelinePanel implements vscode.Disposable {
  static readonly viewType = "modtasks.timeline";
  private static current: TimelinePanel | undefined;

  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private state: { tab: TimelineTab; hours: number; zone: string; from: number | null } = { tab: "schedule", hours: 24, zone: "local", from: null };
  private width = 1000;
  private ready = false;
  /** The highlighted task, and whether its row should take the focus at the next render. */
  private selected: string | undefined;
  private focusSelected = false;
  private uris = new Map<string, vscode.Uri>();
  private timeline: Timeline | undefined;
  private renderTimer: NodeJS.Timeout | undefined;
  private followTimer: NodeJS.Timeout | undefined;
  private insightsTimer: NodeJS.Timeout | undefined;
  private insightsBusy = false;
  /** Asked again while a request was out: its answer may predate the change, so ask once more. */
  private insightsAgain = false;
  /** Last durations and the parallel limit from the runtime's `status`, with when they were read. */
  private facts: { at: number; facts: RuntimeScheduleFacts } | undefined;

  /** Opens the panel (or brings the open one forward) and applies the options. */
  static show(context: vscode.ExtensionContext, deps: TimelineDeps, options: ShowTimelineOptions = {}): TimelinePanel {
    const existing = TimelinePanel.current;
    if (existing) {
      existing.apply(options);
      existing.panel.reveal(undefined, false);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(TimelinePanel.viewType, "Schedule Timeline", vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, "client", "media", "timeline")],
    });
    TimelinePanel.current = new TimelinePanel(panel, context, deps, options);
    return TimelinePanel.current;
  }

  private constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly deps: TimelineDeps,
    options: ShowTimelineOptions,
  ) {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, "client", "media", "modtasks.svg");
    this.apply(options, false);
    const media = vscode.Uri.joinPath(context.extensionUri, "client", "media", "timeline");
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, "timeline.js")).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, "timeline.css")).toString(),
      allZones: listZones(),
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: WebviewMessage) => void this.onMessage(m)),
      panel.onDidChangeViewState(() => this.onVisibility()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (isScheduleFile(e.document.uri)) this.scheduleRender();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration("modtasks")) this.scheduleRender();
      }),
    );
    const crontabs = vscode.workspace.createFileSystemWatcher(CRONTAB_GLOB);
    this.disposables.push(crontabs, crontabs.onDidCreate(() => this.scheduleRender()), crontabs.onDidChange(() => this.scheduleRender()), crontabs.onDidDelete(() => this.scheduleRender()));
    if (deps.modules.onDidChange) this.disposables.push(deps.modules.onDidChange(() => this.scheduleRender()));
    if (deps.runtime) {
      this.disposables.push(
        deps.runtime.onDidChangeState(() => {
          this.facts = undefined;
          this.scheduleRender();
          void this.refreshInsights();
        }),
        deps.runtime.onDidReceiveEvent((e) => {
          if (e.event.startsWith("scheduled-") || e.event === "reloaded") this.facts = undefined;
          this.scheduleInsights();
        }),
      );
    }
  }

  /** Applies command options; re-renders when the panel is up. */
  private apply(o: ShowTimelineOptions, render = true): void {
    if (typeof o.hours === "number" && Number.isInteger(o.hours) && o.hours >= 1 && o.hours <= 744) this.state.hours = o.hours;
    if (typeof o.zone === "string" && o.zone.trim()) this.state.zone = o.zone.trim();
    if (o.tab === "schedule" || o.tab === "insights") this.state.tab = o.tab;
    if (typeof o.from === "number" && Number.isFinite(o.from)) this.state.from = o.from;
    else if (typeof o.from === "string") {
      const zone = this.displayZone();
      const ms = zone ? parseIsoInZone(o.from, zone.zone) : undefined;
      if (ms !== undefined) this.state.from = ms;
    }
    if (typeof o.name === "string" && o.name) {
      this.selected = o.name;
      this.focusSelected = true;
    }
    if (render && this.ready) {
      void this.render();
      this.onVisibility();
    }
  }

  private displayZone() {
    const r = resolveDisplayZone(this.state.zone, localZoneName(), this.maintenanceOffset());
    return "error" in r ? undefined : r;
  }

  private maintenanceOffset(): number {
    return maintenanceOffsetMinutes(readSettings());
  }

  private post(m: HostMessage): void {
    void this.panel.webview.postMessage(m);
  }

  private async onMessage(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case "ready":
        this.ready = true;
        this.width = clampWidth(m.width);
        await this.render();
        this.onVisibility();
        return;
      case "resize":
        if (Math.abs(clampWidth(m.width) - this.width) >= 8) {
          this.width = clampWidth(m.width);
          this.scheduleRender(50);
        }
        return;
      case "setHours":
        if (m.hours === 24 || m.hours === 168) this.state.hours = m.hours;
        await this.render();
        return;
      case "setZone": {
        const zone = m.zone.trim() || "local";
        const r = resolveDisplayZone(zone, localZoneName(), this.maintenanceOffset());
        if ("error" in r) {
          this.post({ type: "error", field: "zone", message: r.error });
          return;
        }
        this.state.zone = zone;
        await this.render();
        return;
      }
      case "setFrom": {
        if (m.from === null || m.from === "") this.state.from = null;
        else {
          const zone = this.displayZone();
          const ms = zone ? parseIsoInZone(m.from, zone.zone) : undefined;
          if (ms === undefined) {
            this.post({ type: "error", field: "from", message: `not a date and time: '${m.from}'` });
            return;
          }
          this.state.from = ms;
        }
        await this.render();
        return;
      }
      case "setTab":
        this.state.tab = m.tab === "insights" ? "insights" : "schedule";
        this.onVisibility();
        return;
      case "reveal":
        await this.reveal(m.taskId);
        return;
      case "command":
        if (ALLOWED_COMMANDS.has(m.command)) {
          await vscode.commands.executeCommand(m.command);
          await this.refreshInsights();
        }
        return;
      case "refresh":
        await this.render();
        await this.refreshInsights();
        return;
    }
  }

  /** Opens the task's declaration beside the panel, with the name (or crontab pattern) selected. */
  private async reveal(taskId: string): Promise<void> {
    this.selected = taskId;
    const uri = this.uris.get(taskId);
    const row = this.timeline?.rows.find((r) => r.taskId === taskId);
    if (!uri || !row?.range) return;
    const r = row.range;
    const column = this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
    await vscode.window.showTextDocument(uri, { viewColumn: column, selection: new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character), preserveFocus: false });
  }

  private scheduleRender(delay = 250): void {
    if (!this.ready) return;
    clearTimeout(this.renderTimer);
    this.renderTimer = setTimeout(() => void this.render(), delay);
  }

  /** The connected runtime's last durations and parallel limit (none without a runtime: the defaults apply). */
  private async runtimeFacts(): Promise<RuntimeScheduleFacts> {
    const rt = this.deps.runtime;
    if (!rt?.connected) return { durations: undefined, parallelLimit: undefined };
    if (this.facts && Date.now() - this.facts.at < RUNTIME_FACTS_TTL_MS) return this.facts.facts;
    let facts: RuntimeScheduleFacts;
    try {
      facts = scheduleFactsFromStatus(await rt.request<unknown>("status"));
    } catch {
      facts = { durations: undefined, parallelLimit: undefined };
    }
    this.facts = { at: Date.now(), facts };
    return facts;
  }

  /** Computes the layout for the current state and sends the SVG. */
  async render(): Promise<void> {
    if (!this.ready) return;
    const settings = readSettings();
    const maintenance = maintenanceOffsetMinutes(settings);
    const local = localZoneName();
    const crontabSetting = vscode.workspace.getConfiguration("modtasks").get<string>("crontabTimeZone", "") || local;
    const crontabZone = resolveDisplayZone(crontabSetting, local, maintenance);
    const crontabRuntz = "error" in crontabZone || crontabZone.zone.kind !== "iana" ? "" : crontabZone.zone.name;
    try {
      const { tasks, uris } = await workspaceTimelineTasks(this.deps.modules, { dialect: settings.cronDialect, crontabZone: crontabRuntz });
      this.uris = uris;
      const { durations, parallelLimit } = await this.runtimeFacts();
      const from = this.state.from ?? Math.floor(Date.now() / 60_000) * 60_000;
      const t = computeTimeline(tasks, {
        from,
        hours: this.state.hours,
        displayZone: this.state.zone,
        localZone: local,
        maintenanceOffsetMinutes: maintenance,
        // The limit the connected runtime applies (`--max-scheduled`), else the runtime's default.
        parallelLimit: parallelLimit ?? DEFAULT_PARALLEL_LIMIT,
        ...(durations ? { lastDurations: durations } : {}),
      });
      this.timeline = t;
      const svg = renderSvg(t, { width: this.width, interactive: true, title: `${t.hours === 168 ? "7 days" : `${t.hours} hours`} from ${t.fromText}` });
      const state: TimelineViewState = { tab: this.state.tab, hours: this.state.hours, zone: this.state.zone, from: this.state.from === null ? null : formatInZone(this.state.from, t.displayZone.zone).slice(0, 16) };
      const msg: HostMessage = {
        type: "timeline",
        state,
        svg,
        heading: `Times in ${t.displayZone.label} · ${t.fromText} → ${t.toText}${t.rows.some((r) => r.zoneLabel.startsWith("maintenance")) ? ` · maintenance offset ${t.maintenanceOffsetMinutes} min` : ""}`,
        summary: tasks.length ? `${summaryLine(t)}${parallelLimit !== undefined ? " (the running runtime's limit)" : ""}` : "No scheduled task (<task> with a runat, or a crontab line) in this workspace.",
        notes: notesOf(t),
        zones: zoneChoices(t, local),
        followsNow: this.state.from === null,
        runCount: t.runs.length,
        durations: durations && durations.size ? "runtime" : "none",
      };
      if (this.selected) {
        const id = this.selected.toLowerCase();
        const row = t.rows.find((r) => r.taskId.toLowerCase() === id);
        if (row) {
          msg.selectedTask = row.taskId;
          if (this.focusSelected) msg.focusSelected = true;
        }
        this.focusSelected = false;
      }
      this.post(msg);
    } catch (e) {
      this.post({ type: "error", message: (e as Error).message });
    }
  }

  private onVisibility(): void {
    const visible = this.panel.visible;
    clearInterval(this.followTimer);
    clearInterval(this.insightsTimer);
    this.followTimer = this.insightsTimer = undefined;
    if (!visible || !this.ready) return;
    if (this.state.from === null) this.followTimer = setInterval(() => void this.render(), FOLLOW_NOW_MS);
    if (this.state.tab === "insights") {
      void this.refreshInsights();
      this.insightsTimer = setInterval(() => void this.refreshInsights(), INSIGHTS_RELABEL_MS);
    }
  }

  private insightsSoon: NodeJS.Timeout | undefined;
  private scheduleInsights(): void {
    if (this.state.tab !== "insights" || !this.panel.visible || this.insightsSoon) return;
    this.insightsSoon = setTimeout(() => {
      this.insightsSoon = undefined;
      void this.refreshInsights();
    }, INSIGHTS_COALESCE_MS);
  }

  /** Asks the runtime for its `insights` snapshot; says why when there is none. */
  async refreshInsights(): Promise<void> {
    if (!this.ready || this.state.tab !== "insights") return;
    if (this.insightsBusy) {
      this.insightsAgain = true;
      return;
    }
    const rt = this.deps.runtime;
    if (!rt?.connected) {
      this.post({ type: "insights", state: "no-runtime", html: renderInsightsUnavailable("no-runtime") });
      return;
    }
    this.insightsBusy = true;
    try {
      const s = await rt.request<InsightsSnapshot>("insights");
      const header = `Runtime${rt.pid ? ` pid ${rt.pid}` : ""}${rt.database ? ` on ${rt.database}` : ""} · updated ${new Date(s.at).toLocaleTimeString()}`;
      this.post({ type: "insights", state: "ok", html: renderInsights(s, header) });
    } catch (e) {
      if (isUnknownOp(e)) this.post({ type: "insights", state: "unsupported", html: renderInsightsUnavailable("unsupported") });
      else if (!rt.connected) this.post({ type: "insights", state: "no-runtime", html: renderInsightsUnavailable("no-runtime") });
      else this.post({ type: "insights", state: "error", html: renderInsightsUnavailable("error", (e as Error).message) });
    } finally {
      this.insightsBusy = false;
      if (this.insightsAgain) {
        this.insightsAgain = false;
        void this.refreshInsights();
      }
    }
  }

  dispose(): void {
    if (TimelinePanel.current === this) TimelinePanel.current = undefined;
    clearTimeout(this.renderTimer);
    clearTimeout(this.insightsSoon);
    clearInterval(this.followTimer);
    clearInterval(this.insightsTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function clampWidth(w: unknown): number {
  const n = typeof w === "number" && Number.isFinite(w) ? w : 1000;
  return Math.max(480, Math.min(4000, Math.round(n)));
}

function isScheduleFile(uri: vscode.Uri): boolean {
  const base = uri.path.split("/").pop() ?? "";
  return base === "moduledefinition.xml" || base === "crontab" || base === "crontab.system";
}

/** Local, UTC and the zones the tasks run in, for the picker. */
function zoneChoices(t: Timeline, local: string): { value: string; label: string }[] {
  const out = [
    { value: "local", label: `Local (${local})` },
    { value: "UTC", label: "UTC" },
  ];
  const seen = new Set(["local", "UTC", local]);
  for (const r of t.rows) {
    const z = r.runtz;
    if (!z || seen.has(z) || r.problem?.startsWith("invalid zone")) continue;
    seen.add(z);
    out.push({ value: z, label: z === "maintenance" ? r.zoneLabel : z });
  }
  if (!seen.has(t.displayZone.name)) out.push({ value: t.displayZone.name, label: t.displayZone.label });
  return out;
}

/** Collisions, DST changes and rows without runs, as the list under the picture. */
function notesOf(t: Timeline): TimelineNote[] {
  const notes: TimelineNote[] = [];
  const texts = collisionNotes(t);
  let i = 0;
  for (const c of t.collisions) {
    if (c.kind === "parallel") notes.push({ kind: "parallel", text: texts[i++]!, at: c.display, taskId: t.runs[c.runs[0]!]!.taskId });
  }
  const overlapRows = [...new Set(t.collisions.filter((c) => c.kind === "overlap").map((c) => (c.kind === "overlap" ? c.row : -1)))];
  overlapRows.forEach((row) => notes.push({ kind: "overlap", text: texts[i++]!, taskId: t.rows[row]!.taskId }));
  for (const d of t.dstMarks) notes.push({ kind: "dst", text: `DST ${d.text}`, at: formatInZone(d.at, t.displayZone.zone) });
  for (const r of t.rows) if (r.problem || r.truncated) notes.push({ kind: "problem", text: `${r.name}: ${r.problem ?? `only the first ${r.runCount} runs are shown`}`, taskId: r.taskId });
  return notes;
}
