/**
 * CodeLenses: per `<task>` the next run ("next: Mon 15:00 (in 3 h)", computed by the cron engine
 * in the task's zone; click → `modtasks.showTimeline`) and "▷ Run"; per managed and ephemeral
 * task "▷ Run". Per crontab line its next run. The client implements both commands.
 */
import type { CodeLens, Range } from "vscode-languageserver";
import type { Declaration } from "../../../runtime/src/definition/model";
import type { CrontabDoc, DefinitionDoc } from "../analysis/analyze";
import { formatNext, nextRuns, scheduleView, type ScheduleView } from "../analysis/schedule-preview";
import { COMMANDS, SERVER_COMMANDS, type ExplainArgs, type RunTaskArgs, type ShowTimelineArgs } from "../protocol";
import { formatInZone } from "../../../runtime/src/cron/index";
import type { FeatureContext } from "./context";

export function codeLenses(ctx: FeatureContext): CodeLens[] {
  const doc = ctx.doc;
  if (doc.kind === "moduledefinition") return definitionLenses(ctx, doc);
  if (doc.kind === "crontab") return crontabLenses(ctx, doc);
  return [];
}

function definitionLenses(ctx: FeatureContext, doc: DefinitionDoc): CodeLens[] {
  const out: CodeLens[] = [];
  for (const d of doc.def.declarations) {
    const range = doc.lines.rangeOf(d.element.nameSpan);
    if (d.kind === "task") {
      if (!d.tag) continue;
      const view = scheduleView(d.runat, d.runtz, ctx.settings.cronDialect, ctx.maintenance.offsetMinutes);
      out.push(nextRunLens(ctx, view, d.fullName, doc.uri, range, d.runAtStartup));
      out.push(runLens({ kind: "scheduled", name: d.fullName, uri: doc.uri, range }));
    } else if (d.kind === "managedtask" || d.kind === "ephemeraltask") {
      if (!d.type) continue;
      out.push(runLens({ kind: d.kind === "managedtask" ? "managed" : "ephemeral", name: d.fullName, uri: doc.uri, range }));
    }
  }
  return out;
}

function runLens(args: RunTaskArgs): CodeLens {
  return { range: args.range, command: { title: "▷ Run", command: COMMANDS.runTask, arguments: [args] } };
}

/** The arguments of `modtasks.showTimeline` for a schedule (also what `modtasks/nextRuns` answers). */
export function timelineArgs(ctx: Pick<FeatureContext, "now" | "settings">, view: ScheduleView, name: string, uri: string, range: Range): ShowTimelineArgs | undefined {
  if (!view.schedule || !view.zone) return undefined;
  const runs = nextRuns(view, ctx.now, ctx.settings.previewRuns);
  const zone = view.zone;
  return {
    name,
    uri,
    range,
    runat: view.runat,
    runtz: view.runtz,
    dialect: view.dialect,
    zone: view.zoneLabel,
    description: view.description ?? "",
    runs,
    runsInZone: runs.map((ms) => formatInZone(ms, zone)),
  };
}

function nextRunLens(ctx: FeatureContext, view: ScheduleView, name: string, uri: string, range: Range, atStartup: boolean): CodeLens {
  const args = timelineArgs(ctx, view, name, uri, range);
  if (!args) {
    const byHand = `modtasks trigger ${name}, or ▷ Run`;
    const [title, message] =
      view.runat.trim() === ""
        ? atStartup
          ? ["runs at startup and by hand", `${name} has no runat: it runs once at every start of the runtime (runatstartup), and when triggered (${byHand}).`]
          : ["runs only by hand", `${name} has no runat: it runs only when triggered (${byHand}).`]
        : ["⚠ no next run (see the problem)", `${name} has no next run: ${view.problem ?? "the schedule has errors"}.`];
    return { range, command: explain(title, message) };
  }
  const first = args.runs[0];
  const title = first === undefined ? "no run in the next 400 years" : `next: ${formatNext(first, view.zone!, ctx.now)}`;
  return { range, command: { title, command: COMMANDS.showTimeline, arguments: [args] } };
}

function crontabLenses(ctx: FeatureContext, doc: CrontabDoc): CodeLens[] {
  const out: CodeLens[] = [];
  for (const e of doc.entries) {
    const schedule = e.compiled.schedule;
    if (!schedule) continue;
    const range = doc.lines.rangeOf(e.patternSpan);
    let next: number | undefined;
    try {
      next = schedule.next(ctx.now, ctx.crontabZone);
    } catch {
      next = undefined;
    }
    const title = next === undefined ? "no next run" : `next: ${formatNext(next, ctx.crontabZone, ctx.now)}`;
    const message =
      next === undefined
        ? `'${e.compiled.mask}' has no run in the next 400 years.`
        : `'${e.compiled.mask}' (${schedule.describe()}) next runs ${formatInZone(next, ctx.crontabZone)}; crontab times are on ${ctx.settings.crontabTimeZone || "this machine's"} clock.`;
    out.push({ range, command: explain(title, message) });
  }
  return out;
}

/** A lens that only informs: clicking it shows `message` (the server runs `modtasks.explain`). */
function explain(title: string, message: string): { title: string; command: string; arguments: [ExplainArgs] } {
  return { title, command: SERVER_COMMANDS.explain, arguments: [{ message }] };
}

/** Declarations that get a "Run" lens (for tests and the README). */
export function runnable(d: Declaration): boolean {
  return (d.kind === "task" && d.tag !== "") || ((d.kind === "managedtask" || d.kind === "ephemeraltask") && d.type !== "");
}
