/**
 * Every task the workspace declares, read from moduledefinition.xml texts with the shared model
 * (runtime/src/definition) and cron engine: what Run Task… offers, with each scheduled task's next
 * run. Pure TypeScript, no native code and no `vscode` import (unit-tested without VS Code).
 */
import { parseCron, type CronDialect } from "../../runtime/src/cron";
import { parseModuleDefinition } from "../../runtime/src/definition";
import type { RangeLike, TaskKind } from "./command-args";
import { formatInScheduleZone, formatRelative, zoneOf } from "./format";

export interface DeclaredTask {
  kind: TaskKind;
  /** `module:type` or `module:tag`. */
  name: string;
  moduleName: string;
  /** The moduledefinition.xml path. */
  file: string;
  /** The declaring element's start tag. */
  range: RangeLike;
  /** Scheduled tasks: the mask and zone as written. */
  runat?: string;
  runtz?: string;
  description?: string;
  /** What runs it: `lib/tasks.ts#GreetTask`, or the script. */
  target?: string;
  /** Scheduled tasks: the next run (epoch ms), when the mask is valid. */
  nextRun?: number;
}

export interface DeclaredOptions {
  dialect: CronDialect;
  maintenanceOffsetMinutes: number;
  now: number;
}

export function declaredTasksOf(text: string, file: string, o: DeclaredOptions): DeclaredTask[] {
  const def = parseModuleDefinition(text, { file });
  const out: DeclaredTask[] = [];
  for (const d of def.declarations) {
    const range = def.lines.rangeOf(d.element.startTagSpan);
    if (d.kind === "managedtask" || d.kind === "ephemeraltask") {
      const target = d.objectname ?? d.taskrunner;
      out.push({
        kind: d.kind === "managedtask" ? "managed" : "ephemeral",
        name: d.fullName,
        moduleName: def.moduleName,
        file,
        range,
        ...(target ? { target: target.raw } : {}),
      });
    } else if (d.kind === "task") {
      const t: DeclaredTask = { kind: "scheduled", name: d.fullName, moduleName: def.moduleName, file, range, runat: d.runat, runtz: d.runtz };
      if (d.description) t.description = d.description;
      if (d.script) t.target = d.script;
      if (d.runat) {
        const schedule = parseCron(d.runat, o.dialect).schedule;
        const next = schedule?.next(o.now, zoneOf(d.runtz, o.maintenanceOffsetMinutes));
        if (next !== undefined) t.nextRun = next;
      }
      out.push(t);
    }
  }
  return out;
}

/** The QuickPick row of a declared task: label, description and detail. */
export function quickPickRow(t: DeclaredTask, o: DeclaredOptions): { label: string; description: string; detail: string } {
  const kindText = { managed: "managed task", ephemeral: "ephemeral task", scheduled: "scheduled task" }[t.kind];
  let detail: string;
  if (t.kind === "scheduled") {
    const when = t.nextRun !== undefined ? `next run ${formatInScheduleZone(t.nextRun, t.runtz ?? "", o.maintenanceOffsetMinutes)} (${formatRelative(t.nextRun, o.now)})` : t.runat ? `runat "${t.runat}" has no next run` : "runs only when triggered";
    detail = `${kindText} · ${when}${t.description ? ` · ${t.description}` : ""}`;
  } else {
    detail = `${kindText}${t.target ? ` · ${t.target}` : ""}`;
  }
  return { label: t.name, description: t.kind, detail };
}

/** Managed first, then ephemeral, then scheduled; by name inside each kind. */
export function sortDeclared(tasks: DeclaredTask[]): DeclaredTask[] {
  const order: Record<TaskKind, number> = { managed: 0, ephemeral: 1, scheduled: 2 };
  return [...tasks].sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
}
