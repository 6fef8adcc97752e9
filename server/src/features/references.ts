/**
 * Find references: from a task declaration (its `type`/`tag`, or its element name) or from a
 * task name in a scheduling call, to every call in the workspace that schedules that task; from
 * a `<taskcluster>` tag to the tasks that run in it; from a backend service name (a
 * `runBackendService` registration or an `openBackendService` use) to every `openBackendService`
 * of it (and its registrations, as declarations).
 */
import type { Location, Position } from "vscode-languageserver";
import type { Declaration } from "../../../runtime/src/definition/model";
import { siteAt, type ServiceCallSite } from "../../../runtime/src/services/scan-calls";
import { nodeAt } from "../../../runtime/src/xml/index";
import { matchesTask, splitTaskName, type DeclaredKind } from "../analysis/check-calls";
import { registrationsOf, sitesOf } from "../analysis/service-calls";
import { declarationOf, inServicemanager } from "../analysis/xml-context";
import type { FeatureContext } from "./context";

export function references(ctx: FeatureContext, position: Position, includeDeclaration: boolean): Location[] | null {
  const doc = ctx.doc;
  const offset = doc.lines.offsetAt(position);
  if (doc.kind === "moduledefinition") {
    const pos = nodeAt(doc.def.xml, offset);
    if (!inServicemanager(pos.element)) return null;
    const d = declarationOf(doc.def, pos.element);
    if (!d) return null;
    const onName = pos.in === "name" || (pos.attribute && (pos.attribute.name === "tag" || pos.attribute.name === "type"));
    if (!onName) return null;
    if (d.kind === "taskcluster") return clusterReferences(ctx, d, doc.uri, includeDeclaration);
    const kind = kindOf(d);
    if (!kind || !("fullName" in d)) return null;
    const out = callsTo(ctx, d.fullName, kind);
    if (includeDeclaration) out.unshift(declarationLocation(d, doc.uri, doc.lines));
    return out;
  }
  if (doc.kind === "code") {
    const site = siteAt(doc.services, offset);
    if (site) return [...(includeDeclaration ? registrationLocations(ctx, site.name) : []), ...serviceSiteLocations(ctx, site.name, ["open"])];
    const call = doc.calls.find((c) => offset >= c.literalSpan.start && offset <= c.literalSpan.end);
    const parts = call && splitTaskName(call.name);
    if (!call || !parts) return null;
    const found = ctx.index.findDeclaration(parts.module, parts.name, call.kind);
    const out = callsTo(ctx, found ? found.decl.fullName : call.name, call.kind);
    if (includeDeclaration && found) out.unshift({ uri: ctx.uriOf(found.entry.file), range: found.decl.keyRange });
    return out;
  }
  return null;
}

function kindOf(d: Declaration): DeclaredKind | undefined {
  return d.kind === "task" ? "scheduled" : d.kind === "managedtask" ? "managed" : d.kind === "ephemeraltask" ? "ephemeral" : undefined;
}

function declarationLocation(d: Declaration, uri: string, lines: { rangeOf(s: { start: number; end: number }): Location["range"] }): Location {
  const attr = d.element.attr(d.kind === "managedtask" || d.kind === "ephemeraltask" ? "type" : "tag");
  return { uri, range: lines.rangeOf(attr ? attr.valueSpan : d.element.nameSpan) };
}

/** Every scheduling call in the workspace for a task, sorted by file and position. */
export function callsTo(ctx: Pick<FeatureContext, "index" | "uriOf">, fullName: string, kind: DeclaredKind): Location[] {
  const parts = splitTaskName(fullName);
  if (!parts) return [];
  const probe = { fullName, module: parts.module, name: kind === "scheduled" ? parts.name : parts.name.toLowerCase(), kind };
  const out: Location[] = [];
  const files = [...ctx.index.callSites()].map(([f]) => f).sort();
  for (const file of files) {
    const sites = ctx.index.callsIn(file);
    if (!sites) continue;
    for (const c of sites.calls) {
      const p = splitTaskName(c.name);
      if (c.kind !== kind || !p || !matchesTask(probe, p.module, p.name)) continue;
      out.push({ uri: ctx.uriOf(file), range: sites.lines.rangeOf(c.span) });
    }
  }
  return out;
}

/** Where a service is registered: its runBackendService calls, then its modtasks.json keys. */
export function registrationLocations(ctx: Pick<FeatureContext, "index" | "uriOf">, name: string): Location[] {
  const regs = registrationsOf(name, ctx.index);
  const out = serviceSiteLocations(ctx, name, ["run"]);
  for (const s of regs.configured) {
    const lines = ctx.index.configLines(s.file);
    if (lines) out.push({ uri: ctx.uriOf(s.file), range: lines.rangeOf(s.keySpan) });
  }
  return out;
}

/** The name of every service site of these kinds in the workspace, sorted by file and position. */
export function serviceSiteLocations(ctx: Pick<FeatureContext, "index" | "uriOf">, name: string, kinds: readonly ServiceCallSite["kind"][]): Location[] {
  const out: Location[] = [];
  const sites = sitesOf(name, ctx.index, kinds).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.site.nameSpan.start - b.site.nameSpan.start));
  for (const { file, site } of sites) {
    const lines = ctx.index.callsIn(file)?.lines;
    if (lines) out.push({ uri: ctx.uriOf(file), range: lines.rangeOf(site.nameSpan) });
  }
  return out;
}

function clusterReferences(ctx: FeatureContext, d: Declaration & { kind: "taskcluster" }, uri: string, includeDeclaration: boolean): Location[] {
  const doc = ctx.doc;
  if (doc.kind !== "moduledefinition") return [];
  const out: Location[] = [];
  if (includeDeclaration) out.push(declarationLocation(d, uri, doc.lines));
  for (const q of doc.def.queuedTasks) {
    const attr = q.element.attr("cluster");
    if (attr && q.cluster === d.fullName) out.push({ uri, range: doc.lines.rangeOf(attr.valueSpan) });
  }
  return out;
}
