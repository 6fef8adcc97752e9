/**
 * The modtasks extension. Read this as a table of contents: each concern lives in its own
 * module (client/src/<concern>.ts, commands in client/src/commands/).
 */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { registerRunTask } from "./commands/run-task";
import { registerRuntimeCommands } from "./commands/runtime-commands";
import { registerScheduledActions } from "./commands/scheduled-actions";
import { registerServiceActions } from "./commands/service-actions";
import type { Services } from "./commands/services";
import { registerTaskActions } from "./commands/task-actions";
import { createLanguageClient } from "./language-client";
import { QueueTreeProvider } from "./queue-tree";
import { RuntimeConnection } from "./runtime-connection";
import { RuntimeStatusBar } from "./status-bar";
import { registerTimeline } from "./timeline";
import { TaskDetailsProvider } from "./task-details";
import { ModuleIndex } from "./workspace-modules";

let languageClient: LanguageClient | undefined;

/** What `activate` returns: used by the desktop test runner (test/e2e/electron). */
export interface ModtasksApi {
  services: Services;
  languageClient: LanguageClient | undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<ModtasksApi> {
  // 1. Language server: diagnostics, hovers, outline, CodeLens. Runs in Restricted Mode too.
  const serverLog = vscode.window.createOutputChannel("modtasks Language Server");
  context.subscriptions.push(serverLog);
  languageClient = createLanguageClient(context, serverLog);
  void languageClient?.start().catch((e: unknown) => serverLog.appendLine(`language server failed to start: ${String(e)}`));

  // 2. The workspace's modules and the tasks they declare.
  const modules = new ModuleIndex();
  context.subscriptions.push(modules);
  void modules.scan();

  // 3. The runtime (a separate process), its output, and the views that show it.
  const runtimeLog = vscode.window.createOutputChannel("modtasks Runtime");
  const runtime = new RuntimeConnection(runtimeLog, context.extensionPath);
  const queue = new QueueTreeProvider(runtime);
  queue.createView();
  const details = new TaskDetailsProvider(runtime);
  const statusBar = new RuntimeStatusBar(runtime, queue);
  context.subscriptions.push(runtimeLog, runtime, queue, details, statusBar);
  void vscode.commands.executeCommand("setContext", "modtasks.runtimeState", runtime.state);

  // 4. Commands (palette, tree menus, CodeLens).
  const services: Services = { context, runtime, queue, modules, details };
  context.subscriptions.push(
    registerRunTask(services),
    registerTimeline(context, { modules, runtime }),
    ...registerRuntimeCommands(services),
    ...registerTaskActions(services),
    ...registerScheduledActions(services),
    ...registerServiceActions(services),
  );

  // 5. Workspace trust: pick up a runtime that already runs, now or once the user trusts us.
  if (vscode.workspace.isTrusted) void runtime.attach({ quiet: true });
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void runtime.attach({ quiet: true })));

  return { services, languageClient };
}

export async function deactivate(): Promise<void> {
  await languageClient?.stop().catch(() => {});
}
