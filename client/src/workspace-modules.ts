import * as vscode from "vscode";
import { maintenanceOffsetMinutes, readSettings } from "./config";
import { declaredTasksOf, sortDeclared, type DeclaredOptions, type DeclaredTask } from "./declared-tasks";

const MODULE_GLOB = "**/moduledefinition.xml";
const CRONTAB_GLOB = "**/{crontab,crontab.system}";
const EXCLUDE_GLOB = "**/{node_modules,.git,dist,.modtasks}/**";

/**
 * The modules of the workspace and the tasks they declare, kept current as files change (and
 * as unsaved edits are made). Sets the context keys `modtasks.hasModules` and
 * `modtasks.modulesScanned` for the welcome views, and `modtasks.hasCrontabs` (a workspace of
 * crontab files only still has a schedule to show on the timeline).
 */
export class ModuleIndex implements vscode.Disposable {
  private files: vscode.Uri[] = [];
  private crontabs = false;
  private scanned = false;
  private scanning: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(MODULE_GLOB);
    const crontabs = vscode.workspace.createFileSystemWatcher(CRONTAB_GLOB, false, true, false);
    const rescan = () => this.scheduleScan();
    this.disposables.push(
      watcher,
      crontabs,
      crontabs.onDidCreate(rescan),
      crontabs.onDidDelete(rescan),
      watcher.onDidCreate(rescan),
      watcher.onDidDelete(rescan),
      watcher.onDidChange(() => this.changed.fire()),
      vscode.workspace.onDidChangeWorkspaceFolders(rescan),
      this.changed,
    );
  }

  private scheduleScan(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.scan(), 200);
  }

  /** Finds the module files (once, then on changes). */
  scan(): Promise<void> {
    this.scanning ??= (async () => {
      try {
        this.files = await vscode.workspace.findFiles(MODULE_GLOB, EXCLUDE_GLOB, 500);
        this.crontabs = (await vscode.workspace.findFiles(CRONTAB_GLOB, EXCLUDE_GLOB, 1)).length > 0;
      } finally {
        this.scanned = true;
        this.scanning = undefined;
      }
      await vscode.commands.executeCommand("setContext", "modtasks.hasModules", this.files.length > 0);
      await vscode.commands.executeCommand("setContext", "modtasks.hasCrontabs", this.crontabs);
      await vscode.commands.executeCommand("setContext", "modtasks.modulesScanned", true);
      this.changed.fire();
    })();
    return this.scanning;
  }

  get moduleFiles(): readonly vscode.Uri[] {
    return this.files;
  }

  get hasModules(): boolean {
    return this.files.length > 0;
  }

  options(now = Date.now()): DeclaredOptions {
    const s = readSettings();
    return { dialect: s.cronDialect, maintenanceOffsetMinutes: maintenanceOffsetMinutes(s), now };
  }

  /** Every declared task, read from the open editor's text when a file has unsaved edits. */
  async declaredTasks(): Promise<DeclaredTask[]> {
    if (!this.scanned) await this.scan();
    const opts = this.options();
    const out: DeclaredTask[] = [];
    for (const uri of this.files) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      let text: string;
      try {
        text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch {
        continue;
      }
      out.push(...declaredTasksOf(text, uri.fsPath, opts));
    }
    return sortDeclared(out);
  }

  /** The declaration of `module:type` or `module:tag` (case-insensitive, as at run time). */
  async find(name: string, kind?: DeclaredTask["kind"]): Promise<DeclaredTask | undefined> {
    const lower = name.toLowerCase();
    return (await this.declaredTasks()).find((t) => t.name.toLowerCase() === lower && (!kind || t.kind === kind || (kind !== "scheduled" && t.kind !== "scheduled")));
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
