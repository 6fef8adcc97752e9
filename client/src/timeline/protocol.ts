/**
 * The messages between the timeline panel (extension host) and its webview script
 * (client/media/timeline/src). Types only, no `vscode` and no DOM: both sides import this file.
 */

export type TimelineTab = "schedule" | "insights";

/** What the panel shows; the webview echoes changes back as requests. */
export interface TimelineViewState {
  tab: TimelineTab;
  /** 24 or 168. */
  hours: number;
  /** "local", "UTC" or an IANA zone. */
  zone: string;
  /** The start as the datetime-local input shows it (wall clock of the display zone, "2026-03-28T12:00"), or null: now. */
  from: string | null;
}

export interface TimelineNote {
  text: string;
  /** ISO in the display zone, when the note is about an instant. */
  at?: string;
  /** The task to reveal when the note is activated. */
  taskId?: string;
  kind: "parallel" | "overlap" | "dst" | "problem";
}

export type HostMessage =
  | {
      type: "timeline";
      state: TimelineViewState;
      /** The SVG (interactive: no <style>, no <title>, focusable rows and marks). */
      svg: string;
      /** "Times in Europe/Amsterdam (local) · 2026-03-28T12:00:00+01:00 → …". */
      heading: string;
      summary: string;
      notes: TimelineNote[];
      /** Zones the picker offers first: local, UTC and those of the tasks. */
      zones: { value: string; label: string }[];
      /** Rendered with the real clock (following now) or a fixed start. */
      followsNow: boolean;
      /** The task to highlight (from a CodeLens, or the last one revealed); kept across renders. */
      selectedTask?: string;
      /** Scroll to and focus the selected task's row (once, when it was just chosen). */
      focusSelected?: boolean;
      runCount: number;
      /** Where the last durations came from, for the footnote. */
      durations: "runtime" | "none";
    }
  | { type: "insights"; html: string; state: "ok" | "no-runtime" | "unsupported" | "error" }
  | { type: "error"; message: string; field?: "zone" | "from" };

export type WebviewMessage =
  | { type: "ready"; width: number; state?: Partial<TimelineViewState> }
  | { type: "resize"; width: number }
  | { type: "setHours"; hours: number }
  | { type: "setZone"; zone: string }
  | { type: "setFrom"; from: string | null }
  | { type: "setTab"; tab: TimelineTab }
  | { type: "reveal"; taskId: string }
  | { type: "command"; command: "modtasks.startRuntime" | "modtasks.attachRuntime" | "modtasks.showQueue" }
  | { type: "refresh" };
