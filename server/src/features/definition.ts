/**
 * Go to definition: from `objectname`/`taskrunner` to the exported class or function (or the
 * file), from `script` to the file, from `cluster` to its `<taskcluster>`, from a crontab
 * document to its file, from a task name in a scheduling call to its declaration, and from a
 * backend service name to where it is registered (`runBackendService` calls, modtasks.json).
 */
import type { Location, Position } from "vscode-languageserver";
import { LineIndex } from "../../../runtime/src/text/line-index";
import { nodeAt } from "../../../runtime/src/xml/index";
import type { DefinitionDoc } from "../analysis/analyze";
import { splitTaskName } from "../analysis/check-calls";
import { resolveCrontabDocument } from "../analysis/crontab";
import { targetInfo } from "../analysis/target-info";
import { declarationOf, inServicemanager } from "../analysis/xml-context";
import { targetsOf } from "../../../runtime/src/definition/targets";
import { siteAt } from "../../../runtime/src/services/scan-calls";
import type { FeatureContext } from "./context";
import { registrationLocations } from "./references";

const START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function definition(ctx: FeatureContext, position: Position): Location[] | null {
  const doc = ctx.doc;
  const offset = doc.lines.offsetAt(position);
  if (doc.kind === "moduledefinition") return definitionInDefinition(ctx, doc, offset);
  if (doc.kind === "crontab") {
    const e = doc.entries.find((x) => offset >= x.documentSpan.start && offset <= x.documentSpan.end);
    if (!e || !doc.path || doc.system) return null;
    const r = resolveCrontabDocument(doc.path, e.document, ctx.fs);
    return r.ok ? [{ uri: ctx.uriOf(r.file), range: START }] : null;
  }
  if (doc.kind === "code") {
    const site = siteAt(doc.services, offset);
    if (site) {
      const regs = registrationLocations(ctx, site.name);
      return regs.length ? regs : null;
    }
    const call = doc.calls.find((c) => offset >= c.literalSpan.start && offset <= c.literalSpan.end);
    const parts = call && splitTaskName(call.name);
    if (!call || !parts) return null;
    const found = ctx.index.findDeclaration(parts.module, parts.name, call.kind);
    if (!found) return null;
    return [{ uri: ctx.uriOf(found.entry.file), range: found.decl.keyRange }];
  }
  return null;
}

function definitionInDefinition(ctx: FeatureContext, doc: DefinitionDoc, offset: number): Location[] | null {
  const pos = nodeAt(doc.def.xml, offset);
  if (pos.in !== "attrValue" || !pos.attribute || !inServicemanager(pos.element)) return null;
  const d = declarationOf(doc.def, pos.element);
  if (!d) return null;
  const attr = pos.attribute;
  if (attr.name === "cluster") {
    const v = attr.value.trim();
    const full = v.includes(":") ? v : `${doc.def.moduleName}:${v}`;
    const c = doc.def.clusters.find((x) => x.fullName === full);
    if (!c) return null;
    return [{ uri: doc.uri, range: doc.lines.rangeOf(c.element.attr("tag")?.valueSpan ?? c.element.nameSpan) }];
  }
  const t = targetsOf(d).find((x) => x.attr === attr.name);
  if (!t) return null;
  const info = targetInfo(doc.def, t.ref, ctx.fs);
  if (!info.file) return null;
  const uri = ctx.uriOf(info.file);
  if (info.export && info.text !== undefined) return [{ uri, range: new LineIndex(info.text).rangeOf(info.export.span) }];
  return [{ uri, range: START }];
}
