import { dirname, join } from "node:path";
import type { ModuleFs } from "../definition/module-fs";
import type { Finding } from "../text/finding";
import { resolveDocument } from "./documents";
import { type CrontabEntry, parseCrontab, parseSystemCrontab } from "./parse";

export const CRONTAB_CODES = {
  documentNotFound: "crontab-document-not-found",
  documentOutsideModule: "crontab-document-outside-module",
} as const;

export interface CrontabCheck {
  entries: CrontabEntry[];
  /** Parser findings (syntax, masks in the prudence dialect) and document findings, sorted. */
  findings: Finding[];
}

/**
 * Everything wrong with a crontab file, as `modtasks check` and the language server report it:
 * the parser's findings, and documents that name no file of the module (with the path a quick
 * fix can create). A `crontab.system` file starts programs: its command stands in for the
 * document and no file check applies.
 */
export function checkCrontab(text: string, file: string | undefined, fs: ModuleFs | undefined, system = false): CrontabCheck {
  if (system) {
    const r = parseSystemCrontab(text);
    const entries: CrontabEntry[] = r.entries.map((e) => ({ line: e.line, span: e.span, patternSpan: e.patternSpan, compiled: e.compiled, document: e.command, documentSpan: e.commandSpan }));
    return { entries, findings: sortFindings([...r.findings]) };
  }
  const { entries, findings } = parseCrontab(text);
  const out = [...findings];
  if (file && fs) {
    const dir = dirname(file);
    for (const e of entries) {
      const r = resolveDocument(dir, e.document, (p) => fs.exists(p));
      if (r.ok || r.reason === "code") continue;
      out.push({
        span: e.documentSpan,
        severity: "error",
        code: r.reason === "outside" ? CRONTAB_CODES.documentOutsideModule : CRONTAB_CODES.documentNotFound,
        message: r.message,
        ...(r.reason === "not-found" && r.tried.length > 0 ? { data: { createFile: join(dir, r.tried[0]!), fixTitle: `Create ${r.tried[0]}` } } : {}),
      });
    }
  }
  return { entries, findings: sortFindings(out) };
}

function sortFindings(f: Finding[]): Finding[] {
  return f.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}
