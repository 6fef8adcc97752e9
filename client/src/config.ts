import * as vscode from "vscode";
import { resolveMaintenanceOffset, type CronDialect } from "../../runtime/src/cron";

/**
 * The `modtasks.*` settings the client itself uses (the language server reads the same section
 * through `workspace/configuration`; names match server/src/settings.ts).
 */
export interface ClientSettings {
  runtimePath: string;
  nodePath: string;
  database: string;
  workers: number | null;
  cronDialect: CronDialect;
  previewRuns: number;
  maintenanceOffset: number | null;
  crontabTimeZone: string;
}

export const SECTION = "modtasks";

export function readSettings(scope?: vscode.Uri): ClientSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const dialect = c.get<string>("cronDialect", "webhare");
  return {
    runtimePath: c.get<string>("runtime.path", ""),
    nodePath: c.get<string>("runtime.nodePath", "node"),
    database: c.get<string>("runtime.database", ""),
    workers: c.get<number | null>("runtime.workers", null),
    cronDialect: dialect === "prudence" || dialect === "extended" ? dialect : "webhare",
    previewRuns: c.get<number>("previewRuns", 5),
    maintenanceOffset: c.get<number | null>("maintenanceOffset", null),
    crontabTimeZone: c.get<string>("crontabTimeZone", ""),
  };
}

/** The maintenance zone's offset, resolved as the runtime and the language server do. */
export function maintenanceOffsetMinutes(s: ClientSettings): number {
  return resolveMaintenanceOffset(s.maintenanceOffset === null ? {} : { override: s.maintenanceOffset }).offsetMinutes;
}

/** The first workspace folder's path (the runtime's working folder), if any. */
export function primaryFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file")?.uri.fsPath;
}

export function folderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath);
}
