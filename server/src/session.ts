/**
 * The server's state between requests: settings, the maintenance offset, open documents, the
 * workspace index, the file cache, and what the client can do. It decides what to re-check
 * after a change (the edited document; definitions and crontabs when a file they read changed;
 * code files when declarations changed) and how to deliver it (push, or a pull refresh).
 * It knows the connection only through the small `Outbox` interface, so it is testable alone.
 */
import type { ClientCapabilities, Diagnostic, InitializeParams } from "vscode-languageserver";
import { resolveMaintenanceOffset, type MaintenanceOffset, type Zone } from "../../runtime/src/cron/index";
import { crontabZone, type AnalysisEnv, type AnalyzedDoc } from "./analysis/analyze";
import { DocumentStore } from "./documents";
import type { ClientSupport, FeatureContext } from "./features/context";
import { documentDiagnostics } from "./features/diagnostics";
import { dependencyScope, ModuleFiles } from "./module-files";
import { sep } from "node:path";
import { pathToUri, uriToPath } from "./paths";
import { analysisKey, DEFAULT_SETTINGS, type Settings } from "./settings";
import { collectWhenIdle } from "./idle-gc";
import { WorkspaceIndex } from "./workspace-index";

/** What the session sends to the client. */
export interface Outbox {
  publish(uri: string, version: number | undefined, diagnostics: Diagnostic[]): void;
  /** Ask the client to pull diagnostics again (pull mode). */
  refreshDiagnostics(): void;
  /** Ask the client to re-request CodeLenses and inlay hints. */
  refreshLenses(): void;
  log(message: string): void;
}

/** VS Code and its forks (code-server, VSCodium, Cursor, …), by the name vscode-languageclient sends. */
const VSCODE_FAMILY = /code|codium|cursor|windsurf/i;

export function clientSupport(c: ClientCapabilities, clientInfo?: InitializeParams["clientInfo"]): ClientSupport {
  const td = c.textDocument;
  const markdown = td?.hover?.contentFormat ? td.hover.contentFormat.includes("markdown") : true;
  return {
    snippets: td?.completion?.completionItem?.snippetSupport === true,
    markdown,
    createFiles: c.workspace?.workspaceEdit?.documentChanges === true && (c.workspace.workspaceEdit.resourceOperations ?? []).includes("create"),
    labelDetails: td?.completion?.completionItem?.labelDetailsSupport === true,
    commandLinks: markdown && VSCODE_FAMILY.test(clientInfo?.name ?? ""),
  };
}

