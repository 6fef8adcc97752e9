/**
 * The schedule timeline in VS Code (issue #9): the command `modtasks.showTimeline` ("modtasks:
 * Show Schedule Timeline", also what the language server's "next: …" CodeLens calls with a
 * ShowTimelineArgs) opens one webview panel with the schedule and the queue insights.
 *
 *   context.subscriptions.push(registerTimeline(context, { modules, runtime }));
 */
import * as vscode from "vscode";
import { showTimelineOptions } from "./options";
import { TimelinePanel, type TimelineDeps } from "./timeline-panel";

export const SHOW_TIMELINE_COMMAND = "modtasks.showTimeline";

export type { TimelineDeps } from "./timeline-panel";
export type { ShowTimelineOptions } from "./options";

export function registerTimeline(context: vscode.ExtensionContext, deps: TimelineDeps): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_TIMELINE_COMMAND, (arg?: unknown) => {
    TimelinePanel.show(context, deps, showTimelineOptions(arg));
  });
}
