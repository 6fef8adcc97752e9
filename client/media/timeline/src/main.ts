/**
 * The timeline panel's script (bundled by esbuild into ../timeline.js; no CDN, no framework).
 * It shows what the extension host renders (the schedule SVG, the insights HTML) and reports
 * the user's choices back; all computing happens in the host. Keyboard: Tab reaches every task
 * row and the first run of each row, ← → (Home, End) move between a row's runs, ↑ ↓ between
 * rows, Enter or Space reveals the declaration.
 */
import type { HostMessage, TimelineTab, TimelineViewState, WebviewMessage } from "../../../src/timeline/protocol";

interface VsCodeApi {
  postMessage(m: WebviewMessage): void;
  getState(): Partial<TimelineViewState> | undefined;
  setState(s: Partial<TimelineViewState>): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const $ = <T extends Element = HTMLElement>(sel: string) => document.querySelector(sel) as T;

const timeline = $("#timeline");
const tooltip = $("#tooltip");
const zoneSelect = $<HTMLSelectElement>("#zone-select");
const zoneInput = $<HTMLInputElement>("#zone-input");
const fromInput = $<HTMLInputElement>("#from-input");
const fieldError = $("#field-error");
const OTHER = "__other__";

let state: Partial<TimelineViewState> = vscode.getState() ?? {};

function post(m: WebviewMessage): void {
  vscode.postMessage(m);
}

function remember(patch: Partial<TimelineViewState>): void {
  state = { ...state, ...patch };
  vscode.setState(state);
}

// ---- tabs -------------------------------------------------------------------------------

function selectTab(tab: TimelineTab, focus = false): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>("[role=tab]")) {
    const on = b.dataset.tab === tab;
    b.setAttribute("aria-selected", String(on));
    b.tabIndex = on ? 0 : -1;
    if (on && focus) b.focus();
    const panel = document.getElementById(b.getAttribute("aria-controls")!)!;
    panel.hidden = !on;
  }
  hideTip();
  remember({ tab });
}

for (const b of document.querySelectorAll<HTMLButtonElement>("[role=tab]")) {
  b.addEventListener("click", () => {
    const tab = b.dataset.tab as TimelineTab;
    selectTab(tab);
    post({ type: "setTab", tab });
  });
  b.addEventListener("keydown", (e) => {
    const tabs = [...document.querySelectorAll<HTMLButtonElement>("[role=tab]")];
    const i = tabs.indexOf(b);
    const next = e.key === "ArrowRight" ? tabs[(i + 1) % tabs.length] : e.key === "ArrowLeft" ? tabs[(i - 1 + tabs.length) % tabs.length] : e.key === "Home" ? tabs[0] : e.key === "End" ? tabs[tabs.length - 1] : undefined;
    if (!next) return;
    e.preventDefault();
    const tab = next.dataset.tab as TimelineTab;
    selectTab(tab, true);
    post({ type: "setTab", tab });
  });
}

// ---- toolbar ----------------------------------------------------------------------------

for (const b of document.querySelectorAll<HTMLButtonElement>("[data-hours]")) {
  b.addEventListener("click", () => post({ type: "setHours", hours: Number(b.dataset.hours) }));
}

zoneSelect.addEventListener("change", () => {
  if (zoneSelect.value === OTHER) {
    zoneInput.hidden = false;
    zoneInput.focus();
    return;
  }
  zoneInput.hidden = true;
  post({ type: "setZone", zone: zoneSelect.value });
});
zoneInput.addEventListener("change", () => {
  if (zoneInput.value.trim()) post({ type: "setZone", zone: zoneInput.value.trim() });
});
fromInput.addEventListener("change", () => post({ type: "setFrom", from: fromInput.value || null }));
$("#now-button").addEventListener("click", () => post({ type: "setFrom", from: null }));

