/**
 * Hovers. In moduledefinition.xml: every element and attribute documented from the schema
 * table; on `runat` the dialect, the description and the next runs in the task's zone and in
 * UTC (and the single field under the cursor explained); on `runtz` the zone's offset and next
 * DST change; on `objectname`/`taskrunner`/`script` the target's signature. In crontab files:
 * the pattern's description and next runs, and where the document is. In code: what a
 * scheduling call's task name refers to, and where a backend service name is registered.
 */
import { MarkupKind, type Hover, type Position } from "vscode-languageserver";
import { basename, dirname, relative } from "node:path";
import { zoneInfo, type Zone } from "../../../runtime/src/cron/index";
import type { ModuleDefinition } from "../../../runtime/src/definition/model";
import { attributeSchema, elementSchema, MODULE_DOC, type AttributeSchema, type AttributeType, type ElementSchema } from "../../../runtime/src/definition/schema";
import { normalizeName, siteAt, type ServiceCallSite } from "../../../runtime/src/services/scan-calls";
import type { Span } from "../../../runtime/src/text/span";
import { nodeAt } from "../../../runtime/src/xml/index";
import type { XmlAttribute, XmlElement } from "../../../runtime/src/xml/types";
import type { CodeDoc, CrontabDoc, DefinitionDoc } from "../analysis/analyze";
import { matchesTask, splitTaskName } from "../analysis/check-calls";
import { DIALECT_SYNTAX, explainField, fieldAt } from "../analysis/cron-field";
import { resolveCrontabDocument } from "../analysis/crontab";
import { registrationsOf, sitesOf } from "../analysis/service-calls";
import { formatLong, formatRelative, maintenanceSource, nextRuns, offsetLabel, runsTable, scheduleView, type ScheduleView } from "../analysis/schedule-preview";
import { docCommentOf, signatureOf, targetInfo } from "../analysis/target-info";
import { declarationOf, decodedIndexAt, schemaNameOf } from "../analysis/xml-context";
import { COMMANDS } from "../protocol";
import { timelineArgs } from "./code-lens";
import type { FeatureContext } from "./context";

export function hover(ctx: FeatureContext, position: Position): Hover | null {
  const doc = ctx.doc;
  const offset = doc.lines.offsetAt(position);
  let r: { md: string; span: Span } | undefined;
  if (doc.kind === "moduledefinition") r = definitionHover(ctx, doc, offset);
  else if (doc.kind === "crontab") r = crontabHover(ctx, doc, offset);
  else if (doc.kind === "code") r = codeHover(ctx, doc, offset);
  if (!r) return null;
  return {
    contents: { kind: ctx.client.markdown ? MarkupKind.Markdown : MarkupKind.PlainText, value: r.md },
    range: doc.lines.rangeOf(r.span),
  };
}

// ---------------------------------------------------------------------------------------------
// moduledefinition.xml

function definitionHover(ctx: FeatureContext, doc: DefinitionDoc, offset: number): { md: string; span: Span } | undefined {
  const pos = nodeAt(doc.def.xml, offset);
  const el = pos.element;
  if (el && el === doc.def.module && (pos.in === "name" || pos.in === "endTag")) {
    return { md: moduleMarkdown(doc.def), span: pos.in === "endTag" && el.endTagSpan ? el.endTagSpan : el.nameSpan };
  }
  const name = schemaNameOf(el);
  if (!el || !name) return undefined;
  const es = elementSchema(name);
  if (!es) return undefined;
  if (pos.in === "name") return { md: elementMarkdown(es, doc.def, el), span: el.nameSpan };
  if (pos.in === "endTag" && el.endTagSpan) return { md: elementMarkdown(es, doc.def, el), span: el.endTagSpan };
  const attr = pos.attribute;
  if (!attr) return undefined;
  const as = attributeSchema(name, attr.name);
  if (pos.in === "attrName") return as ? { md: attributeMarkdown(es, as), span: attr.nameSpan } : undefined;
  if (pos.in !== "attrValue") return undefined;
  const valueSpan = attr.valueSpan.end > attr.valueSpan.start ? attr.valueSpan : attr.span;
  const md = as ? valueMarkdown(ctx, doc, el, attr, as, offset) : undefined;
  return md ? { md, span: valueSpan } : undefined;
}

