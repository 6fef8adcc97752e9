/**
 * Inlay hints: after each `runat` value, the next run on the task's own clock
 * (`⏱ Mon 15:00 +01:00`), from the cron engine; the tooltip holds the description.
 */
import { InlayHintKind, type InlayHint, type Range } from "vscode-languageserver";
import { nextRuns, offsetLabel, formatShort, scheduleView, wallClock } from "../analysis/schedule-preview";
import type { FeatureContext } from "./context";

export function inlayHints(ctx: FeatureContext, range: Range): InlayHint[] {
  const doc = ctx.doc;
  if (doc.kind !== "moduledefinition") return [];
  const from = doc.lines.offsetAt(range.start);
  const to = doc.lines.offsetAt(range.end);
  const out: InlayHint[] = [];
  for (const t of doc.def.scheduledTasks) {
    const attr = t.element.attr("runat");
    if (!attr || attr.value.trim() === "" || attr.span.end < from || attr.span.end > to) continue;
    const view = scheduleView(t.runat, t.runtz, ctx.settings.cronDialect, ctx.maintenance.offsetMinutes);
    const next = nextRuns(view, ctx.now, 1)[0];
    if (next === undefined || !view.zone) continue;
    const zone = view.zone.kind === "utc" ? "UTC" : offsetLabel(wallClock(next, view.zone).offsetMinutes);
    out.push({
      position: doc.lines.positionAt(attr.span.end),
      label: `⏱ ${formatShort(next, view.zone)} ${zone}`,
      kind: InlayHintKind.Type,
      paddingLeft: true,
      tooltip: `${view.description}, ${view.zoneLabel}`,
    });
  }
  return out;
}