function setZoneChoices(zones: { value: string; label: string }[], current: string): void {
  zoneSelect.replaceChildren();
  for (const z of zones) zoneSelect.append(new Option(z.label, z.value, false, z.value === current));
  zoneSelect.append(new Option("Other zone…", OTHER));
  if (!zones.some((z) => z.value === current)) zoneSelect.value = OTHER;
  zoneInput.hidden = zoneSelect.value !== OTHER;
  if (!zoneInput.hidden) zoneInput.value = current;
}

// ---- the timeline -------------------------------------------------------------------------

/** What had the focus, so it survives a re-render (same task, same instant). */
function focusKey(): string | undefined {
  const el = document.activeElement as Element | null;
  if (!el || !timeline.contains(el)) return undefined;
  if (el.classList.contains("row")) return `.row[data-task="${CSS.escape(el.getAttribute("data-task") ?? "")}"]`;
  if (el.classList.contains("run")) return `.run[data-task="${CSS.escape(el.getAttribute("data-task") ?? "")}"][data-at="${el.getAttribute("data-at")}"]`;
  return undefined;
}

function showTimeline(m: Extract<HostMessage, { type: "timeline" }>): void {
  const key = focusKey();
  timeline.innerHTML = m.svg;
  $("#heading").textContent = m.heading;
  $("#summary").textContent = `${m.summary}${m.followsNow ? " · follows the current time" : ""}${m.durations === "runtime" ? " · durations from the runtime's last runs" : ""}`;
  for (const b of document.querySelectorAll<HTMLButtonElement>("[data-hours]")) b.setAttribute("aria-pressed", String(Number(b.dataset.hours) === m.state.hours));
  setZoneChoices(m.zones, m.state.zone);
  fromInput.value = m.state.from ?? "";
  fieldError.textContent = "";
  remember({ hours: m.state.hours, zone: m.state.zone, from: m.state.from });

  const notes = $("#notes");
  notes.replaceChildren();
  for (const n of m.notes) {
    const li = document.createElement("li");
    li.className = `note ${n.kind}`;
    if (n.taskId) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "link";
      b.textContent = n.text;
      b.title = "Reveal the declaration";
      b.addEventListener("click", () => reveal(n.taskId!));
      li.append(b);
    } else li.textContent = n.text;
    notes.append(li);
  }

  if (m.selectedTask) markSelected(m.selectedTask, m.focusSelected === true);
  if (!m.focusSelected && key) (timeline.querySelector(key) as SVGElement | null)?.focus();
}

/** Highlights a task's row and runs; scrolls to it and focuses it when asked. */
function markSelected(taskId: string, focus: boolean): void {
  for (const el of timeline.querySelectorAll(".selected")) el.classList.remove("selected");
  const sel = `[data-task="${CSS.escape(taskId)}"]`;
  for (const el of timeline.querySelectorAll(sel)) el.classList.add("selected");
  const row = timeline.querySelector<SVGGElement>(`.row${sel}`);
  if (row && focus) {
    row.scrollIntoView({ block: "nearest" });
    row.focus();
  }
}

function runsOfRow(row: string): SVGElement[] {
  return [...timeline.querySelectorAll<SVGElement>(`.run[data-row="${row}"]`)];
}

/** Moves the roving focus to another run of the same row. */
function focusRun(from: SVGElement, to: SVGElement | undefined): void {
  if (!to) return;
  for (const r of runsOfRow(from.getAttribute("data-row") ?? "")) r.setAttribute("tabindex", "-1");
  to.setAttribute("tabindex", "0");
  to.focus();
}

function rowLabel(row: number): SVGElement | null {
  return timeline.querySelector<SVGElement>(`.row[data-row="${row}"]`);
}

function reveal(taskId: string): void {
  markSelected(taskId, false);
  post({ type: "reveal", taskId });
}

timeline.addEventListener("click", (e) => {
  const el = (e.target as Element).closest("[data-task]");
  if (el && (el.classList.contains("row") || el.classList.contains("run"))) reveal(el.getAttribute("data-task")!);
});

