/**
 * The argument of `modtasks.showTimeline`: the language server's ShowTimelineArgs (a CodeLens on
 * a `<task>`: highlight that task), view options (scripts, tests), or nothing (the palette). Pure.
 */
import type { TimelineTab } from "./protocol";

/** What `modtasks.showTimeline` accepts: the CodeLens's ShowTimelineArgs (server/src/protocol.ts), plus view options for scripts and tests. */
export interface ShowTimelineOptions {
  /** `module:tag` to highlight (ShowTimelineArgs.name). */
  name?: string;
  /** Start of the window: epoch ms or ISO 8601 (without offset: the display zone's clock). */
  from?: number | string;
  hours?: number;
  zone?: string;
  tab?: TimelineTab;
}

/** Reads the command's argument: a CodeLens's ShowTimelineArgs, view options, or nothing (the palette). */
export function showTimelineOptions(arg: unknown): ShowTimelineOptions {
  if (!arg || typeof arg !== "object") return {};
  const a = arg as Record<string, unknown>;
  const o: ShowTimelineOptions = {};
  if (typeof a.name === "string") o.name = a.name;
  if (typeof a.from === "number" || typeof a.from === "string") o.from = a.from;
  if (typeof a.hours === "number") o.hours = a.hours;
  if (typeof a.zone === "string" && !("runtz" in a)) o.zone = a.zone; // ShowTimelineArgs.zone is a label, not a display zone
  if (a.tab === "schedule" || a.tab === "insights") o.tab = a.tab;
  return o;
}