function typeText(t: AttributeType): string {
  switch (t.kind) {
    case "name":
      return "name";
    case "qualifiedName":
      return "name or module:name";
    case "path":
      return t.target === "script" ? "path to a program" : t.target === "object" ? "path#ClassName" : "path#functionName";
    case "cron":
      return "cron mask";
    case "zone":
      return "time zone";
    case "enum":
      return t.values.map((v) => `\`${v.value}\``).join(" | ");
    case "integer":
      return `whole number ≥ ${t.min}${t.unit ? ` (${t.unit})` : ""}`;
    case "boolean":
      return "`true` | `false`";
    case "text":
      return "text";
    case "semver":
      return "semantic version range";
    case "envList":
      return "environment variable names";
    case "moduleList":
      return "module names";
    case "serverMasks":
      return "server name masks";
    case "time":
      return "time H:MM";
  }
}

function elementMarkdown(es: ElementSchema, def: ModuleDefinition, el: XmlElement): string {
  const parts: string[] = [`**\`<${es.name}>\`**`];
  const d = declarationOf(def, el);
  if (d && "fullName" in d && d.fullName && !d.fullName.endsWith(":")) parts[0] += ` · \`${d.fullName}\``;
  if (es.deprecated) parts.push(`⚠ **Deprecated**: ${es.deprecated}`);
  parts.push(es.doc);
  const own = es.attributes.filter((a) => a.group !== "applicability" && !a.deprecated);
  if (own.length) parts.push(`Attributes: ${own.map((a) => `\`${a.name}\`${a.required ? " (required)" : ""}`).join(", ")}${es.attributes.some((a) => a.group === "applicability") ? ", and the applicability attributes (`ifenvironset`, `minservertype`, …)" : ""}`);
  if (es.exactlyOneOf) parts.push(`Needs exactly one of ${es.exactlyOneOf.map((a) => `\`${a}\``).join(", ")}.`);
  parts.push("```xml\n" + es.example + "\n```");
  return parts.join("\n\n");
}

/** The root `<module>`: what the XSD says, plus what modtasks reads from it. */
function moduleMarkdown(def: ModuleDefinition): string {
  const n = def.declarations.length;
  const parts = [`**\`<module>\`** · \`${def.moduleName}\``, MODULE_DOC.replace("<servicemanager>", "`<servicemanager>`")];
  parts.push(
    `The module's name is the name of its folder (\`${def.moduleName}\`): its tasks are \`${def.moduleName}:tag\` and \`${def.moduleName}:type\`. ` +
      (def.servicemanager ? `Its \`<servicemanager>\` has ${n} declaration${n === 1 ? "" : "s"}.` : "It has no `<servicemanager>` section: it declares no background work."),
  );
  return parts.join("\n\n");
}

function attributeMarkdown(es: ElementSchema, as: AttributeSchema): string {
  const req = as.required ? "required" : as.default !== undefined ? `optional, default \`${as.default === "" ? '""' : as.default}\`` : "optional";
  const parts = [`**\`${as.name}\`** on \`<${es.name}>\` · ${typeText(as.type)} · ${req}`];
  if (as.deprecated) parts.push(`⚠ **Deprecated**: ${as.deprecated}`);
  parts.push(as.doc);
  return parts.join("\n\n");
}

function valueMarkdown(ctx: FeatureContext, doc: DefinitionDoc, el: XmlElement, attr: XmlAttribute, as: AttributeSchema, offset: number): string | undefined {
  const es = elementSchema(el.localName)!;
  switch (as.type.kind) {
    case "cron":
      return runatMarkdown(ctx, doc, el, attr, offset);
    case "zone":
      return zoneMarkdown(ctx, attr.value);
    case "path":
      return targetMarkdown(ctx, doc, el, attr);
    case "enum": {
      const v = as.type.values.find((x) => x.value === attr.value.trim());
      if (!v) return attributeMarkdown(es, as);
      return `**\`${as.name}="${v.value}"\`**${v.number !== undefined ? ` (${v.number})` : ""}\n\n${v.doc}`;
    }
    case "name": {
      const d = declarationOf(doc.def, el);
      if (d && (as.name === "tag" || as.name === "type") && "fullName" in d) return nameMarkdown(ctx, d.fullName, d.kind, as);
      return attributeMarkdown(es, as);
    }
    case "qualifiedName":
      return as.name === "cluster" ? clusterMarkdown(doc.def, attr.value) : attributeMarkdown(es, as);
    default:
      return attributeMarkdown(es, as);
  }
}