/**
 * The clock. `MODTASKS_LSP_NOW` (ISO 8601 or epoch ms) pins it, so protocol tests can assert
 * exact next-run times; unset (always, in real use) it is the system clock.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): () => number {
  const raw = env.MODTASKS_LSP_NOW;
  if (!raw) return () => Date.now();
  const fixed = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  return Number.isFinite(fixed) ? () => fixed : () => Date.now();
}

export class Session {
  readonly now = clockFromEnv();
  settings: Settings = DEFAULT_SETTINGS;
  readonly fs = new ModuleFiles();
  readonly index = new WorkspaceIndex();
  readonly store: DocumentStore;
  client: ClientSupport = { snippets: false, markdown: true, createFiles: false, labelDetails: false, commandLinks: false };
  /** The client pulls diagnostics (`textDocument/diagnostic`); otherwise the server pushes them. */
  pull = false;
  hierarchicalSymbols = true;
  private maintenanceCache: { key: string; value: MaintenanceOffset } | undefined;
  private zoneCache: { key: string; value: Zone } | undefined;
  private settingsEpoch = 0;
  /** Diagnostics last pushed per document, to clear them on close. */
  private readonly pushed = new Set<string>();

  constructor(private readonly out: Outbox) {
    this.store = new DocumentStore({
      fs: this.fs,
      index: this.index,
      env: () => this.env(),
      settingsKey: () => `${analysisKey(this.settings)}|${this.settingsEpoch}`,
      debounceMs: () => this.settings.diagnostics.debounceMs,
      onSettled: (uri) => this.settled(uri),
    });
  }

  get maintenance(): MaintenanceOffset {
    const key = String(this.settings.maintenanceOffset ?? "");
    if (!this.maintenanceCache || this.maintenanceCache.key !== key) {
      // Created and stored once per installation when missing, so the editor's previews and the runtime agree.
      const value = resolveMaintenanceOffset(this.settings.maintenanceOffset !== undefined ? { override: this.settings.maintenanceOffset } : {});
      this.maintenanceCache = { key, value };
    }
    return this.maintenanceCache.value;
  }

  get crontabZone(): Zone {
    const key = this.settings.crontabTimeZone;
    if (!this.zoneCache || this.zoneCache.key !== key) this.zoneCache = { key, value: crontabZone(key) };
    return this.zoneCache.value;
  }

  env(): AnalysisEnv {
    return { dialect: this.settings.cronDialect, maintenance: this.maintenance, crontabZone: this.crontabZone, fs: this.fs, lookup: this.index, services: this.index, now: this.now() };
  }

  uriOf = (path: string): string => this.store.uriOfPath(path) ?? pathToUri(path);

  /** Everything a feature needs for one document (its analysis brought up to date). */
  context(uri: string): FeatureContext | undefined {
    const doc = this.store.analysis(uri);
    if (!doc) return undefined;
    return this.contextFor(doc);
  }

  contextFor(doc: AnalyzedDoc): FeatureContext {
    return {
      doc,
      settings: this.settings,
      maintenance: this.maintenance,
      crontabZone: this.crontabZone,
      index: this.index,
      fs: this.fs,
      now: this.now(),
      uriOf: this.uriOf,
      client: this.client,
    };
  }

  diagnostics(uri: string): { doc: AnalyzedDoc; items: Diagnostic[] } | undefined {
    const doc = this.store.analysis(uri);
    if (!doc) return undefined;
    return { doc, items: documentDiagnostics(doc, this.settings.diagnostics.disabled) };
  }

  private publish(uri: string): void {
    const r = this.diagnostics(uri);
    if (!r) return;
    if (r.doc.kind === "other" && !this.pushed.has(uri)) return;
    this.pushed.add(uri);
    this.out.publish(uri, r.doc.version, r.items);
  }

  /**
   * Whether the client reports file changes (watched files registered). Without it the file
   * cache is re-validated against the disk instead: whenever a document settles, and by a timer
   * as cached entries expire (`pollFiles`), so a target created on disk clears its error in
   * Neovim and other clients without file watchers too.
   */
  watching = false;
  private pollTimer: NodeJS.Timeout | undefined;

  /** Starts (or stops) re-validating cached files as they expire, for clients that do not watch files. */
  pollFiles(enabled: boolean): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    if (!enabled || this.fs.ttlMs === Infinity) return;
    this.pollTimer = setInterval(() => {
      // Only while something open reads other files; the disk is not polled for nothing.
      if (!this.store.uris().some((u) => this.store.kind(u) === "moduledefinition" || this.store.kind(u) === "crontab")) return;
      this.revalidateFiles(this.fs.ttlMs);
    }, this.fs.ttlMs);
    this.pollTimer.unref();
  }

  /** Re-reads expired cached files; re-checks what depends on those that changed. */
  private revalidateFiles(minAgeMs: number): void {
    const decl = this.index.declarationGeneration;
    const gen = this.fs.generation;
    if (this.fs.revalidate(minAgeMs)) this.afterChange(undefined, decl, gen);
  }

  /** A document's debounce elapsed: check it, then whatever depends on it. */
  private settled(uri: string): void {
    // Another document changed: without file events, this is when files changed on disk are noticed.
    if (!this.watching) this.revalidateFiles(0);
    const decl = this.index.declarationGeneration;
    const gen = this.fs.generation;
    const doc = this.store.analysis(uri);
    if (!this.pull) this.publish(uri);
    this.afterChange(uri, decl, gen);
    if (doc && doc.text.length > 100_000) collectWhenIdle();
  }

  /**
   * After something changed: definitions and crontabs re-read files (fs generation moved), code
   * files re-check their calls (declarations moved). `except` was handled by the caller.
   */
  afterChange(except: string | undefined, declBefore: number, genBefore: number): void {
    const kind = except ? this.store.kind(except) : undefined;
    const editedFile = kind !== undefined && kind !== "moduledefinition" && kind !== "crontab" ? uriToPath(except!) : undefined;
    const fsMoved = this.fs.generation !== genBefore || editedFile !== undefined;
    const declMoved = this.index.declarationGeneration !== declBefore;
    if (!fsMoved && !declMoved) return;
    const dependents = this.store.uris().filter((u) => {
      if (u === except) return false;
      const k = this.store.kind(u);
      if (k === "code") return declMoved;
      if (k !== "moduledefinition" && k !== "crontab") return false;
      if (!fsMoved) return false;
      // An edited buffer concerns only the definitions and crontabs that may read it.
      return editedFile === undefined || this.mayRead(u, editedFile);
    });
    if (this.pull) {
      if (dependents.length > 0 || declMoved) this.out.refreshDiagnostics();
    } else for (const u of dependents) this.publish(u);
    if (declMoved) this.out.refreshLenses();
  }

  /** Whether the open definition or crontab `uri` may read `file`. */
  private mayRead(uri: string, file: string): boolean {
    const own = uriToPath(uri);
    return own === undefined || file.startsWith(dependencyScope(own) + sep);
  }

  /** A document closed: its file on disk counts again (unsaved edits are gone), for the index and for dependents. */
  close(uri: string): void {
    const decl = this.index.declarationGeneration;
    const gen = this.fs.generation;
    const path = this.store.close(uri);
    if (this.pushed.delete(uri) && !this.pull) this.out.publish(uri, undefined, []);
    if (path !== undefined) void this.index.refreshFromDisk(path, false).then(() => this.afterChange(undefined, decl, gen));
  }

  /** New settings: every analysis is stale. */
  applySettings(s: Settings): void {
    this.settings = s;
    this.settingsEpoch++;
    this.maintenanceCache = undefined;
    this.zoneCache = undefined;
    this.recheckAll();
  }

  /** Re-check every open document (settings changed, a scan finished, files changed on disk). */
  recheckAll(): void {
    if (this.pull) this.out.refreshDiagnostics();
    else for (const u of this.store.uris()) this.publish(u);
    this.out.refreshLenses();
  }

  /** Files changed on disk (watched-file events). */
  async filesChanged(changes: { path: string; deleted: boolean }[]): Promise<void> {
    const decl = this.index.declarationGeneration;
    const gen = this.fs.generation;
    for (const c of changes) {
      this.fs.invalidate(c.path);
      await this.index.refreshFromDisk(c.path, c.deleted);
    }
    this.afterChange(undefined, decl, gen);
  }

  async scanWorkspace(roots: string[]): Promise<void> {
    const started = Date.now();
    const decl = this.index.declarationGeneration;
    await this.index.scan(roots);
    let modules = 0;
    for (const _ of this.index.moduleEntries()) modules++;
    this.out.log(`modtasks: indexed ${modules} module definition(s) in ${Date.now() - started} ms`);
    collectWhenIdle();
    if (this.index.declarationGeneration !== decl) this.afterChange(undefined, decl, this.fs.generation);
  }
}
