import type { Span } from "./span";

/** Severity names shared by the checker, the CLI and the language server (mapped to LSP numbers at the edge). */
export type Severity = "error" | "warning" | "info" | "hint";

/**
 * One problem found in a text, located by offsets. The code is stable (documented in the README,
 * used to switch checks off and to attach quick fixes); the message is for people.
 */
export interface Finding {
  span: Span;
  severity: Severity;
  code: string;
  message: string;
  /** Extra facts a quick fix needs (e.g. the suggested replacement), never needed to show the finding. */
  data?: FindingData;
  /** Free-form tags: "unnecessary" or "deprecated" (LSP DiagnosticTag). */
  tags?: ("unnecessary" | "deprecated")[];
}

/** What a finding can carry for a quick fix: a replacement for its span, or for another span. */
export interface FindingData {
  /** Text that would replace the finding's span (e.g. the suggested zone or element name). */
  replacement?: string;
  /** Replacement for a span other than the finding's own (e.g. a whole attribute). */
  edits?: { span: Span; newText: string }[];
  /** Short title for the fix, e.g. "Change to 'Europe/Amsterdam'". */
  fixTitle?: string;
  [key: string]: unknown;
}

export function severityRank(s: Severity): number {
  return s === "error" ? 1 : s === "warning" ? 2 : s === "info" ? 3 : 4;
}
