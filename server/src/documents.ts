/**
 * Open documents: their text (kept current from incremental didChange events), their analysis
 * (computed on demand and cached per version and per everything else it depends on), and a
 * debounce per document so a burst of keystrokes costs one re-check.
 */
import { TextDocument, type TextDocumentContentChangeEvent } from "vscode-languageserver-textdocument";
import { analyzeDocument, type AnalysisEnv, type AnalyzedDoc } from "./analysis/analyze";
import { dependencyScope, type ModuleFiles } from "./module-files";
import { fileKind, uriToPath, type FileKind } from "./paths";
import type { WorkspaceIndex } from "./workspace-index";

interface OpenDoc {
  doc: TextDocument;
  path?: string;
  kind: FileKind;
}

export interface StoreDeps {
  fs: ModuleFiles;
  index: WorkspaceIndex;
  /** The analysis environment as of now (settings, maintenance offset, zones). */
  env(): AnalysisEnv;
  /** Changes whenever a setting that affects analyses changes. */
  settingsKey(): string;
  debounceMs(): number;
  /** Called when a document's debounce has elapsed (publish, refresh dependents). */
  onSettled(uri: string): void;
}

export class DocumentStore {
  private readonly docs = new Map<string, OpenDoc>();
  private readonly cache = new Map<string, { key: string; result: AnalyzedDoc }>();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; waiters: (() => void)[] }>();

  constructor(private readonly deps: StoreDeps) {}

  open(uri: string, version: number, text: string, languageId = "plaintext"): void {
    const path = uriToPath(uri);
    const doc = TextDocument.create(uri, languageId, version, text);
    const entry: OpenDoc = { doc, kind: fileKind(path ?? uri) };
    if (path !== undefined) entry.path = path;
    this.docs.set(uri, entry);
    this.afterEdit(entry);
    this.scheduleCheck(uri, 0);
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): void {
    const entry = this.docs.get(uri);
    if (!entry) return;
    entry.doc = TextDocument.update(entry.doc, changes, version);
    this.afterEdit(entry);
    this.scheduleCheck(uri, this.deps.debounceMs());
  }

  /** Forgets a document; returns its path (the caller re-reads the file from disk). */
  close(uri: string): string | undefined {
    const entry = this.docs.get(uri);
    if (!entry) return undefined;
    this.docs.delete(uri);
    this.cache.delete(uri);
    const t = this.timers.get(uri);
    if (t) {
      clearTimeout(t.timer);
      this.timers.delete(uri);
      for (const w of t.waiters) w();
    }
    if (entry.path !== undefined) {
      this.deps.fs.setOverlay(entry.path, undefined);
      this.deps.index.setOpen(entry.path, false);
    }
    return entry.path;
  }

  private afterEdit(entry: OpenDoc): void {
    if (entry.path === undefined) return;
    const text = entry.doc.getText();
    this.deps.fs.setOverlay(entry.path, text);
    this.deps.index.setOpen(entry.path, true);
    // Definitions, code files and modtasks.json are indexed when their (debounced) analysis runs.
    if (entry.kind === "crontab") this.deps.index.crontabs.add(entry.path);
  }

  private scheduleCheck(uri: string, delay: number): void {
    const old = this.timers.get(uri);
    if (old) clearTimeout(old.timer);
    const waiters = old?.waiters ?? [];
    const timer = setTimeout(() => {
      const t = this.timers.get(uri);
      this.timers.delete(uri);
      if (!this.docs.has(uri)) return;
      try {
        this.deps.onSettled(uri);
      } finally {
        for (const w of t?.waiters ?? []) w();
      }
    }, delay);
    this.timers.set(uri, { timer, waiters });
  }

  /** Resolves once the document's pending debounce (if any) has elapsed. */
  settled(uri: string): Promise<void> {
    const t = this.timers.get(uri);
    if (!t) return Promise.resolve();
    return new Promise((resolve) => t.waiters.push(resolve));
  }

  isPending(uri: string): boolean {
    return this.timers.has(uri);
  }

  uris(): string[] {
    return [...this.docs.keys()];
  }

  has(uri: string): boolean {
    return this.docs.has(uri);
  }

  textDocument(uri: string): TextDocument | undefined {
    return this.docs.get(uri)?.doc;
  }

  kind(uri: string): FileKind | undefined {
    return this.docs.get(uri)?.kind;
  }

  uriOfPath(path: string): string | undefined {
    for (const [uri, e] of this.docs) if (e.path === path) return uri;
    return undefined;
  }

  /** What the cached analysis of a kind of document depends on besides its text. */
  private keyFor(entry: OpenDoc): string {
    const v = entry.doc.version;
    switch (entry.kind) {
      case "moduledefinition":
      case "crontab": {
        const gen = entry.path !== undefined ? this.deps.fs.generationUnder(dependencyScope(entry.path)) : this.deps.fs.generation;
        return `${v}|${this.deps.settingsKey()}|${gen}`;
      }
      case "code":
        return `${v}|${this.deps.index.declarationGeneration}`;
      default:
        return `${v}`;
    }
  }

  /** The document's analysis, computed now if the cached one is stale. */
  analysis(uri: string): AnalyzedDoc | undefined {
    const entry = this.docs.get(uri);
    if (!entry) return undefined;
    const key = this.keyFor(entry);
    const cached = this.cache.get(uri);
    if (cached && cached.key === key) return cached.result;
    const result = analyzeDocument(
      { uri, version: entry.doc.version, text: entry.doc.getText(), kind: entry.kind, ...(entry.path !== undefined ? { path: entry.path } : {}) },
      this.deps.env(),
    );
    // The key is taken before the analysis: an fs generation bumped meanwhile makes the next call re-check.
    this.cache.set(uri, { key, result });
    if (result.kind === "moduledefinition" && entry.path !== undefined) this.deps.index.setDefinition(entry.path, result.def, true);
    if (result.kind === "code" && entry.path !== undefined) this.deps.index.setCalls(entry.path, result.calls, result.services, result.lines);
    if (entry.kind === "serviceconfig" && entry.path !== undefined) this.deps.index.setServiceConfig(entry.path, result.text);
    return result;
  }

  /** The cached analysis whatever its staleness (for requests that only need positions of an old version). */
  cached(uri: string): AnalyzedDoc | undefined {
    return this.cache.get(uri)?.result;
  }
}