function nameMarkdown(ctx: FeatureContext, fullName: string, kind: string, as: AttributeSchema): string {
  const parts = [`**\`${fullName}\`** · \`<${kind}>\``];
  const taskKind = kind === "task" ? "scheduled" : kind === "managedtask" ? "managed" : kind === "ephemeraltask" ? "ephemeral" : undefined;
  if (taskKind) {
    const n = countCalls(ctx, fullName, taskKind);
    const fn = taskKind === "scheduled" ? "scheduleTimedTask" : taskKind === "managed" ? "scheduleManagedTask" : "scheduleEphemeralTask";
    parts.push(n === 0 ? `No \`${fn}("${fullName}")\` call in the workspace.` : `Scheduled from ${n} place${n === 1 ? "" : "s"} in the workspace (Find All References).`);
  }
  parts.push(as.doc);
  return parts.join("\n\n");
}

function countCalls(ctx: FeatureContext, fullName: string, kind: "managed" | "ephemeral" | "scheduled"): number {
  const parts = splitTaskName(fullName);
  if (!parts) return 0;
  const probe = { fullName, module: parts.module, name: parts.name, kind };
  let n = 0;
  for (const [, calls] of ctx.index.callSites()) {
    for (const c of calls) {
      const p = splitTaskName(c.name);
      if (c.kind === kind && p && matchesTask(probe, p.module, p.name)) n++;
    }
  }
  return n;
}

function clusterMarkdown(def: ModuleDefinition, value: string): string {
  const v = value.trim();
  const full = v === "" ? "system:default" : v.includes(":") ? v : `${def.moduleName}:${v}`;
  if (full === "system:default") return "**`system:default`** · the default worker pool, shared by all modules.";
  const c = def.clusters.find((x) => x.fullName === full);
  if (c) return `**\`${full}\`** · \`<taskcluster>\` with ${c.workers} worker process${c.workers === 1 ? "" : "es"}${c.threads ? `, ${c.threads} threads each` : ""}.`;
  return `**\`${full}\`** · a worker pool ${full.startsWith(`${def.moduleName}:`) ? "that this module does not declare" : "of another module"}.`;
}

/** The `<task>` a runat/runtz belongs to, read from its attributes as written. */
function scheduleOfElement(ctx: FeatureContext, el: XmlElement): ScheduleView {
  return scheduleView(el.attr("runat")?.value ?? "", el.attr("runtz")?.value ?? "", ctx.settings.cronDialect, ctx.maintenance.offsetMinutes);
}

const DIALECT_TITLE = { webhare: "WebHare", prudence: "Prudence (cron4j)", extended: "extended (Vixie cron)" } as const;

function runatMarkdown(ctx: FeatureContext, doc: DefinitionDoc, el: XmlElement, attr: XmlAttribute, offset: number): string {
  const view = scheduleOfElement(ctx, el);
  const parts = [`**\`runat\`** \`${attr.value.trim() || "(empty)"}\` · ${DIALECT_TITLE[view.dialect]} dialect`];
  if (attr.value.trim() !== "") {
    const field = fieldAt(attr.value, decodedIndexAt(attr, offset));
    if (field) parts.push(`${explainField(field, view.schedule)}. ${DIALECT_SYNTAX[view.dialect]}`);
  }
  parts.push(schedulePreview(ctx, view));
  const link = timelineLink(ctx, doc, el, view);
  if (link) parts.push(link);
  return parts.join("\n\n");
}

/**
 * `[Show timeline](command:modtasks.showTimeline?…)`: the CodeLens's command as a link, with the
 * same ShowTimelineArgs (URI-encoded JSON array of the arguments, as VS Code reads command links).
 * Only for clients that run command links (the extension trusts this one command).
 */
