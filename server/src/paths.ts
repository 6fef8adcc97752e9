/**
 * Document URIs ↔ file paths, and which kind of file a path is. The server keys everything by
 * absolute path internally; URIs appear only at the protocol edge. Non-file URIs (untitled
 * buffers, git diffs) have no path and get no cross-file features.
 */
import { basename, extname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith("file:")) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}

/** A system crontab (`crontab.system`): lines start programs, not module documents. */
export function isSystemCrontab(pathOrUri: string): boolean {
  return basename(pathOrUri.replace(/[?#].*$/, "")) === "crontab.system";
}

export type FileKind = "moduledefinition" | "crontab" | "code" | "harescript" | "serviceconfig" | "other";

const CODE_EXTENSIONS = new Set([".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"]);
const HARESCRIPT_EXTENSIONS = new Set([".whlib", ".whscr", ".shtml", ".whsock"]);

/** What a file is, by its name: `moduledefinition.xml`, a file named `crontab` (or `crontab.system`), `modtasks.json` (services), TS/JS code, HareScript. */
export function fileKind(pathOrUri: string): FileKind {
  const name = basename(pathOrUri.replace(/[?#].*$/, ""));
  if (name === "moduledefinition.xml") return "moduledefinition";
  if (name === "modtasks.json") return "serviceconfig";
  if (name === "crontab" || name === "crontab.system") return "crontab";
  const ext = extname(name).toLowerCase();
  if (name.endsWith(".d.ts")) return "other";
  if (CODE_EXTENSIONS.has(ext)) return "code";
  if (HARESCRIPT_EXTENSIONS.has(ext)) return "harescript";
  return "other";
}

/** Glob patterns for the files the server watches (moduledefinition.xml, crontab, modtasks.json, code and HareScript files). */
export const WATCH_GLOBS = ["**/moduledefinition.xml", "**/crontab", "**/crontab.system", "**/modtasks.json", "**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs,whlib,whscr}"];