timeline.addEventListener("keydown", (e) => {
  const el = e.target as SVGElement;
  const isRun = el.classList?.contains("run");
  const isRow = el.classList?.contains("row");
  if (!isRun && !isRow) return;
  if (e.key === "Enter" || e.key === " ") {
    e.preventDefault();
    reveal(el.getAttribute("data-task")!);
    return;
  }
  const row = Number(el.getAttribute("data-row"));
  if (e.key === "ArrowUp" || e.key === "ArrowDown") {
    e.preventDefault();
    rowLabel(row + (e.key === "ArrowUp" ? -1 : 1))?.focus();
    return;
  }
  if (isRow && e.key === "ArrowRight") {
    e.preventDefault();
    const runs = runsOfRow(String(row));
    (runs.find((r) => r.getAttribute("tabindex") === "0") ?? runs[0])?.focus();
    return;
  }
  if (!isRun) return;
  const runs = runsOfRow(String(row));
  const i = runs.indexOf(el);
  const target = e.key === "ArrowRight" ? runs[i + 1] : e.key === "ArrowLeft" ? (i === 0 ? undefined : runs[i - 1]) : e.key === "Home" ? runs[0] : e.key === "End" ? runs[runs.length - 1] : undefined;
  if (e.key === "ArrowLeft" && i === 0) {
    e.preventDefault();
    rowLabel(row)?.focus();
    return;
  }
  if (target) {
    e.preventDefault();
    focusRun(el, target);
  }
});

// ---- tooltips ------------------------------------------------------------------------------

function showTip(el: Element): void {
  const text = el.getAttribute("data-tip");
  if (!text) return;
  tooltip.textContent = text;
  tooltip.hidden = false;
  const r = el.getBoundingClientRect();
  const t = tooltip.getBoundingClientRect();
  let left = r.left + r.width / 2 - t.width / 2;
  left = Math.max(4, Math.min(left, window.innerWidth - t.width - 4));
  let top = r.bottom + 6;
  if (top + t.height > window.innerHeight - 4) top = Math.max(4, r.top - t.height - 6);
  tooltip.style.left = `${left + window.scrollX}px`;
  tooltip.style.top = `${top + window.scrollY}px`;
}

function hideTip(): void {
  tooltip.hidden = true;
}

timeline.addEventListener("mouseover", (e) => {
  const el = (e.target as Element).closest("[data-tip]");
  if (el) showTip(el);
});
timeline.addEventListener("mouseout", (e) => {
  if ((e.target as Element).closest("[data-tip]")) hideTip();
});
timeline.addEventListener("focusin", (e) => {
  const el = (e.target as Element).closest("[data-tip]");
  if (el) showTip(el);
  else hideTip();
});
timeline.addEventListener("focusout", hideTip);
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") hideTip();
});

// ---- insights ------------------------------------------------------------------------------

const insights = $("#insights");
insights.addEventListener("click", (e) => {
  const b = (e.target as Element).closest<HTMLElement>("[data-command]");
  const command = b?.dataset.command;
  if (command === "modtasks.startRuntime" || command === "modtasks.attachRuntime" || command === "modtasks.showQueue") post({ type: "command", command });
});

// ---- messages from the host ----------------------------------------------------------------

window.addEventListener("message", (e: MessageEvent<HostMessage>) => {
  const m = e.data;
  switch (m.type) {
    case "timeline":
      showTimeline(m);
      if (m.state.tab !== state.tab) selectTab(m.state.tab);
      break;
    case "insights":
      insights.innerHTML = m.html;
      insights.dataset.state = m.state;
      break;
    case "error":
      fieldError.textContent = m.message;
      if (m.field === "zone") zoneInput.focus();
      if (m.field === "from") fromInput.focus();
      break;
  }
});

// The host renders at the width the panel has; tell it when that changes.
let resizeTimer: number | undefined;
let sentWidth = timeline.clientWidth;
new ResizeObserver(() => {
  clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    if (timeline.clientWidth === sentWidth || timeline.clientWidth === 0) return;
    sentWidth = timeline.clientWidth;
    post({ type: "resize", width: sentWidth });
  }, 150);
}).observe(timeline);

if (state.tab) selectTab(state.tab);
post({ type: "ready", width: sentWidth, state });