function timelineLink(ctx: FeatureContext, doc: DefinitionDoc, el: XmlElement, view: ScheduleView): string | undefined {
  if (!ctx.client.commandLinks) return undefined;
  const d = declarationOf(doc.def, el);
  if (!d || d.kind !== "task" || !d.tag) return undefined;
  const args = timelineArgs(ctx, view, d.fullName, doc.uri, doc.lines.rangeOf(el.nameSpan));
  if (!args) return undefined;
  return `[Show timeline](command:${COMMANDS.showTimeline}?${encodeURIComponent(JSON.stringify([args]))} "Open the schedule timeline")`;
}

/** Description, next runs and the maintenance offset of a schedule, as Markdown. */
export function schedulePreview(ctx: FeatureContext, view: ScheduleView): string {
  const parts: string[] = [];
  if (view.problem || !view.schedule || !view.zone) {
    parts.push(`⚠ ${view.problem ?? "no schedule"}`);
  } else {
    parts.push(`**${view.description}**, ${view.zoneLabel}`);
    const runs = nextRuns(view, ctx.now, ctx.settings.previewRuns);
    if (runs.length === 0) parts.push("No run in the next 400 years.");
    else parts.push(`Next ${runs.length} run${runs.length === 1 ? "" : "s"}:\n\n${runsTable(runs, view.zone, view.zoneLabel, ctx.now)}`);
  }
  if (view.zone?.kind === "maintenance") parts.push(maintenanceLine(ctx));
  return parts.join("\n\n");
}

function maintenanceLine(ctx: FeatureContext): string {
  const m = ctx.maintenance;
  const line = `Maintenance offset: ${m.offsetMinutes} minutes (${offsetLabel(m.offsetMinutes).replace(/^\+/, "")} after UTC), ${maintenanceSource(m)}.`;
  // Said where the offset is shown, so an invalid WEBHARE_MAINTENANCE_OFFSET is never ignored silently.
  return m.envNote ? `${line}\n\n⚠ ${m.envNote}.` : line;
}

function zoneMarkdown(ctx: FeatureContext, runtz: string): string {
  const view = scheduleView("", runtz, ctx.settings.cronDialect, ctx.maintenance.offsetMinutes);
  const head = `**\`runtz\`** \`${runtz === "" ? "(empty)" : runtz}\``;
  if (!view.zone) return `${head}\n\n⚠ ${view.problem}`;
  const zone = view.zone;
  if (zone.kind === "utc") return `${head} · UTC\n\nMasks are evaluated on the UTC clock; no daylight saving time.`;
  if (zone.kind === "maintenance") return `${head} · ${view.zoneLabel}\n\nUTC shifted by the maintenance offset, so heavy maintenance does not run on every server at once: the mask's times run ${ctx.maintenance.offsetMinutes} minutes after the same UTC time.\n\n${maintenanceLine(ctx)}`;
  return `${head}\n\n${zoneSummary(zone, ctx.now)}`;
}

function zoneSummary(zone: Zone, now: number): string {
  let info: ReturnType<typeof zoneInfo>;
  try {
    info = zoneInfo(zone, now);
  } catch {
    return "Unknown zone.";
  }
  const lines = [`Offset now: UTC${info.offsetText}.`];
  const t = info.nextTransition;
  if (t) {
    const before = formatLong(t.atMs + t.fromOffsetMinutes * 60_000, { kind: "utc" });
    const afterClock = formatLong(t.atMs + t.toOffsetMinutes * 60_000, { kind: "utc" }).slice(-5);
    const kind = t.toOffsetMinutes > t.fromOffsetMinutes ? "clocks go forward" : "clocks go back";
    lines.push(`Next change: ${before} → ${afterClock} (${kind}, UTC${offsetLabel(t.fromOffsetMinutes)} → UTC${offsetLabel(t.toOffsetMinutes)}), ${formatRelative(t.atMs, now)}.`);
  } else lines.push("No daylight saving time change in the next 5 years.");
  return lines.join("\n\n");
}

