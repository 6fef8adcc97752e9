import { existsSync } from "node:fs";
import * as vscode from "vscode";
import { DocumentDiagnosticRequest, LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { SECTION } from "./config";
import { RED_HAT_XML, XmlCoexistence } from "./xml-coexistence";

export const CLIENT_ID = "modtasks";
/**
 * Node flags of the language server process. Semi-spaces of at most 8 MB (V8 otherwise sizes the
 * young generation from the machine's memory) keep an idle server at about 80 MB of RSS instead
 * of 133 MB, as measured for the server; it allocates short-lived parse results, so the extra
 * scavenges cost little.
 */
export const SERVER_EXEC_ARGV = ["--max-semi-space-size=8"];

/**
 * Starts the bundled language server (dist/server/server.js, the same code as `modtasks lsp
 * --stdio`) for moduledefinition.xml, module crontab files and the TS/JS code that schedules
 * tasks. It runs in Restricted Mode too: it reads files and executes nothing from the workspace.
 *
 * Living beside Red Hat's XML extension (LemMinX): modtasks does not associate its XSD with
 * moduledefinition.xml (no `xml.fileAssociations` contribution), so LemMinX has no schema for the
 * file and gives no element hovers or schema diagnostics of its own; all servicemanager
 * semantics (hovers, completion, checks) come from modtasks. LemMinX still reports XML
 * well-formedness errors, so when it is active the client drops its own `xml-syntax`
 * diagnostics: each problem is reported once (xml-coexistence.ts). Red Hat's extension may be
 * activated (it activates on XML files, like us), installed or disabled after our diagnostics
 * arrived: then pushed reports are filtered again and pulled ones requested again.
 */
export function createLanguageClient(context: vscode.ExtensionContext, log: vscode.OutputChannel): LanguageClient | undefined {
  const serverModule = context.asAbsolutePath("dist/server/server.js");
  if (!existsSync(serverModule)) {
    log.appendLine(`language server not found at ${serverModule} (not built?): no diagnostics or hovers`);
    return undefined;
  }
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.stdio, args: ["--stdio"], options: { execArgv: SERVER_EXEC_ARGV } },
    debug: { module: serverModule, transport: TransportKind.stdio, args: ["--stdio"], options: { execArgv: [...SERVER_EXEC_ARGV, "--nolazy", "--inspect=6019"] } },
  };
  const selector: LanguageClientOptions["documentSelector"] = [
    { scheme: "file", language: "xml", pattern: "**/moduledefinition.xml" },
    { scheme: "file", language: "modtasks-crontab" },
    ...["typescript", "javascript", "typescriptreact", "javascriptreact"].map((language) => ({ scheme: "file", language })),
  ];
  const coexistence = new XmlCoexistence<vscode.Uri, vscode.Diagnostic>(redHatXmlActive);
  /** The client's own handler for pushed diagnostics (from the middleware), to show re-filtered reports. */
  let showPushed: ((uri: vscode.Uri, diagnostics: vscode.Diagnostic[]) => void) | undefined;
  const clientOptions: LanguageClientOptions = {
    documentSelector: selector,
    synchronize: {
      configurationSection: SECTION,
      // Task files, scripts and crontabs: the server re-checks declarations that point at them.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.ts,*.mts,*.cts,*.js,*.mjs,*.cjs,*.whlib,moduledefinition.xml,crontab,crontab.system}"),
    },
    outputChannel: log,
    // Hovers link to the timeline (a command link); only that command may run from server markdown.
    markdown: { isTrusted: { enabledCommands: ["modtasks.showTimeline"] } },
    middleware: {
      handleDiagnostics: (uri, diagnostics, next) => {
        showPushed = next;
        next(uri, coexistence.push(uri, diagnostics));
      },
      // Workspace reports (files not open) stay whole: LemMinX checks open files only.
      provideDiagnostics: async (doc, previousResultId, token, next) => {
        const report = await next(doc, previousResultId, token);
        if (report && report.kind === "full") return { ...report, items: coexistence.filter(report.items) };
        return report;
      },
    },
  };
  const client = new LanguageClient(CLIENT_ID, "modtasks Language Server", serverOptions, clientOptions);
  const recheck = () => {
    const { changed, republish } = coexistence.recheck();
    if (!changed) return;
    log.appendLine(`${RED_HAT_XML} is ${coexistence.redHatActive ? "active: its XML syntax errors replace ours" : "not active: modtasks reports XML syntax errors"}`);
    for (const r of republish) showPushed?.(r.uri, r.diagnostics);
    pullAgain(client);
  };
  context.subscriptions.push(
    // Installed, uninstalled, enabled or disabled.
    vscode.extensions.onDidChange(recheck),
    // Activated: no event says so, but an active LemMinX publishes diagnostics, so look then
    // (cheap: one lookup, and only while the extension is installed).
    vscode.languages.onDidChangeDiagnostics(() => {
      if (vscode.extensions.getExtension(RED_HAT_XML) || coexistence.redHatActive) recheck();
    }),
  );
  return client;
}

/** Asks the server again for the open documents' pulled diagnostics (they pass the filter anew). */
function pullAgain(client: LanguageClient): void {
  if (!client.isRunning()) return;
  const feature = client.getFeature(DocumentDiagnosticRequest.method);
  const providers = new Set<{ onDidChangeDiagnosticsEmitter: vscode.EventEmitter<void> }>();
  for (const doc of vscode.workspace.textDocuments) {
    const p = feature?.getProvider(doc);
    if (p) providers.add(p);
  }
  // Firing a provider's change event re-pulls every open document it serves.
  for (const p of providers) p.onDidChangeDiagnosticsEmitter.fire();
}

function redHatXmlActive(): boolean {
  return vscode.extensions.getExtension(RED_HAT_XML)?.isActive ?? false;
}
