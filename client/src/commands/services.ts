import type * as vscode from "vscode";
import type { QueueTreeProvider } from "../queue-tree";
import type { RuntimeConnection } from "../runtime-connection";
import type { TaskDetailsProvider } from "../task-details";
import type { ModuleIndex } from "../workspace-modules";

/** What the commands work with; built once in `activate`. */
export interface Services {
  context: vscode.ExtensionContext;
  runtime: RuntimeConnection;
  queue: QueueTreeProvider;
  modules: ModuleIndex;
  details: TaskDetailsProvider;
}