function targetMarkdown(ctx: FeatureContext, doc: DefinitionDoc, el: XmlElement, attr: XmlAttribute): string | undefined {
  const d = declarationOf(doc.def, el);
  if (!d) return undefined;
  const ref = attr.name === "script" ? ("scriptRef" in d ? d.scriptRef : undefined) : attr.name === "objectname" && "objectname" in d ? d.objectname : attr.name === "taskrunner" && "taskrunner" in d ? d.taskrunner : undefined;
  if (!ref) return attributeMarkdown(elementSchema(el.localName)!, attributeSchema(el.localName, attr.name)!);
  const info = targetInfo(doc.def, ref, ctx.fs);
  const head = `**\`${attr.name}\`** → \`${ref.module ? `mod::${ref.module}/` : ""}${ref.path}\``;
  if (!info.resolved.ok) return `${head}\n\n⚠ ${info.resolved.message}`;
  const parts = [`${head} · exists${ref.module && ref.module !== doc.def.moduleName ? ` in module \`${ref.module}\`` : ""}`];
  if (attr.name === "script" && info.text !== undefined) {
    // A script's leading comment usually says what it does.
    const m = /^(?:#![^\n]*\n)?\s*((?:\/\/[^\n]*\n?)+|\/\*[\s\S]*?\*\/)/.exec(info.text);
    if (m) parts.push(m[1]!.replace(/^\s*(\/\/|\/\*+|\*\/|\*)\s?/gm, "").trim());
  }
  if (ref.language === "harescript") parts.push("HareScript: only a WebHare server can run it; the local runtime checks it but does not run it.");
  if (ref.exportName !== undefined && ref.exportName !== "") {
    if (info.export && info.text !== undefined) {
      const lang = ref.language === "harescript" ? "harescript" : ref.language === "javascript" ? "javascript" : "typescript";
      parts.push("```" + lang + "\n" + signatureOf(info.text, info.export) + "\n```");
      const comment = docCommentOf(info.text, info.export);
      if (comment) parts.push(comment);
    } else parts.push(`⚠ \`${ref.exportName}\` is not exported by this file.`);
  }
  return parts.join("\n\n");
}

// ---------------------------------------------------------------------------------------------
// crontab

function crontabHover(ctx: FeatureContext, doc: CrontabDoc, offset: number): { md: string; span: Span } | undefined {
  const e = doc.entries.find((x) => offset >= x.span.start && offset <= x.span.end);
  if (!e) return undefined;
  if (offset >= e.patternSpan.start && offset <= e.patternSpan.end) {
    const mask = doc.text.slice(e.patternSpan.start, e.patternSpan.end);
    const view = scheduleView(mask, "", "prudence", 0);
    // Crontabs run on the runtime's clock: the crontab zone, not UTC.
    view.zone = ctx.crontabZone;
    view.zoneLabel = ctx.crontabZone.kind === "iana" ? ctx.crontabZone.name : "UTC";
    const parts = [`**${doc.system ? "crontab.system" : "crontab"}** \`${mask}\` · Prudence (cron4j) dialect`];
    const field = fieldAt(mask, offset - e.patternSpan.start);
    if (field) parts.push(`${explainField(field, view.schedule)}. ${DIALECT_SYNTAX.prudence}`);
    parts.push(schedulePreview(ctx, view));
    parts.push(`${doc.system ? "Starts" : "Runs"} \`${e.document}\`${e.context !== undefined ? ` with the context \`${e.context}\`` : ""}.`);
    return { md: parts.join("\n\n"), span: e.patternSpan };
  }
  if (offset >= e.documentSpan.start && offset <= e.documentSpan.end) {
    if (doc.system) return { md: `**Command** \`${e.document}\`, started as a process (system crontab).`, span: e.documentSpan };
    if (e.document.startsWith("<%")) return { md: "**Literal code** run as the task (Prudence's `<% … %>` form).", span: e.documentSpan };
    if (!doc.path) return undefined;
    const r = resolveCrontabDocument(doc.path, e.document, ctx.fs);
    const md = r.ok ? `**Document** \`${e.document}\` → \`${relative(dirnameOf(doc.path), r.file)}\`` : `**Document** \`${e.document}\`\n\n⚠ ${r.message}`;
    return { md, span: e.documentSpan };
  }
  if (e.contextSpan && offset >= e.contextSpan.start) {
    return { md: "**Context**: passed to the task as one string, exactly as written (JSON by convention).", span: e.contextSpan };
  }
  return undefined;
}

