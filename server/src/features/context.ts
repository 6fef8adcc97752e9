/**
 * What every feature function gets: the document's analysis and the rest of the world it may
 * look at (settings, workspace index, files, the clock, what the client can do). Features are
 * pure functions of this and their request parameters, so they are tested without a connection.
 */
import type { MaintenanceOffset, Zone } from "../../../runtime/src/cron/index";
import type { AnalyzedDoc } from "../analysis/analyze";
import type { ModuleFiles } from "../module-files";
import type { Settings } from "../settings";
import type { WorkspaceIndex } from "../workspace-index";

export interface ClientSupport {
  snippets: boolean;
  markdown: boolean;
  /** WorkspaceEdit.documentChanges with CreateFile. */
  createFiles: boolean;
  /** CompletionItem.labelDetails. */
  labelDetails: boolean;
  /**
   * `command:` links in hovers run the command (VS Code and its forks, when the extension trusts
   * the command). LSP has no capability for it; other editors would show the encoded URI.
   */
  commandLinks: boolean;
}

export const FULL_SUPPORT: ClientSupport = { snippets: true, markdown: true, createFiles: true, labelDetails: true, commandLinks: true };

export interface FeatureContext {
  doc: AnalyzedDoc;
  settings: Settings;
  maintenance: MaintenanceOffset;
  crontabZone: Zone;
  index: WorkspaceIndex;
  fs: ModuleFiles;
  now: number;
  /** The URI for a path: the open document's own URI when it is open (clients compare URIs as strings). */
  uriOf(path: string): string;
  client: ClientSupport;
}
