/**
 * What the language server and its clients (the VS Code extension, and anyone scripting another
 * editor) agree on: command ids with their argument shapes, custom requests, and setting keys.
 * This file imports nothing but types (and re-exports the runtime's crontab codes), so the
 * extension can import it without pulling in the server.
 */
import type { Range } from "vscode-languageserver-types";

/** Commands the server puts in CodeLenses; the client implements them. */
export const COMMANDS = {
  /** Run a declared task now. Arguments: one {@link RunTaskArgs}. */
  runTask: "modtasks.runTask",
  /** Show the upcoming runs of a scheduled task. Arguments: one {@link ShowTimelineArgs}. */
  showTimeline: "modtasks.showTimeline",
} as const;

/**
 * Commands the server implements itself (advertised in `executeCommandProvider`): CodeLenses that
 * only inform ("runs only by hand", "no next run") carry one, because a lens without a command
 * is "unresolved" and an empty command id breaks clients (Neovim: "does not support command ``").
 */
export const SERVER_COMMANDS = {
  /** Says what an informational lens means (window/showMessage). Arguments: one {@link ExplainArgs}. */
  explain: "modtasks.explain",
} as const;

/** Argument of `modtasks.explain`. */
export interface ExplainArgs {
  /** The sentence to show. */
  message: string;
}

export type TaskKind = "managed" | "ephemeral" | "scheduled";

/** Argument of `modtasks.runTask`. */
export interface RunTaskArgs {
  /** managed (`<managedtask>`), ephemeral (`<ephemeraltask>`) or scheduled (`<task>`). */
  kind: TaskKind;
  /** `module:type` for managed/ephemeral tasks, `module:tag` for scheduled tasks (type lower-cased, as at run time). */
  name: string;
  /** The moduledefinition.xml that declares it. */
  uri: string;
  /** The declaration's element name in that document (where the CodeLens sits). */
  range: Range;
}

/** Argument of `modtasks.showTimeline`. */
export interface ShowTimelineArgs {
  /** `module:tag`. */
  name: string;
  uri: string;
  range: Range;
  runat: string;
  /** As written: "" (UTC), an IANA zone, or "maintenance". */
  runtz: string;
  dialect: "webhare" | "prudence" | "extended";
  /** The zone as shown to users: "Europe/Amsterdam", "UTC", "maintenance zone (UTC-01:23: runs 83 min after UTC)". */
  zone: string;
  /** English description of the mask ("At 15:00 on Monday"). */
  description: string;
  /** The next runs (epoch milliseconds), as many as `modtasks.previewRuns`. */
  runs: number[];
  /** The same runs as ISO 8601 with the zone's offset ("2026-03-23T15:00:00+01:00"). */
  runsInZone: string[];
}

/** Custom requests the server answers (clients may use them for their own views). */
export const REQUESTS = {
  /** Next runs of a scheduled task: {@link NextRunsParams} → {@link NextRunsResult} | null. */
  nextRuns: "modtasks/nextRuns",
} as const;

export interface NextRunsParams {
  /** `module:tag` of a `<task>` anywhere in the workspace. */
  name: string;
  /** How many runs (default: the `modtasks.previewRuns` setting; at most 1000). */
  count?: number;
  /** Start after this instant (epoch ms; default now). */
  after?: number;
}

export interface NextRunsResult {
  name: string;
  uri: string;
  runat: string;
  runtz: string;
  zone: string;
  description: string;
  runs: number[];
  runsInZone: string[];
}

/**
 * Settings, read through `workspace/configuration` with section `modtasks` (or, for clients
 * without it, from `initializationOptions` and `workspace/didChangeConfiguration`, either as
 * `{ modtasks: {...} }` or as the object itself).
 */
export const SETTINGS_SECTION = "modtasks";

export const SETTING_KEYS = {
  /** "webhare" (default) | "prudence" | "extended": the cron dialect of `runat`. */
  cronDialect: "modtasks.cronDialect",
  /** Number of next runs in hovers and the timeline (default 5, 1..50). */
  previewRuns: "modtasks.previewRuns",
  /** Offset of the `maintenance` zone in minutes [0,1440); wins over WEBHARE_MAINTENANCE_OFFSET and the stored value, as `--maintenance-offset` does at run time. */
  maintenanceOffset: "modtasks.maintenanceOffset",
  /** Diagnostic codes not to report, e.g. ["harescript-needs-webhare", "cron-dom-dow-or"]. */
  diagnosticsDisabled: "modtasks.diagnostics.disabled",
  /** Milliseconds to wait after an edit before re-checking (default 150; 0 = at once). */
  diagnosticsDebounce: "modtasks.diagnostics.debounceMs",
  /** Zone in which crontab files are evaluated (default: the machine's local zone, as cron4j does). */
  crontabTimeZone: "modtasks.crontabTimeZone",
} as const;

/** Diagnostic codes the server adds for code files (calls of the scheduling API); definition and cron codes come from the shared checker. */
export const CODE_FILE_CODES = {
  unknownTaskType: "unknown-task-type",
  unknownScheduledTask: "unknown-scheduled-task",
  taskKindMismatch: "task-kind-mismatch",
  invalidTaskName: "invalid-task-name",
  moduleNotInWorkspace: "task-module-not-in-workspace",
} as const;

/** Diagnostic codes of crontab files besides the cron engine's and parseCrontab's: the runtime's crontab check defines them. */
export { CRONTAB_CODES } from "../../runtime/src/crontab/check";