function dirnameOf(p: string): string {
  return p.slice(0, Math.max(0, p.lastIndexOf("/")));
}

// ---------------------------------------------------------------------------------------------
// code

function codeHover(ctx: FeatureContext, doc: CodeDoc, offset: number): { md: string; span: Span } | undefined {
  const site = siteAt(doc.services, offset);
  if (site) return { md: serviceMarkdown(ctx, site), span: site.nameSpan };
  const call = doc.calls.find((c) => offset >= c.literalSpan.start && offset <= c.literalSpan.end);
  if (!call) return undefined;
  const parts = splitTaskName(call.name);
  if (!parts) return undefined;
  const found = ctx.index.findDeclaration(parts.module, parts.name, call.kind);
  if (!found) return undefined;
  const d = found.decl;
  const lines = [`**\`${d.fullName}\`** · \`<${d.kind}>\` in \`${found.entry.name}/moduledefinition.xml\` line ${d.line}`];
  if (d.kind === "managedtask" || d.kind === "ephemeraltask") {
    lines.push(`${d.target ?? "no target"} · priority \`${d.priorityName}\`${d.timeoutMs ? ` · timeout ${d.timeoutMs} ms` : ""}${d.kind === "managedtask" ? ` · maxfailures ${d.maxFailures === -1 ? "∞" : d.maxFailures}` : ""} · cluster \`${d.cluster}\``);
  } else if (d.kind === "task") {
    const view = scheduleView(d.runat ?? "", d.runtz ?? "", ctx.settings.cronDialect, ctx.maintenance.offsetMinutes);
    lines.push(schedulePreview(ctx, view));
  }
  return { md: lines.join("\n\n"), span: call.span };
}

/** A backend service name: where it is registered and how often it is opened. */
function serviceMarkdown(ctx: FeatureContext, site: ServiceCallSite): string {
  const name = normalizeName(site.name);
  const parts = [`**\`${name}\`** · backend service`];
  const regs = registrationsOf(name, ctx.index);
  for (const r of regs.calls) {
    const lines = ctx.index.callsIn(r.file)?.lines;
    const line = lines ? lines.positionAt(r.site.nameSpan.start).line + 1 : undefined;
    parts.push(`Registered by \`runBackendService\` in ${fileLink(ctx, r.file, line)}.`);
  }
  for (const c of regs.configured) {
    parts.push(`Declared in ${fileLink(ctx, c.file)}: runs \`${relative(dirname(c.file), c.script)}\`, ${c.onDemand ? "started when a client opens it" : "started with the runtime"}.`);
  }
  if (regs.calls.length === 0 && regs.configured.length === 0) parts.push(`⚠ No \`runBackendService("${name}")\` in the workspace, and no modtasks.json declares it.`);
  const opens = sitesOf(name, ctx.index, ["open"]).length;
  parts.push(opens === 0 ? "Not opened anywhere in the workspace." : `Opened from ${opens} place${opens === 1 ? "" : "s"} in the workspace (Find All References).`);
  return parts.join("\n\n");
}

/** A workspace file as `module/path` (line n), linked when the client renders Markdown. */
function fileLink(ctx: FeatureContext, file: string, line?: number): string {
  let label: string | undefined;
  for (const m of ctx.index.moduleEntries()) {
    const dir = dirname(m.file);
    if (file.startsWith(`${dir}/`)) {
      label = `${basename(dir)}/${file.slice(dir.length + 1)}`;
      break;
    }
  }
  label ??= ctx.doc.path ? relative(dirname(ctx.doc.path), file) : file;
  const text = `\`${label}\`${line !== undefined ? ` line ${line}` : ""}`;
  const target = ctx.uriOf(file).replace(/[()]/g, (c) => (c === "(" ? "%28" : "%29"));
  return ctx.client.markdown ? `[${text}](${target}${line !== undefined ? `#L${line}` : ""})` : text;
}
