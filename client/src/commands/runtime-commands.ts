import * as vscode from "vscode";
import { requireTrust } from "../trust";
import { showRuntimeError } from "./run-task";
import type { Services } from "./services";

/** Start, stop, restart and attach to the runtime; show its output; show and refresh the queue. */
export function registerRuntimeCommands(s: Services): vscode.Disposable[] {
  const { runtime } = s;
  return [
    vscode.commands.registerCommand("modtasks.startRuntime", async () => {
      if (!requireTrust("Starting the runtime")) return false;
      if (runtime.connected) {
        void vscode.window.showInformationMessage(`modtasks: the runtime is already running (pid ${runtime.pid}).`);
        return true;
      }
      const ok = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: "modtasks: starting the runtime" }, () => runtime.start());
      if (!ok) void showRuntimeError(s);
      return ok;
    }),
    vscode.commands.registerCommand("modtasks.stopRuntime", async () => {
      if (runtime.state === "stopped") return;
      if (!runtime.owned && runtime.connected) {
        const choice = await vscode.window.showWarningMessage(
          `modtasks: this runtime (pid ${runtime.pid}) was not started by VS Code. Stop it anyway?`,
          { modal: true },
          "Stop Runtime",
        );
        if (choice !== "Stop Runtime") return;
      }
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: "modtasks: stopping the runtime" }, () => runtime.stop());
    }),
    vscode.commands.registerCommand("modtasks.restartRuntime", async () => {
      if (!requireTrust("Restarting the runtime")) return false;
      const ok = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: "modtasks: restarting the runtime" }, () => runtime.restart());
      if (!ok) void showRuntimeError(s);
      return ok;
    }),
    vscode.commands.registerCommand("modtasks.attachRuntime", async () => {
      if (!requireTrust("Attaching to the runtime")) return false;
      const ok = await runtime.attach();
      if (!ok) {
        const choice = await vscode.window.showWarningMessage("modtasks: no runtime is running for this workspace.", "Start Runtime");
        if (choice) return vscode.commands.executeCommand("modtasks.startRuntime");
      }
      return ok;
    }),
    vscode.commands.registerCommand("modtasks.showRuntimeOutput", () => runtime.output.show(true)),
    vscode.commands.registerCommand("modtasks.showQueue", () => vscode.commands.executeCommand("modtasks.queue.focus")),
    vscode.commands.registerCommand("modtasks.refreshQueue", () => s.queue.refreshNow()),
  ];
}
