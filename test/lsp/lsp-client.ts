/**
 * A small typed LSP client for protocol tests (after Volar's test utilities): it forks the built
 * server bundle with `--stdio`, speaks real JSON-RPC to it, answers `workspace/configuration`
 * from a map, and waits on responses and notifications — never on timers.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import type {
  ClientCapabilities,
  CodeAction,
  CodeLens,
  CompletionItem,
  CompletionList,
  Diagnostic,
  DocumentDiagnosticReport,
  DocumentLink,
  DocumentSymbol,
  FoldingRange,
  Hover,
  InitializeResult,
  InlayHint,
  Location,
  MarkupContent,
  Position,
  PublishDiagnosticsParams,
  Range,
  SymbolInformation,
  TextDocumentContentChangeEvent,
  TextEdit,
  WorkspaceDiagnosticReport,
} from "vscode-languageserver-protocol";

export const repoRoot = join(__dirname, "..", "..");
export const serverBundle = join(repoRoot, "dist", "server", "server.js");
export const fixtures = join(repoRoot, "test", "fixtures", "lsp");
export { corpusRoot as corpus } from "../helpers/corpus";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** Builds dist/server/server.js when it is missing or older than its sources (one builder at a time). */
export function ensureBuilt(): void {
  const sources = Math.max(newestMtime(join(repoRoot, "server", "src")), ...["cron", "crontab", "definition", "services", "xml", "text"].map((d) => newestMtime(join(repoRoot, "runtime", "src", d))));
  const fresh = () => {
    try {
      return statSync(serverBundle).mtimeMs >= sources;
    } catch {
      return false;
    }
  };
  if (fresh()) return;
  const lock = join(tmpdir(), "modtasks-lsp-build.lock");
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    if (!fresh()) {
      const r = spawnSync(process.execPath, [join(repoRoot, "scripts", "build.mjs")], { cwd: repoRoot, encoding: "utf8" });
      if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function uriOf(path: string): string {
  return pathToFileURL(path).href;
}

/** The position of the `nth` occurrence of `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, delta = 0, nth = 0): Position {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`'${needle}' not found (occurrence ${nth})`);
  }
  return positionAt(text, i + delta);
}

export function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { line, character: offset - (before.lastIndexOf("\n") + 1) };
}

/** The range of the `nth` occurrence of `needle`. */
export function rangeOf(text: string, needle: string, nth = 0): Range {
  const start = positionOf(text, needle, 0, nth);
  return { start, end: positionOf(text, needle, needle.length, nth) };
}

/** The text a range covers. */
export function textAt(text: string, r: Range): string {
  const lines = text.split("\n");
  const off = (p: Position) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return text.slice(off(r.start), off(r.end));
}

/** A hover's Markdown (fails the test when there is no hover). */
export function hoverText(h: Hover | null): string {
  if (!h) throw new Error("expected a hover");
  return (h.contents as MarkupContent).value;
}

/** Applies text edits to a text (edits must not overlap). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split("\n");
  const off = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits].sort((a, b) => off(b.range.start) - off(a.range.start)).reduce((t, e) => t.slice(0, off(e.range.start)) + e.newText + t.slice(off(e.range.end)), text);
}

export interface StartOptions {
  /** Workspace folders (absolute paths). */
  folders?: string[];
  /** Answers to workspace/configuration (section "modtasks"); omit to not advertise the capability. */
  settings?: Record<string, unknown>;
  initializationOptions?: unknown;
  /** Advertise pull diagnostics (default true). */
  pull?: boolean;
  /** Extra/overriding client capabilities. */
  capabilities?: ClientCapabilities;
  env?: Record<string, string>;
  /** Node flags for the server process (e.g. --max-semi-space-size=8). */
  execArgv?: string[];
  /** The client's name and version, as `initialize` sends them (VS Code: "Visual Studio Code"). */
  clientInfo?: { name: string; version?: string };
  /**
   * The server command line after `node` (default: the bundle with `--stdio`); e.g. the CLI,
   * `[runtime/bin/modtasks.js, "lsp", "--stdio"]`, as Neovim and Helix users start it.
   */
  command?: string[];
}

export const FULL_CAPABILITIES = (pull: boolean, configuration: boolean): ClientCapabilities => ({
  workspace: {
    configuration,
    workspaceFolders: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
    workspaceEdit: { documentChanges: true, resourceOperations: ["create", "rename", "delete"] },
    codeLens: { refreshSupport: true },
    inlayHint: { refreshSupport: true },
    ...(pull ? { diagnostics: { refreshSupport: true } } : {}),
    symbol: {},
  },
  textDocument: {
    synchronization: { didSave: false },
    hover: { contentFormat: ["markdown", "plaintext"] },
    completion: { completionItem: { snippetSupport: true, labelDetailsSupport: true }, contextSupport: true },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix"] } }, isPreferredSupport: true },
    publishDiagnostics: { relatedInformation: true, tagSupport: { valueSet: [1, 2] }, versionSupport: true },
    ...(pull ? { diagnostic: { relatedDocumentSupport: false } } : {}),
    inlayHint: {},
    codeLens: {},
    foldingRange: {},
    documentLink: {},
  },
});

export class LspClient {
  readonly conn: MessageConnection;
  readonly proc: ChildProcess;
  readonly stateDir: string;
  private readonly texts = new Map<string, { text: string; version: number }>();
  private readonly published = new Map<string, PublishDiagnosticsParams[]>();
  private readonly waiters: { uri: string; pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  readonly logs: string[] = [];
  /** Messages the server showed to the user (window/showMessage). */
  readonly shownMessages: string[] = [];
  /** Messages the server logged as errors (a feature that threw). */
  readonly errorLogs: string[] = [];
  private readonly logListeners: (() => void)[] = [];
  private requestWaiters: { method: string; resolve: () => void }[] = [];
  readonly requestsFromServer: string[] = [];
  settings: Record<string, unknown> | undefined;
  initializeResult!: InitializeResult;
  private readonly registered: Promise<void>;
  private resolveRegistered: () => void = () => {};
  exited = false;
  stderr = "";

  private constructor(opts: StartOptions) {
    this.registered = new Promise<void>((r) => (this.resolveRegistered = r));
    this.stateDir = mkdtempSync(join(tmpdir(), "modtasks-lsp-state-"));
    this.proc = spawn(process.execPath, [...(opts.execArgv ?? []), ...(opts.command ?? [serverBundle, "--stdio"])], {
      env: { ...process.env, MODTASKS_STATE_DIR: this.stateDir, WEBHARE_MAINTENANCE_OFFSET: "83", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.proc.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.proc.on("exit", () => (this.exited = true));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.settings = opts.settings;
    this.conn.onRequest("workspace/configuration", (p: { items: { section?: string }[] }) => {
      this.requestsFromServer.push("workspace/configuration");
      return p.items.map((i) => (i.section === "modtasks" ? (this.settings ?? {}) : null));
    });
    this.conn.onRequest("client/registerCapability", () => {
      this.requestsFromServer.push("client/registerCapability");
      this.resolveRegistered();
      return null;
    });
    for (const m of ["workspace/diagnostic/refresh", "workspace/codeLens/refresh", "workspace/inlayHint/refresh", "window/workDoneProgress/create"]) {
      this.conn.onRequest(m, () => {
        this.requestsFromServer.push(m);
        for (const w of this.requestWaiters.filter((x) => x.method === m)) w.resolve();
        this.requestWaiters = this.requestWaiters.filter((x) => x.method !== m);
        return null;
      });
    }
    this.conn.onNotification("textDocument/publishDiagnostics", (p: PublishDiagnosticsParams) => {
      const list = this.published.get(p.uri) ?? [];
      list.push(p);
      this.published.set(p.uri, list);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i]!;
        if (w.uri === p.uri && w.pred(p)) {
          this.waiters.splice(i, 1);
          w.resolve(p);
        }
      }
    });
    this.conn.onNotification("window/showMessage", (p: { type: number; message: string }) => {
      this.shownMessages.push(p.message);
      for (const l of this.logListeners.splice(0)) l();
    });
    this.conn.onNotification("window/logMessage", (p: { type: number; message: string }) => {
      this.logs.push(p.message);
      if (p.type === 1) this.errorLogs.push(p.message);
      for (const l of this.logListeners.splice(0)) l();
    });
    this.conn.listen();
  }

  static async start(opts: StartOptions = {}): Promise<LspClient> {
    ensureBuilt();
    const c = new LspClient(opts);
    const pull = opts.pull ?? true;
    const caps = { ...FULL_CAPABILITIES(pull, opts.settings !== undefined), ...opts.capabilities };
    const folders = opts.folders ?? [];
    c.initializeResult = await c.conn.sendRequest("initialize", {
      processId: process.pid,
      rootUri: folders[0] ? uriOf(folders[0]) : null,
      workspaceFolders: folders.map((f) => ({ uri: uriOf(f), name: f })),
      capabilities: caps,
      initializationOptions: opts.initializationOptions,
      ...(opts.clientInfo ? { clientInfo: opts.clientInfo } : {}),
    });
    await c.conn.sendNotification("initialized", {});
    return c;
  }

  /** Resolves the next time the server sends this request (e.g. workspace/diagnostic/refresh). */
  nextServerRequest(method: string): Promise<void> {
    return new Promise((resolve) => this.requestWaiters.push({ method, resolve }));
  }

  /** Resolves once the server has registered its file watchers (dynamic registration). */
  watchersRegistered(): Promise<void> {
    return this.registered;
  }

  /** Resolves when a logMessage matching `re` arrives (e.g. the end of the workspace scan). */
  async waitForLog(re: RegExp): Promise<string> {
    for (;;) {
      const hit = this.logs.find((l) => re.test(l));
      if (hit) return hit;
      await new Promise<void>((resolve) => this.logListeners.push(resolve));
    }
  }

  /** Resolves when a window/showMessage matching `re` arrives. */
  async waitForShownMessage(re: RegExp): Promise<string> {
    for (;;) {
      const hit = this.shownMessages.find((m) => re.test(m));
      if (hit) return hit;
      await new Promise<void>((resolve) => this.logListeners.push(resolve));
    }
  }

  executeCommand(command: string, args: unknown[] = []): Promise<unknown> {
    return this.conn.sendRequest("workspace/executeCommand", { command, arguments: args });
  }

  text(uri: string): string {
    return this.texts.get(uri)!.text;
  }

  async open(path: string, text?: string, languageId?: string): Promise<string> {
    const uri = uriOf(path);
    const t = text ?? readFileSync(path, "utf8");
    this.texts.set(uri, { text: t, version: 1 });
    const lang = languageId ?? (path.endsWith(".xml") ? "xml" : /\.[cm]?tsx?$/.test(path) ? "typescript" : /\.[cm]?jsx?$/.test(path) ? "javascript" : "plaintext");
    await this.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: lang, version: 1, text: t } });
    return uri;
  }

  /** Applies incremental changes locally too, so `text(uri)` stays what the server has. Returns the new version. */
  async change(uri: string, changes: { range: Range; text: string }[]): Promise<number> {
    const cur = this.texts.get(uri)!;
    let text = cur.text;
    for (const ch of changes) {
      const lines = text.split("\n");
      const off = (p: Position) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + Math.min(p.character, lines[p.line]?.length ?? 0);
      text = text.slice(0, off(ch.range.start)) + ch.text + text.slice(off(ch.range.end));
    }
    const version = cur.version + 1;
    this.texts.set(uri, { text, version });
    await this.conn.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: changes as TextDocumentContentChangeEvent[] });
    return version;
  }

  /** Replaces the first occurrence of `find` with `replace` as an incremental change. */
  async replace(uri: string, find: string, replaceWith: string, nth = 0): Promise<number> {
    return this.change(uri, [{ range: rangeOf(this.text(uri), find, nth), text: replaceWith }]);
  }

  async close(uri: string): Promise<void> {
    this.texts.delete(uri);
    await this.conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
  }

  /** How many pushes `uri` has had so far: pass it to waitForDiagnostics to wait for newer ones only. */
  mark(uri: string): number {
    return this.published.get(uri)?.length ?? 0;
  }

  /** The first push for `uri` (from push number `since` on) that satisfies `pred`, waiting for it if needed. */
  waitForDiagnostics(uri: string, pred: (p: PublishDiagnosticsParams) => boolean = () => true, since = 0): Promise<PublishDiagnosticsParams> {
    const seen = this.published.get(uri)?.slice(since).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ uri, pred, resolve }));
  }

  /** Waits for the push of a given document version. */
  diagnosticsForVersion(uri: string, version: number): Promise<PublishDiagnosticsParams> {
    return this.waitForDiagnostics(uri, (p) => p.version === version);
  }

  async pullDiagnostics(uri: string): Promise<Diagnostic[]> {
    const r: DocumentDiagnosticReport = await this.conn.sendRequest("textDocument/diagnostic", { textDocument: { uri } });
    if (r.kind !== "full") throw new Error("expected a full report");
    return r.items;
  }

  workspaceDiagnostics(previousResultIds: { uri: string; value: string }[] = []): Promise<WorkspaceDiagnosticReport> {
    return this.conn.sendRequest("workspace/diagnostic", { previousResultIds });
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position });
  }

  completion(uri: string, position: Position, triggerCharacter?: string): Promise<CompletionList | CompletionItem[] | null> {
    const context = triggerCharacter ? { triggerKind: 2, triggerCharacter } : { triggerKind: 1 };
    return this.conn.sendRequest("textDocument/completion", { textDocument: { uri }, position, context });
  }

  resolveCompletion(item: CompletionItem): Promise<CompletionItem> {
    return this.conn.sendRequest("completionItem/resolve", item);
  }

  codeLens(uri: string): Promise<CodeLens[] | null> {
    return this.conn.sendRequest("textDocument/codeLens", { textDocument: { uri } });
  }

  inlayHints(uri: string, range: Range): Promise<InlayHint[] | null> {
    return this.conn.sendRequest("textDocument/inlayHint", { textDocument: { uri }, range });
  }

  definition(uri: string, position: Position): Promise<Location[] | null> {
    return this.conn.sendRequest("textDocument/definition", { textDocument: { uri }, position });
  }

  references(uri: string, position: Position, includeDeclaration = true): Promise<Location[] | null> {
    return this.conn.sendRequest("textDocument/references", { textDocument: { uri }, position, context: { includeDeclaration } });
  }

  documentSymbols(uri: string): Promise<DocumentSymbol[] | SymbolInformation[] | null> {
    return this.conn.sendRequest("textDocument/documentSymbol", { textDocument: { uri } });
  }

  workspaceSymbols(query: string): Promise<SymbolInformation[] | null> {
    return this.conn.sendRequest("workspace/symbol", { query });
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[] = []): Promise<CodeAction[] | null> {
    return this.conn.sendRequest("textDocument/codeAction", { textDocument: { uri }, range, context: { diagnostics } });
  }

  documentLinks(uri: string): Promise<DocumentLink[] | null> {
    return this.conn.sendRequest("textDocument/documentLink", { textDocument: { uri } });
  }

  foldingRanges(uri: string): Promise<FoldingRange[] | null> {
    return this.conn.sendRequest("textDocument/foldingRange", { textDocument: { uri } });
  }

  async changeSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.conn.sendNotification("workspace/didChangeConfiguration", { settings: { modtasks: settings } });
  }

  async fileChanged(path: string, type: 1 | 2 | 3): Promise<void> {
    await this.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: uriOf(path), type }] });
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      try {
        await this.conn.sendRequest("shutdown");
        await this.conn.sendNotification("exit");
      } catch {
        // already gone
      }
      if (!this.exited) await new Promise<void>((r) => {
        const t = setTimeout(() => {
          this.proc.kill();
          r();
        }, 2000);
        this.proc.once("exit", () => {
          clearTimeout(t);
          r();
        });
      });
    }
    this.conn.dispose();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
