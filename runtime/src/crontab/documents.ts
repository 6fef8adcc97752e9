import { join, normalize, sep } from "node:path";

/**
 * Where a Prudence-style document name (`/tasks/cleanup/`, `tasks/cleanup`) lives in a module:
 * the module folder plays Prudence's `/libraries/`. Tried in order:
 *   <module>/tasks/cleanup.ts  .mts .js .mjs .cjs
 *   <module>/tasks/cleanup/index.ts  index.js  default.ts  default.js
 * Shared by the runtime and the language server, so a document the editor finds is the one
 * that runs. Names that climb out of the module (`..`) resolve to nothing.
 */
export const DOCUMENT_EXTENSIONS = [".ts", ".mts", ".js", ".mjs", ".cjs"] as const;
const FOLDER_FILES = ["index.ts", "index.js", "default.ts", "default.js"] as const;

/** Candidate files for a document name, in the order they are tried (absolute paths). */
export function documentCandidates(moduleDir: string, document: string): string[] {
  const rel = document.trim().replace(/^\/+|\/+$/g, "");
  if (!rel || rel.split(/[\\/]/).some((p) => p === "..") || /^[a-z]+:/i.test(rel)) return [];
  const base = normalize(join(moduleDir, rel));
  if (!(base + sep).startsWith(normalize(moduleDir) + sep)) return [];
  return [...DOCUMENT_EXTENSIONS.map((e) => base + e), ...FOLDER_FILES.map((f) => join(base, f))];
}

/** The file a document name resolves to, or undefined. */
export function resolveDocument(moduleDir: string, document: string, exists: (path: string) => boolean): string | undefined {
  return documentCandidates(moduleDir, document).find(exists);
}

/** A crontab "document" that is literal code (`<% ... %>`) rather than a name. */
export function isLiteralCode(document: string): boolean {
  return document.trimStart().startsWith("<%");
}

/** The code inside `<% ... %>`. */
export function literalCode(document: string): string {
  return document.trim().replace(/^<%/, "").replace(/%>$/, "").trim();
}
