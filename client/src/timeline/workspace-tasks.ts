/**
 * The timeline's tasks from the open workspace: every moduledefinition.xml the module index
 * found and every crontab file, read from the editor when it has unsaved edits, turned into
 * timeline rows by the same code the CLI uses (runtime/src/timeline/sources.ts).
 */
import * as vscode from "vscode";
import { parseModuleDefinition } from "../../../runtime/src/definition";
import { moduleNameFromPath } from "../../../runtime/src/definition/parse";
import { tasksFromCrontab, tasksFromModuleDefinition, type TimelineTask } from "../../../runtime/src/timeline/sources";
import type { CronDialect } from "../../../runtime/src/cron";

export const CRONTAB_GLOB = "**/{crontab,crontab.system}";
const EXCLUDE_GLOB = "**/{node_modules,.git,dist,.modtasks}/**";

/** The part of the module index the timeline needs (client/src/workspace-modules.ts). */
export interface ModuleSource {
  readonly moduleFiles: readonly vscode.Uri[];
  scan(): Promise<void>;
  readonly onDidChange?: vscode.Event<void>;
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

export async function workspaceTimelineTasks(modules: ModuleSource, o: { dialect: CronDialect; crontabZone: string }): Promise<{ tasks: TimelineTask[]; uris: Map<string, vscode.Uri> }> {
  if (modules.moduleFiles.length === 0) await modules.scan();
  const tasks: TimelineTask[] = [];
  const uris = new Map<string, vscode.Uri>();
  const defs = [...modules.moduleFiles].sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  for (const uri of defs) {
    const text = await readText(uri);
    if (text === undefined) continue;
    const def = parseModuleDefinition(text, { file: uri.fsPath, moduleName: moduleNameFromPath(uri.fsPath) });
    for (const t of tasksFromModuleDefinition(def, { dialect: o.dialect }).tasks) {
      tasks.push(t);
      uris.set(t.id, uri);
    }
  }
  const crontabs = (await vscode.workspace.findFiles(CRONTAB_GLOB, EXCLUDE_GLOB, 200)).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  for (const uri of crontabs) {
    const text = await readText(uri);
    if (text === undefined) continue;
    const base = uri.path.split("/").pop();
    for (const t of tasksFromCrontab(text, uri.fsPath, { system: base === "crontab.system", zone: o.crontabZone })) {
      tasks.push(t);
      uris.set(t.id, uri);
    }
  }
  return { tasks, uris };
}
