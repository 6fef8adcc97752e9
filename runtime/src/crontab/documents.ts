import { join } from "node:path";
import { escapesModule } from "../definition/targets";

/**
 * Where a Prudence-style document name (`/tasks/cleanup/`) lives: Prudence's `/libraries/`
 * lookup applied to the module folder (the folder that holds the crontab). Leading and trailing
 * slashes are ignored; the first that exists of
 *   tasks/cleanup.ts  .mts .cts .js .mjs .cjs
 *   tasks/cleanup/index.ts  index.mts index.js index.mjs   (Node's folder convention)
 *   tasks/cleanup/default.ts  default.js                   (Prudence's folder convention)
 * A name with an extension (`/tasks/cleanup.js`) names that file exactly; literal code
 * (`<% ... %>`) names no file. One rule for the runtime, `modtasks check` and the language
 * server, so the document the editor finds is the one that runs.
 */
export const DOCUMENT_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"] as const;
const FOLDER_FILES = ["index.ts", "index.mts", "index.js", "index.mjs", "default.ts", "default.js"] as const;

/** The module-relative files a document name may be, in order of preference. */
export function documentCandidates(document: string): string[] {
  const rel = document.trim().replace(/^\/+|\/+$/g, "");
  if (!rel || escapesModule(rel)) return [];
  if (/\.[A-Za-z0-9]+$/.test(rel)) return [rel];
  return [...DOCUMENT_EXTENSIONS.map((e) => rel + e), ...FOLDER_FILES.map((f) => `${rel}/${f}`)];
}

export type DocumentResolution =
  | { ok: true; file: string }
  | { ok: false; reason: "code" | "outside" | "not-found"; message: string; tried: string[] };

/** Resolves a document name against a module folder. */
export function resolveDocument(moduleDir: string, document: string, exists: (path: string) => boolean): DocumentResolution {
  if (isLiteralCode(document)) return { ok: false, reason: "code", message: "literal code", tried: [] };
  const escape = escapesModule(document.trim().replace(/^\/+/, ""));
  if (escape) return { ok: false, reason: "outside", message: escape, tried: [] };
  const tried = documentCandidates(document);
  for (const c of tried) {
    const file = join(moduleDir, c);
    if (exists(file)) return { ok: true, file };
  }
  const shown = tried.length > 3 ? `${tried.slice(0, 2).join(", ")}, ... (${tried.length} candidates)` : tried.join(", ");
  return { ok: false, reason: "not-found", message: `Unable to find the document '${document}': none of ${shown} exists in the module folder`, tried };
}

/** A crontab "document" that is literal code (`<% ... %>`) rather than a name. */
export function isLiteralCode(document: string): boolean {
  return document.trimStart().startsWith("<%");
}

/** The code inside `<% ... %>`. */
export function literalCode(document: string): string {
  return document.trim().replace(/^<%/, "").replace(/%>$/, "").trim();
}
