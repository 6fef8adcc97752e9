import { existsSync } from "node:fs";
import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { SECTION } from "./config";

export const CLIENT_ID = "modtasks";
/**
 * Node flags of the language server process. Semi-spaces of at most 8 MB (V8 otherwise sizes the
 * young generation from the machine's memory) keep an idle server at about 80 MB of RSS instead
 * of 133 MB, as measured for the server; it allocates short-lived parse results, so the extra
 * scavenges cost little.
 */
export const SERVER_EXEC_ARGV = ["--max-semi-space-size=8"];
const RED_HAT_XML = "redhat.vscode-xml";
/** Diagnostics Red Hat's XML extension reports as well; we drop ours when it is active. */
const REPORTED_BY_RED_HAT_XML = new Set(["xml-syntax"]);

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
 * diagnostics: each problem is reported once.
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
  const dropDuplicates = (diagnostics: vscode.Diagnostic[]) => (redHatXmlActive() ? diagnostics.filter((d) => !REPORTED_BY_RED_HAT_XML.has(codeOf(d))) : diagnostics);
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
      handleDiagnostics: (uri, diagnostics, next) => next(uri, dropDuplicates(diagnostics)),
      provideDiagnostics: async (doc, previousResultId, token, next) => {
        const report = await next(doc, previousResultId, token);
        if (report && report.kind === "full") return { ...report, items: dropDuplicates(report.items) };
        return report;
      },
    },
  };
  return new LanguageClient(CLIENT_ID, "modtasks Language Server", serverOptions, clientOptions);
}

function redHatXmlActive(): boolean {
  return vscode.extensions.getExtension(RED_HAT_XML)?.isActive ?? false;
}

function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  if (c === undefined) return "";
  return typeof c === "object" ? String(c.value) : String(c);
}
