/**
 * Workspace symbols: every task, task type, cluster and run-once script of every module in the
 * workspace, by full name (`module:tag`), matched against the query as a case-insensitive
 * subsequence (as editors do for symbol search).
 */
import type { SymbolInformation } from "vscode-languageserver";
import type { FeatureContext } from "./context";
import { symbolKind } from "./document-symbols";

export function matchesQuery(name: string, query: string): boolean {
  if (query === "") return true;
  const n = name.toLowerCase();
  let i = 0;
  for (const c of query.toLowerCase()) {
    if (c === " ") continue;
    i = n.indexOf(c, i);
    if (i < 0) return false;
    i++;
  }
  return true;
}

export function workspaceSymbols(ctx: Pick<FeatureContext, "index" | "uriOf">, query: string, limit = 500): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  const entries = [...ctx.index.moduleEntries()].sort((a, b) => a.file.localeCompare(b.file));
  for (const m of entries) {
    for (const d of m.declarations) {
      // A <task> without a tag (or a type without a name) has no name to find it by: not "mymod:".
      if (d.fullName.endsWith(":")) continue;
      if (!matchesQuery(d.fullName, query)) continue;
      out.push({ name: d.fullName, kind: symbolKind(d), containerName: `${m.name} · <${d.kind}>`, location: { uri: ctx.uriOf(m.file), range: d.nameRange } });
      if (out.length >= limit) return out;
    }
  }
  return out;
}
