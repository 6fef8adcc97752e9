/**
 * The schedule timeline (issue #9): which task runs when, in which zone, where runs collide and
 * where DST changes the clock. One layout (layout.ts) from the shared cron engine, rendered as
 * text (the CLI), SVG (`modtasks timeline --svg`, and the VS Code panel).
 *
 *   const { tasks } = loadTimelineTasks(["."], { crontabZone: "" });
 *   const t = computeTimeline(tasks, { from: Date.now(), hours: 24, maintenanceOffsetMinutes: 60 });
 *   renderText(t); renderSvg(t);
 */
export {
  computeTimeline,
  resolveDisplayZone,
  durationText,
  dayLabelOf,
  DEFAULT_PARALLEL_LIMIT,
  DEFAULT_MAX_RUNS_PER_TASK,
  MAX_HOURS,
  type AxisTick,
  type Collision,
  type DstMark,
  type RunFlag,
  type Timeline,
  type TimelineOptions,
  type TimelineRow,
  type TimelineRun,
} from "./layout";
export { tasksFromCrontab, tasksFromModuleDefinition, localZoneName, type SkippedTask, type TimelineTask, type TimelineTaskSource, type ModuleTasksOptions } from "./sources";
export { renderText, summaryLine, collisionNotes, flagText } from "./text";
export { renderSvg, runTip, svgMetrics, esc, STANDALONE_CSS, SVG_CLASSES, type SvgOptions } from "./svg";
