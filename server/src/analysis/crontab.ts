/**
 * Crontab files (a file named `crontab` in a module folder, or `crontab.system`) as the language
 * server sees them: entries and findings come from the runtime's own check (`checkCrontab`, the
 * one `modtasks check` reports) and documents resolve by the runtime's rule (`resolveDocument`,
 * runtime/src/crontab/documents.ts), so the document the editor opens is the one that runs.
 * analyze.ts calls checkCrontab as it is; this file adapts document resolution to the server's
 * file access (open buffers over the disk).
 */
import { dirname } from "node:path";
import { resolveDocument, type DocumentResolution } from "../../../runtime/src/crontab/documents";
import type { ModuleFs } from "../../../runtime/src/definition/module-fs";

/** Where a crontab document is: relative to the folder that holds the crontab (the module folder). */
export function resolveCrontabDocument(crontabPath: string, document: string, fs: ModuleFs): DocumentResolution {
  return resolveDocument(dirname(crontabPath), document, (p) => fs.exists(p));
}
