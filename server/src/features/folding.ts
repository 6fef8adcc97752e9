/**
 * Folding: every element that spans lines (the end tag stays visible), every comment that spans
 * lines, and runs of comment lines in crontabs.
 */
import { FoldingRangeKind, type FoldingRange } from "vscode-languageserver";
import type { XmlNode } from "../../../runtime/src/xml/types";
import type { FeatureContext } from "./context";

export function foldingRanges(ctx: FeatureContext): FoldingRange[] {
  const doc = ctx.doc;
  const out: FoldingRange[] = [];
  if (doc.kind === "moduledefinition") {
    const visit = (nodes: readonly XmlNode[]) => {
      for (const n of nodes) {
        if (n.type === "comment") {
          const a = doc.lines.positionAt(n.span.start).line;
          const b = doc.lines.positionAt(n.span.end).line;
          if (b > a) out.push({ startLine: a, endLine: b, kind: FoldingRangeKind.Comment });
        } else if (n.type === "element" && n.startTagClosed) {
          const a = doc.lines.positionAt(n.span.start).line;
          let b = doc.lines.positionAt(n.span.end).line;
          // Keep `</name>` visible when it starts its own line.
          if (n.endTagSpan && doc.lines.positionAt(n.endTagSpan.start).line === b) b--;
          if (b > a) out.push({ startLine: a, endLine: b });
          visit(n.children);
        }
      }
    };
    visit(doc.def.xml.children);
  } else if (doc.kind === "crontab") {
    const lines = doc.text.split(/\r\n|\r|\n/);
    let start = -1;
    for (let i = 0; i <= lines.length; i++) {
      const comment = i < lines.length && /^\s*#/.test(lines[i]!);
      if (comment && start < 0) start = i;
      if (!comment && start >= 0) {
        if (i - 1 > start) out.push({ startLine: start, endLine: i - 1, kind: FoldingRangeKind.Comment });
        start = -1;
      }
    }
  }
  return out;
}
