/**
 * LSP wiring: one handler per request or notification, each a few lines that hand over to the
 * session (state) or to a feature (pure logic in features/). Nothing here computes a result.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  FileChangeType,
  LSPErrorCodes,
  MessageType,
  ResponseError,
  ShowMessageNotification,
  TextDocumentSyncKind,
  type CancellationToken,
  type ClientCapabilities,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceDocumentDiagnosticReport,
} from "vscode-languageserver";
import { codeActions } from "./features/code-actions";
import { codeLenses, timelineArgs } from "./features/code-lens";
import { completion, resolveCompletion } from "./features/completion";
import type { FeatureContext } from "./features/context";
import { definition } from "./features/definition";
import { documentDiagnostics } from "./features/diagnostics";
import { documentLinks } from "./features/document-links";
import { documentSymbols } from "./features/document-symbols";
import { foldingRanges } from "./features/folding";
import { hover } from "./features/hover";
import { inlayHints } from "./features/inlay-hints";
import { references } from "./features/references";
import { workspaceSymbols } from "./features/workspace-symbols";
import { splitTaskName } from "./analysis/check-calls";
import { scheduleView } from "./analysis/schedule-preview";
import { analyzeDocument } from "./analysis/analyze";
import { dependencyScope } from "./module-files";
import { fileKind, uriToPath, WATCH_GLOBS } from "./paths";
import { REQUESTS, SERVER_COMMANDS, SETTINGS_SECTION, type ExplainArgs, type NextRunsParams, type NextRunsResult } from "./protocol";
import { clientSupport, Session } from "./session";
import { readSettings } from "./settings";

declare const MODTASKS_VERSION: string | undefined;
const VERSION = typeof MODTASKS_VERSION === "string" ? MODTASKS_VERSION : "dev";

export function startServer(connection: Connection): Session {
  let caps: ClientCapabilities = {};
  let roots: string[] = [];
  let initOptions: unknown;
  const session = new Session({
    publish: (uri, version, diagnostics) => void connection.sendDiagnostics(version === undefined ? { uri, diagnostics } : { uri, version, diagnostics }),
    refreshDiagnostics: () => {
      if (caps.workspace?.diagnostics?.refreshSupport) connection.languages.diagnostics.refresh();
    },
    refreshLenses: () => {
      if (caps.workspace?.codeLens?.refreshSupport) void connection.sendRequest("workspace/codeLens/refresh").catch(() => {});
      if (caps.workspace?.inlayHint?.refreshSupport) void connection.sendRequest("workspace/inlayHint/refresh").catch(() => {});
    },
    log: (m) => connection.console.log(m),
  });

  /** Runs a feature on an open document; any failure is logged and answered with `fallback`, never a crash. */
  const withContext = <T>(uri: string, token: CancellationToken | undefined, fallback: T, f: (ctx: FeatureContext) => T): T => {
    if (token?.isCancellationRequested) return fallback;
    try {
      const ctx = session.context(uri);
      return ctx ? f(ctx) : fallback;
    } catch (e) {
      connection.console.error(`modtasks: ${(e as Error).stack ?? e}`);
      return fallback;
    }
  };

  const loadSettings = async (): Promise<void> => {
    let s = readSettings(initOptions);
    if (caps.workspace?.configuration) {
      try {
        const [section] = (await connection.workspace.getConfiguration([{ section: SETTINGS_SECTION }])) as unknown[];
        s = readSettings(section, s);
      } catch {
        // keep the initialization options
      }
    }
    session.applySettings(s);
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    caps = params.capabilities;
    initOptions = params.initializationOptions;
    session.client = clientSupport(caps, params.clientInfo);
    session.pull = caps.textDocument?.diagnostic !== undefined;
    session.hierarchicalSymbols = caps.textDocument?.documentSymbol?.hierarchicalDocumentSymbolSupport === true;
    session.settings = readSettings(initOptions);
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    roots = folders.map(uriToPath).filter((p): p is string => p !== undefined);
    if (roots.length === 0 && params.rootPath) roots = [params.rootPath];
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ["<", " ", '"', "'", "/", "#", ":"], resolveProvider: true },
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        codeLensProvider: { resolveProvider: false },
        // Only the server's own commands: runTask and showTimeline are the client's (protocol.ts).
        executeCommandProvider: { commands: Object.values(SERVER_COMMANDS) },
        documentLinkProvider: { resolveProvider: false },
        foldingRangeProvider: true,
        inlayHintProvider: true,
        diagnosticProvider: { identifier: "modtasks", interFileDependencies: true, workspaceDiagnostics: true },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: "modtasks", version: VERSION },
    };
  });

  connection.onInitialized(() => {
    connection.console.log(`modtasks language server ${VERSION} (pid ${process.pid})`);
    if (caps.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
      // The cache may keep entries forever: the client tells us about every change.
      session.fs.ttlMs = Infinity;
      session.watching = true;
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: WATCH_GLOBS.map((globPattern) => ({ globPattern })) }).catch(() => {
        session.fs.ttlMs = 3000;
        session.watching = false;
        session.pollFiles(true);
      });
    } else session.pollFiles(true);
    if (caps.workspace?.didChangeConfiguration?.dynamicRegistration) void connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION }).catch(() => {});
    void loadSettings().then(() => session.scanWorkspace(roots));
    if (caps.workspace?.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        const added = e.added.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
        if (added.length) void session.scanWorkspace(added);
      });
    }
  });

  connection.onDidChangeConfiguration((params) => {
    if (caps.workspace?.configuration) void loadSettings();
    else session.applySettings(readSettings(params.settings, readSettings(initOptions)));
  });

  connection.onDidOpenTextDocument((p) => session.store.open(p.textDocument.uri, p.textDocument.version, p.textDocument.text, p.textDocument.languageId));
  connection.onDidChangeTextDocument((p) => session.store.change(p.textDocument.uri, p.textDocument.version, p.contentChanges));
  connection.onDidCloseTextDocument((p) => session.close(p.textDocument.uri));
  connection.onDidChangeWatchedFiles((p) => {
    const changes = p.changes.flatMap((c) => {
      const path = uriToPath(c.uri);
      return path ? [{ path, deleted: c.type === FileChangeType.Deleted }] : [];
    });
    void session.filesChanged(changes);
  });

  connection.languages.diagnostics.on(async (params, token) => {
    const uri = params.textDocument.uri;
    if (!session.store.has(uri)) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    // Respect the debounce: answer once the burst of edits is over, unless the client gives up first.
    if (session.store.isPending(uri)) await Promise.race([session.store.settled(uri), new Promise<void>((r) => token.onCancellationRequested(() => r()))]);
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.ServerCancelled, "cancelled", { retriggerRequest: true });
    const r = session.diagnostics(uri);
    return { kind: DocumentDiagnosticReportKind.Full, items: r?.items ?? [] };
  });

  connection.languages.diagnostics.onWorkspace(async (params, token) => {
    await session.index.scanned;
    const previous = new Map(params.previousResultIds.map((p) => [p.uri, p.value]));
    const items: WorkspaceDocumentDiagnosticReport[] = [];
    const code = new Set([...session.index.callSites()].map(([f]) => f).concat([...session.index.serviceFiles()]));
    const files = [...session.index.moduleEntries()].map((m) => m.file).concat([...session.index.crontabs], [...code]);
    for (const file of files) {
      if (token.isCancellationRequested) break;
      const uri = session.uriOf(file);
      if (session.store.has(uri)) continue; // open documents are pulled one by one
      const text = session.fs.readText(file);
      if (text === undefined) continue;
      // What the report depends on besides the text: other files (definitions, crontabs) or the declarations (code).
      const kind = fileKind(file);
      const deps = kind === "code" ? `d${session.index.declarationGeneration}` : `f${session.fs.generationUnder(dependencyScope(file))}`;
      const resultId = `${hashText(text)}:${text.length}:${deps}:${JSON.stringify(session.settings)}`;
      if (previous.get(uri) === resultId) {
        items.push({ kind: DocumentDiagnosticReportKind.Unchanged, uri, version: null, resultId });
        continue;
      }
      const doc = analyzeDocument({ uri, path: file, version: 0, text, kind }, session.env());
      items.push({ kind: DocumentDiagnosticReportKind.Full, uri, version: null, resultId, items: documentDiagnostics(doc, session.settings.diagnostics.disabled) });
    }
    return { items };
  });

  connection.onHover((p, token) => withContext(p.textDocument.uri, token, null, (ctx) => hover(ctx, p.position)));
  connection.onCompletion((p, token) =>
    withContext(p.textDocument.uri, token, null, (ctx) => completion(ctx, p.position, p.context?.triggerKind === 2 ? p.context.triggerCharacter : undefined)),
  );
  connection.onCompletionResolve((item) => resolveCompletion({ now: session.now() }, item));
  connection.onDefinition((p, token) => withContext(p.textDocument.uri, token, null, (ctx) => definition(ctx, p.position)));
  connection.onReferences((p, token) => withContext(p.textDocument.uri, token, null, (ctx) => references(ctx, p.position, p.context.includeDeclaration)));
  connection.onDocumentSymbol((p, token) => withContext(p.textDocument.uri, token, [], (ctx) => documentSymbols(ctx, session.hierarchicalSymbols)));
  connection.onWorkspaceSymbol(async (p, token) => {
    await session.index.scanned;
    return token.isCancellationRequested ? [] : workspaceSymbols(session, p.query);
  });
  connection.onCodeAction((p, token) => withContext(p.textDocument.uri, token, [], (ctx) => codeActions(ctx, p.range, p.context)));
  connection.onCodeLens((p, token) => withContext(p.textDocument.uri, token, [], (ctx) => codeLenses(ctx)));
  connection.onDocumentLinks((p, token) => withContext(p.textDocument.uri, token, [], (ctx) => documentLinks(ctx)));
  connection.onFoldingRanges((p, token) => withContext(p.textDocument.uri, token, [], (ctx) => foldingRanges(ctx)));
  connection.languages.inlayHint.on((p, token) => withContext(p.textDocument.uri, token, [], (ctx) => inlayHints(ctx, p.range)));

  connection.onExecuteCommand((p) => {
    if (p.command !== SERVER_COMMANDS.explain) throw new ResponseError(-32602, `unknown command '${p.command}'`);
    const message = (p.arguments?.[0] as ExplainArgs | undefined)?.message;
    // A notification, not window.showInformationMessage (a showMessageRequest that waits for an answer).
    if (typeof message === "string" && message !== "") void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message });
    return null;
  });

  connection.onRequest(REQUESTS.nextRuns, (p: NextRunsParams): NextRunsResult | null => {
    const parts = splitTaskName(p.name ?? "");
    const found = parts && session.index.findDeclaration(parts.module, parts.name, "scheduled");
    if (!found) return null;
    const d = found.decl;
    const view = scheduleView(d.runat ?? "", d.runtz ?? "", session.settings.cronDialect, session.maintenance.offsetMinutes);
    const count = Math.max(1, Math.min(1000, p.count ?? session.settings.previewRuns));
    const args = timelineArgs({ now: p.after ?? session.now(), settings: { ...session.settings, previewRuns: count } }, view, d.fullName, session.uriOf(found.entry.file), d.nameRange);
    if (!args) return null;
    return { name: args.name, uri: args.uri, runat: args.runat, runtz: args.runtz, zone: args.zone, description: args.description, runs: args.runs, runsInZone: args.runsInZone };
  });

  connection.listen();
  return session;
}

/** FNV-1a over the text: a cheap fingerprint for workspace diagnostic result ids. */
function hashText(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}
