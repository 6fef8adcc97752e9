import * as vscode from "vscode";

/**
 * Workspace trust (package.json `capabilities.untrustedWorkspaces: limited`): in Restricted Mode
 * the language server still checks files (it executes nothing from the workspace), but nothing
 * that runs the workspace's code is allowed: starting or attaching to the runtime, running,
 * retrying or triggering tasks. Menus hide those commands with `isWorkspaceTrusted`; every such
 * command also calls this, because a keybinding, a CodeLens or another extension can still
 * invoke it.
 */
export const RESTRICTED_EXPLANATION =
  "This workspace is in Restricted Mode. Running tasks executes the workspace's own code (task classes, scripts), so modtasks only checks files here. Trust the workspace to run tasks.";

/** True when trusted; otherwise explains why `action` is refused and offers to manage trust. */
export function requireTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(`modtasks: ${action} is not available. ${RESTRICTED_EXPLANATION}`, "Manage Workspace Trust").then((choice) => {
    if (choice) void vscode.commands.executeCommand("workbench.trust.manage");
  });
  return false;
}
