/**
 * The outline: `<servicemanager>` with its declarations (`task cleanup (13 0 * * *, Europe/Amsterdam)`,
 * `managedtask sendmail`, `ephemeraltask render`, `taskcluster heavy`, ...), and a crontab's
 * entries. Flat SymbolInformation for clients without hierarchical outlines.
 */
import { SymbolKind, type DocumentSymbol, type SymbolInformation } from "vscode-languageserver";
import type { Declaration } from "../../../runtime/src/definition/model";
import type { FeatureContext } from "./context";

export function symbolName(d: Declaration): string {
  switch (d.kind) {
    case "task":
      return `task ${d.tag || "?"} (${d.runat.trim() ? d.runat.trim().replace(/\s+/g, " ") : "no runat"}, ${d.runtz || "UTC"})`;
    case "managedtask":
    case "ephemeraltask":
      return `${d.kind} ${d.type || "?"}`;
    case "taskcluster":
      return `taskcluster ${d.tag || "?"}`;
    case "runonce":
      return `runonce ${d.tag || "?"}`;
    case "runatstartup":
      return `runatstartup ${d.script || "?"}`;
  }
}

export function symbolKind(d: Pick<Declaration, "kind">): SymbolKind {
  switch (d.kind) {
    case "task":
      return SymbolKind.Event;
    case "managedtask":
      return SymbolKind.Class;
    case "ephemeraltask":
      return SymbolKind.Function;
    case "taskcluster":
      return SymbolKind.Package;
    case "runonce":
    case "runatstartup":
      return SymbolKind.Constructor;
  }
}

function detailOf(d: Declaration): string | undefined {
  switch (d.kind) {
    case "task":
      return d.description || d.script || undefined;
    case "managedtask":
    case "ephemeraltask":
      return (d.objectname ?? d.taskrunner)?.raw;
    case "taskcluster":
      return `${d.workers} worker${d.workers === 1 ? "" : "s"}`;
    case "runonce":
      return `${d.when}: ${d.script}`;
    case "runatstartup":
      return undefined;
  }
}

export function documentSymbols(ctx: FeatureContext, hierarchical: boolean): DocumentSymbol[] | SymbolInformation[] {
  const doc = ctx.doc;
  const lines = doc.lines;
  const symbols: DocumentSymbol[] = [];
  if (doc.kind === "moduledefinition") {
    const sm = doc.def.servicemanager;
    if (!sm) return [];
    const children = doc.def.declarations.map((d) => {
      const s: DocumentSymbol = { name: symbolName(d), kind: symbolKind(d), range: lines.rangeOf(d.element.span), selectionRange: lines.rangeOf(d.element.nameSpan) };
      const detail = detailOf(d);
      if (detail) s.detail = detail;
      return s;
    });
    symbols.push({ name: "servicemanager", kind: SymbolKind.Namespace, range: lines.rangeOf(sm.span), selectionRange: lines.rangeOf(sm.nameSpan), children });
  } else if (doc.kind === "crontab") {
    for (const e of doc.entries) {
      const mask = doc.text.slice(e.patternSpan.start, e.patternSpan.end);
      const s: DocumentSymbol = { name: e.document, kind: SymbolKind.Event, range: lines.rangeOf(e.span), selectionRange: lines.rangeOf(e.documentSpan), detail: mask };
      const desc = e.compiled.schedule?.describe();
      if (desc) s.detail = `${mask} · ${desc}`;
      symbols.push(s);
    }
  }
  return hierarchical ? symbols : flatten(symbols, doc.uri);
}

function flatten(symbols: DocumentSymbol[], uri: string, container?: string): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  for (const s of symbols) {
    const info: SymbolInformation = { name: s.name, kind: s.kind, location: { uri, range: s.range } };
    if (container) info.containerName = container;
    out.push(info);
    if (s.children) out.push(...flatten(s.children, uri, s.name));
  }
  return out;
}
