/**
 * What goes on the timeline: every `<task>` of the module definitions and every line of the
 * crontab files, as plain rows the layout schedules. Pure (texts in, tasks out); the file walk is
 * in files.ts. Masks and zones are kept as written: the layout resolves them through the cron
 * engine exactly as the runtime does.
 */
import type { CronDialect } from "../cron";
import { parseCrontab, parseSystemCrontab } from "../crontab/parse";
import { evaluateApplicability, type ApplicabilityContext } from "../definition/applicability";
import type { ModuleDefinition } from "../definition/model";
import { LineIndex } from "../text/line-index";
import type { Range } from "../text/span";

export type TimelineTaskSource = "moduledefinition" | "crontab" | "system-crontab";

export interface TimelineTask {
  /** Unique and stable: `module:tag` (the scheduler's name, the key of `lastDurations`), or `<file>:<line>` for a crontab entry. */
  id: string;
  /** What the row shows: `module:tag`, the crontab's document or command. */
  name: string;
  source: TimelineTaskSource;
  /** The cron mask as written ("" = never scheduled: runs at startup or by hand). */
  mask: string;
  dialect: CronDialect;
  /** The zone as written: "" = UTC, "maintenance", or an IANA name. Crontab lines carry the crontab zone. */
  runtz: string;
  description?: string;
  /** The declaring file and the range to reveal (0-based, LSP style): the element's name or the crontab pattern. */
  file?: string;
  range?: Range;
}

/** A declaration left off the timeline, and why. */
export interface SkippedTask {
  id: string;
  file?: string;
  range?: Range;
  reason: string;
}

export interface ModuleTasksOptions {
  /** Dialect of `runat` (the runtime's and the editor's setting; default webhare). */
  dialect?: CronDialect;
  /** When given, declarations that do not apply here (ifenvironset, servertype, …) are skipped, as the runtime skips them. */
  applicability?: ApplicabilityContext;
}

/** The `<task>` declarations of one module definition, in document order. */
export function tasksFromModuleDefinition(def: ModuleDefinition, o: ModuleTasksOptions = {}): { tasks: TimelineTask[]; skipped: SkippedTask[] } {
  const tasks: TimelineTask[] = [];
  const skipped: SkippedTask[] = [];
  for (const d of def.scheduledTasks) {
    if (!d.tag) continue;
    const range = def.lines.rangeOf(d.element.nameSpan);
    const where = { ...(def.file ? { file: def.file } : {}), range };
    if (o.applicability) {
      const a = evaluateApplicability(d, o.applicability);
      if (!a.applies) {
        skipped.push({ id: d.fullName, ...where, reason: `does not apply here: ${a.reason ?? "conditions not met"}` });
        continue;
      }
    }
    const t: TimelineTask = { id: d.fullName, name: d.fullName, source: "moduledefinition", mask: d.runat, dialect: o.dialect ?? "webhare", runtz: d.runtz, ...where };
    if (d.description) t.description = d.description;
    tasks.push(t);
  }
  return { tasks, skipped };
}

/**
 * The entries of a Prudence crontab (`crontab`: document per line) or system crontab
 * (`crontab.system`: command per line), in the prudence dialect and the crontab zone
 * ("" = UTC; cron4j evaluates crontabs on the machine's clock, so callers pass the local zone).
 */
export function tasksFromCrontab(text: string, file: string, o: { system?: boolean; zone: string }): TimelineTask[] {
  const lines = new LineIndex(text);
  const label = crontabLabel(file);
  const out: TimelineTask[] = [];
  const entries = o.system ? parseSystemCrontab(text).entries.map((e) => ({ line: e.line, patternSpan: e.patternSpan, name: [e.command, ...e.args].join(" ") })) : parseCrontab(text).entries.map((e) => ({ line: e.line, patternSpan: e.patternSpan, name: e.document }));
  for (const e of entries) {
    out.push({
      id: `${file}:${e.line + 1}`,
      name: `${label}:${e.line + 1} ${e.name}`,
      source: o.system ? "system-crontab" : "crontab",
      mask: text.slice(e.patternSpan.start, e.patternSpan.end),
      dialect: "prudence",
      runtz: o.zone,
      file,
      range: lines.rangeOf(e.patternSpan),
    });
  }
  return out;
}

/** "app/crontab" from "/srv/app/crontab": the folder tells crontabs apart. */
function crontabLabel(file: string): string {
  const parts = file.split(/[\\/]/).filter(Boolean);
  return parts.slice(-2).join("/");
}

/** The name of the machine's zone as the runtime and cron4j see it (UTC when Intl does not know). */
export function localZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}
