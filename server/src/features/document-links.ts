/**
 * Document links: the path of every `script`/`objectname`/`taskrunner` that resolves to a file
 * (through the shared resolver), and every crontab document that names a file.
 */
import { dirname } from "node:path";
import type { DocumentLink } from "vscode-languageserver";
import { resolveTarget, targetsOf } from "../../../runtime/src/definition/targets";
import { resolveCrontabDocument } from "../analysis/crontab";
import type { FeatureContext } from "./context";

export function documentLinks(ctx: FeatureContext): DocumentLink[] {
  const doc = ctx.doc;
  const out: DocumentLink[] = [];
  if (doc.kind === "moduledefinition" && doc.path) {
    const opts = { fs: ctx.fs, moduleDir: dirname(doc.path) };
    for (const d of doc.def.declarations) {
      for (const { ref } of targetsOf(d)) {
        if (ref.path === "") continue;
        const r = resolveTarget(doc.def, ref, opts);
        if (!r.ok) continue;
        out.push({ range: doc.lines.rangeOf(ref.pathSpan), target: ctx.uriOf(r.file), tooltip: `Open ${ref.path}` });
      }
    }
  } else if (doc.kind === "crontab" && doc.path && !doc.system) {
    for (const e of doc.entries) {
      const r = resolveCrontabDocument(doc.path, e.document, ctx.fs);
      if (r.ok) out.push({ range: doc.lines.rangeOf(e.documentSpan), target: ctx.uriOf(r.file), tooltip: `Open ${e.document}` });
    }
  }
  return out;
}
