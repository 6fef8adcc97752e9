/**
 * Findings → LSP diagnostics: exact ranges, stable codes, `source: "modtasks"`, tags for
 * deprecated/unnecessary, related information (e.g. a duplicate tag points at the first one).
 * The findings themselves come from the shared checker, the cron engine and the crontab parser.
 */
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic, type DiagnosticRelatedInformation } from "vscode-languageserver";
import type { Finding, Severity } from "../../../runtime/src/text/finding";
import type { LineIndex } from "../../../runtime/src/text/line-index";
import type { Span } from "../../../runtime/src/text/span";
import type { AnalyzedDoc } from "../analysis/analyze";

export const SOURCE = "modtasks";

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(f: Finding, lines: LineIndex, uri: string): Diagnostic {
  const d: Diagnostic = { range: lines.rangeOf(f.span), severity: SEVERITY[f.severity], code: f.code, source: SOURCE, message: f.message };
  if (f.tags?.length) d.tags = f.tags.map((t) => (t === "deprecated" ? DiagnosticTag.Deprecated : DiagnosticTag.Unnecessary));
  const related = f.data?.related;
  if (Array.isArray(related)) {
    const info: DiagnosticRelatedInformation[] = [];
    for (const r of related as { span?: Span; message?: string }[]) {
      if (!r || !r.span) continue;
      info.push({ location: { uri, range: lines.rangeOf(r.span) }, message: r.message ?? "" });
    }
    if (info.length) d.relatedInformation = info;
  }
  return d;
}

/** The findings a user has not switched off. */
export function enabledFindings(doc: AnalyzedDoc, disabled: readonly string[]): Finding[] {
  if (disabled.length === 0) return doc.findings;
  const off = new Set(disabled);
  return doc.findings.filter((f) => !off.has(f.code));
}

export function documentDiagnostics(doc: AnalyzedDoc, disabled: readonly string[]): Diagnostic[] {
  return enabledFindings(doc, disabled).map((f) => toDiagnostic(f, doc.lines, doc.uri));
}
