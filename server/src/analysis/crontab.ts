/**
 * Crontab files (a file named `crontab` in a module folder): the entries and findings of the
 * shared parser (`parseCrontab`, prudence dialect), plus a check that each document names a file.
 *
 * Document rule (Prudence's `/libraries/` lookup, applied to the module folder): a document
 * `/tasks/cleanup/` (leading and trailing slashes ignored) is the first of these that exists,
 * relative to the folder that holds the crontab:
 *   tasks/cleanup.ts, .mts, .cts, .js, .mjs, .cjs
 *   tasks/cleanup/index.ts, index.mts, index.js, index.mjs  (Node's folder convention)
 *   tasks/cleanup/default.ts, default.js                    (Prudence's folder convention)
 * A document that already has an extension (`/tasks/cleanup.js`) names that file exactly.
 * Literal code (`<% ... %>`) names no file.
 *
 * A system crontab (`crontab.system`) starts programs (`ENV:`, `DIR:`, `OUT:` options, then a
 * command): its entries are read with `parseSystemCrontab`, the command standing in for the
 * document, and no file check applies.
 */
import { dirname, join } from "node:path";
import { parseCrontab, parseSystemCrontab, type CrontabEntry } from "../../../runtime/src/crontab/parse";
import type { ModuleFs } from "../../../runtime/src/definition/module-fs";
import { escapesModule } from "../../../runtime/src/definition/targets";
import type { Finding } from "../../../runtime/src/text/finding";
import { CRONTAB_CODES } from "../protocol";

const EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];
const INDEX_FILES = ["index.ts", "index.mts", "index.js", "index.mjs", "default.ts", "default.js"];

/** The files a document may be, in order of preference (module-relative paths). */
export function documentCandidates(document: string): string[] {
  const rel = document.trim().replace(/^\/+/, "").replace(/\/+$/, "");
  if (rel === "") return [];
  if (/\.[A-Za-z0-9]+$/.test(rel)) return [rel];
  return [...EXTENSIONS.map((e) => rel + e), ...INDEX_FILES.map((f) => `${rel}/${f}`)];
}

export type DocumentResolution =
  | { ok: true; file: string }
  | { ok: false; reason: "code" | "outside" | "not-found"; message: string; tried: string[] };

/** Where a crontab document is, relative to the crontab's folder. */
export function resolveCrontabDocument(crontabPath: string, document: string, fs: ModuleFs): DocumentResolution {
  if (document.startsWith("<%")) return { ok: false, reason: "code", message: "literal code", tried: [] };
  const rel = document.trim().replace(/^\/+/, "");
  const escape = escapesModule(rel);
  if (escape) return { ok: false, reason: "outside", message: escape, tried: [] };
  const dir = dirname(crontabPath);
  const tried = documentCandidates(document);
  for (const c of tried) {
    const file = join(dir, c);
    if (fs.exists(file)) return { ok: true, file };
  }
  const shown = tried.length > 3 ? `${tried.slice(0, 2).join(", ")}, ... (${tried.length} candidates)` : tried.join(", ");
  return { ok: false, reason: "not-found", message: `Unable to find the document '${document}': none of ${shown} exists in the module folder`, tried };
}

export interface CrontabAnalysis {
  entries: CrontabEntry[];
  /** Parser findings (syntax, cron masks) and document findings, sorted. */
  findings: Finding[];
}

export function analyzeCrontab(text: string, path: string | undefined, fs: ModuleFs | undefined, system = false): CrontabAnalysis {
  if (system) {
    const r = parseSystemCrontab(text);
    const entries: CrontabEntry[] = r.entries.map((e) => ({ line: e.line, span: e.span, patternSpan: e.patternSpan, compiled: e.compiled, document: e.command, documentSpan: e.commandSpan }));
    return { entries, findings: [...r.findings].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end) };
  }
  const { entries, findings } = parseCrontab(text);
  const out = [...findings];
  if (path && fs) {
    for (const e of entries) {
      const r = resolveCrontabDocument(path, e.document, fs);
      if (r.ok || r.reason === "code") continue;
      out.push({
        span: e.documentSpan,
        severity: "error",
        code: r.reason === "outside" ? CRONTAB_CODES.documentOutsideModule : CRONTAB_CODES.documentNotFound,
        message: r.message,
        ...(r.reason === "not-found" && r.tried.length > 0 ? { data: { createFile: join(dirname(path), r.tried[0]!), fixTitle: `Create ${r.tried[0]}` } } : {}),
      });
    }
  }
  out.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { entries, findings: out };
}
