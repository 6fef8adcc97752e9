/**
 * Completion. In moduledefinition.xml: element names valid at the cursor, attribute names of the
 * element (not already present, required first), enum and boolean values, IANA zones ranked
 * (`maintenance`, UTC, common zones, the rest), module-relative paths, export names after `#`,
 * common masks for `runat`, and snippets for whole declarations. In code: task names inside
 * `scheduleManagedTask("|")`. In crontabs: common masks on an empty line.
 */
import { dirname, join } from "node:path";
import {
  Command,
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
  type Position,
  type Range,
} from "vscode-languageserver";
import { listZones, parseCron, zoneInfo, type CronDialect } from "../../../runtime/src/cron/index";
import { scanFile } from "../../../runtime/src/definition/exports";
import { languageOf } from "../../../runtime/src/definition/target-ref";
import { attributeSchema, elementSchema, type AttributeSchema, type ElementSchema } from "../../../runtime/src/definition/schema";
import type { Span } from "../../../runtime/src/text/span";
import { nodeAt } from "../../../runtime/src/xml/index";
import type { XmlAttribute, XmlElement } from "../../../runtime/src/xml/types";
import type { CodeDoc, CrontabDoc, DefinitionDoc } from "../analysis/analyze";
import { decodedIndexAt, inServicemanager } from "../analysis/xml-context";
import type { FeatureContext } from "./context";

/**
 * `trigger` is the character that triggered completion automatically (undefined when asked for
 * explicitly): each context answers only to its own characters, so a space typed in text or a
 * quote typed in code elsewhere does not pop up a list.
 */
export function completion(ctx: FeatureContext, position: Position, trigger?: string): CompletionList | null {
  const doc = ctx.doc;
  const offset = doc.lines.offsetAt(position);
  let items: CompletionItem[] | undefined;
  if (doc.kind === "moduledefinition") items = definitionCompletion(ctx, doc, offset, trigger);
  else if (doc.kind === "code") items = trigger === undefined || `"':\``.includes(trigger) ? codeCompletion(ctx, doc, offset) : undefined;
  else if (doc.kind === "crontab") items = trigger === undefined ? crontabCompletion(ctx, doc, offset) : undefined;
  if (!items) return null;
  return { isIncomplete: false, items };
}

/** Fills in the documentation of items whose details are costly to compute for all of them (zones). */
export function resolveCompletion(ctx: Pick<FeatureContext, "now">, item: CompletionItem): CompletionItem {
  const data = item.data as { zone?: string } | undefined;
  if (data?.zone) {
    const info = zoneDetails(data.zone, ctx.now);
    if (info) item.detail = info;
  }
  return item;
}

// ---------------------------------------------------------------------------------------------
// moduledefinition.xml

/** Which trigger characters each cursor context answers to. */
const TRIGGERS: Record<string, string[]> = {
  name: ["<"],
  text: ["<"],
  tagBody: [" "],
  attrName: [" "],
  attrValue: ['"', "'", "/", "#"],
  endTag: [],
};

function definitionCompletion(ctx: FeatureContext, doc: DefinitionDoc, offset: number, trigger: string | undefined): CompletionItem[] | undefined {
  const text = doc.text;
  const pos = nodeAt(doc.def.xml, offset);
  if (trigger !== undefined && !(TRIGGERS[pos.in] ?? []).includes(trigger)) return undefined;
  const el = pos.element;
  const range = (s: Span): Range => doc.lines.rangeOf(s);
  switch (pos.in) {
    case "name": {
      if (!el) return undefined;
      const parent = el.parent;
      const allowed = allowedChildren(parent);
      if (!allowed) return undefined;
      const nameRange = range(el.nameSpan);
      const bare = el.attributes.length === 0 && !el.startTagClosed;
      const items: CompletionItem[] = allowed.map((es, i) => ({
        label: es.name,
        kind: CompletionItemKind.Property,
        detail: es.deprecated ? "deprecated" : firstSentence(es.doc),
        documentation: md(ctx, es.doc),
        sortText: `${es.deprecated ? "9" : "1"}${pad(i)}`,
        textEdit: { range: nameRange, newText: es.name },
        ...(es.deprecated ? { tags: [1] } : {}),
      }));
      // A bare `<ta|` also gets whole-declaration snippets.
      if (bare) for (const s of snippetsFor(ctx, allowed, false)) items.push({ ...s, textEdit: { range: nameRange, newText: s.insertText! }, insertText: undefined } as CompletionItem);
      return items.map(cleanInsert);
    }
    case "text": {
      const allowed = allowedChildren(el);
      if (!allowed) return undefined;
      const afterLt = text[offset - 1] === "<";
      const start = afterLt ? offset - 1 : offset;
      const r = range({ start, end: offset });
      return snippetsFor(ctx, allowed, true).map((s) => ({ ...s, textEdit: { range: r, newText: s.insertText! }, insertText: undefined }) as CompletionItem).map(cleanInsert);
    }
    case "tagBody":
    case "attrName": {
      if (!el || !inServicemanager(el)) return undefined;
      const es = elementSchema(el.localName);
      if (!es) return undefined;
      const attr = pos.in === "attrName" ? pos.attribute : undefined;
      const r = attr ? range(attr.nameSpan) : range({ start: offset, end: offset });
      const hasValue = attr ? /^\s*=/.test(text.slice(attr.nameSpan.end)) : false;
      return attributeItems(ctx, es, el, attr, r, hasValue);
    }
    case "attrValue": {
      if (!el || !pos.attribute || !inServicemanager(el)) return undefined;
      const as = attributeSchema(el.localName, pos.attribute.name);
      if (!as) return undefined;
      return valueItems(ctx, doc, pos.attribute, as, offset);
    }
    default:
      return undefined;
  }
}

function cleanInsert(i: CompletionItem): CompletionItem {
  if (i.insertText === undefined) delete i.insertText;
  return i;
}

function pad(i: number): string {
  return String(i).padStart(3, "0");
}

function firstSentence(s: string): string {
  const plain = s.replace(/\*\*/g, "").replace(/`/g, "");
  const m = /^(.*?[.:])(\s|$)/.exec(plain);
  return (m ? m[1]! : plain).slice(0, 100);
}

function md(ctx: FeatureContext, value: string) {
  return { kind: ctx.client.markdown ? MarkupKind.Markdown : MarkupKind.PlainText, value };
}

/** Elements allowed inside `parent` (the section's children, `<arg>` in `<task>`, `<servicemanager>` in `<module>`). */
function allowedChildren(parent: XmlElement | undefined): ElementSchema[] | undefined {
  if (!parent) return undefined;
  if (parent.localName === "module" && parent.parent === undefined) {
    const has = parent.elements("servicemanager").length > 0;
    return has ? [] : [elementSchema("servicemanager")!];
  }
  if (!inServicemanager(parent)) return undefined;
  const es = elementSchema(parent.localName);
  if (!es) return undefined;
  return es.children.map((c) => elementSchema(c)!).filter(Boolean);
}

const SNIPPETS: Record<string, { label: string; snippet: string; detail: string }[]> = {
  servicemanager: [{ label: "servicemanager", snippet: "<servicemanager>\n\t$0\n</servicemanager>", detail: "the tasks section" }],
  task: [{ label: "task", snippet: '<task tag="${1:cleanup}" runat="${2:13 0 * * *}" runtz="${3:Europe/Amsterdam}" script="${4:scripts/tasks/${1}.ts}" />', detail: "scheduled task" }],
  managedtask: [
    { label: "managedtask", snippet: '<managedtask type="${1:sendmail}" objectname="${2:lib/tasks.ts}#${3:SendMailTask}" />', detail: "managed task (class)" },
    { label: "managedtask (taskrunner)", snippet: '<managedtask type="${1:sendmail}" taskrunner="${2:lib/tasks.ts}#${3:sendMail}" />', detail: "managed task (function)" },
  ],
  ephemeraltask: [{ label: "ephemeraltask", snippet: '<ephemeraltask type="${1:render}" taskrunner="${2:lib/tasks.ts}#${3:render}" />', detail: "ephemeral task (function)" }],
  taskcluster: [{ label: "taskcluster", snippet: '<taskcluster tag="${1:heavy}" harescriptworkers="${2:2}" />', detail: "worker pool" }],
  runonce: [{ label: "runonce", snippet: '<runonce tag="${1:init_20260101}" script="${2:scripts/runonce/init.ts}" when="${3|aftertablecreation,afterschemacreation,afterregistryupdate,aftertablesbeforerights,poststart|}" />', detail: "run-once script" }],
  arg: [{ label: "arg", snippet: "<arg>$1</arg>", detail: "script argument" }],
};

/** Strips snippet syntax: `${1:x}` → x, `${1|a,b|}` → a, `$0` → "". */
function plainOf(snippet: string): string {
  return snippet
    .replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, "$1")
    .replace(/\$\{\d+:((?:[^{}]|\$\{\d+\})*)\}/g, (_m, inner: string) => inner.replace(/\$\{\d+\}/g, ""))
    .replace(/\$\{\d+\}/g, "")
    .replace(/\$\d+/g, "");
}

function snippetsFor(ctx: FeatureContext, allowed: ElementSchema[], withLt: boolean): CompletionItem[] {
  const out: CompletionItem[] = [];
  allowed.forEach((es, i) => {
    for (const s of SNIPPETS[es.name] ?? []) {
      let body = ctx.client.snippets ? s.snippet : plainOf(s.snippet);
      if (!withLt) body = body.slice(1);
      out.push({
        label: withLt ? `<${s.label}>` : s.label,
        kind: CompletionItemKind.Snippet,
        detail: s.detail,
        documentation: md(ctx, es.doc),
        filterText: withLt ? `<${es.name}` : es.name,
        sortText: `${es.deprecated ? "9" : "2"}${pad(i)}`,
        insertText: body,
        insertTextFormat: ctx.client.snippets ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      });
    }
  });
  return out;
}

function attributeItems(ctx: FeatureContext, es: ElementSchema, el: XmlElement, current: XmlAttribute | undefined, range: Range, hasValue: boolean): CompletionItem[] {
  const present = new Set(el.attributes.filter((a) => a !== current).map((a) => a.name));
  const items: CompletionItem[] = [];
  es.attributes.forEach((as, i) => {
    if (present.has(as.name)) return;
    // `maxfailures` is not an ephemeral task's; deprecated attributes sink to the bottom.
    const rank = as.deprecated ? "8" : as.required ? "0" : as.group === "applicability" ? "5" : "2";
    const choice = as.type.kind === "enum" ? as.type.values.map((v) => v.value) : as.type.kind === "boolean" ? ["true", "false"] : undefined;
    let newText = as.name;
    let format: InsertTextFormat = InsertTextFormat.PlainText;
    if (!hasValue) {
      if (ctx.client.snippets) {
        newText = choice ? `${as.name}="\${1|${choice.join(",")}|}"` : `${as.name}="$1"`;
        format = InsertTextFormat.Snippet;
      } else newText = `${as.name}=""`;
    }
    const item: CompletionItem = {
      label: as.name,
      kind: CompletionItemKind.Property,
      detail: `${as.required ? "required" : "optional"}${as.deprecated ? ", deprecated" : ""}`,
      documentation: md(ctx, as.doc),
      sortText: `${rank}${pad(i)}`,
      textEdit: { range, newText },
      insertTextFormat: format,
    };
    if (as.deprecated) item.tags = [1];
    if (!hasValue && (choice || as.type.kind === "zone" || as.type.kind === "cron" || as.type.kind === "path")) item.command = Command.create("Suggest", "editor.action.triggerSuggest");
    items.push(item);
  });
  return items;
}

function valueItems(ctx: FeatureContext, doc: DefinitionDoc, attr: XmlAttribute, as: AttributeSchema, offset: number): CompletionItem[] | undefined {
  const whole = doc.lines.rangeOf(attr.valueSpan);
  const t = as.type;
  switch (t.kind) {
    case "enum":
      return t.values.map((v, i) => ({
        label: v.value,
        kind: CompletionItemKind.EnumMember,
        detail: v.number !== undefined ? String(v.number) : undefined,
        documentation: md(ctx, v.doc),
        sortText: pad(i),
        textEdit: { range: whole, newText: v.value },
      })).map(dropUndefined);
    case "boolean":
      return ["true", "false"].map((v, i) => ({ label: v, kind: CompletionItemKind.Value, sortText: pad(i), textEdit: { range: whole, newText: v } }));
    case "zone":
      return zoneItems(whole);
    case "cron":
      return maskItems(ctx, ctx.settings.cronDialect, whole);
    case "qualifiedName": {
      if (as.name !== "cluster") return undefined;
      const names = ["system:default", ...doc.def.clusters.map((c) => c.tag).filter((x) => x !== "")];
      return names.map((n, i) => ({ label: n, kind: CompletionItemKind.Value, sortText: pad(i), textEdit: { range: whole, newText: n } }));
    }
    case "path":
      return pathItems(ctx, doc, attr, t.target, offset);
    default:
      return undefined;
  }
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** Common zones after `maintenance` and UTC; everything else follows alphabetically. */
export const COMMON_ZONES = [
  "Europe/Amsterdam",
  "Europe/London",
  "Europe/Berlin",
  "Europe/Paris",
  "America/New_York",
  "America/Chicago",
  "America/Los_Angeles",
  "America/Sao_Paulo",
  "Asia/Tokyo",
  "Asia/Shanghai",
  "Asia/Kolkata",
  "Asia/Singapore",
  "Australia/Sydney",
];

function zoneItems(range: Range): CompletionItem[] {
  const items: CompletionItem[] = [
    { label: "maintenance", kind: CompletionItemKind.Value, detail: "UTC shifted by the maintenance offset", sortText: "0_0", textEdit: { range, newText: "maintenance" } },
    { label: "UTC", kind: CompletionItemKind.Value, detail: "UTC (the same as leaving runtz empty)", sortText: "0_1", textEdit: { range, newText: "UTC" } },
  ];
  const common = new Set(COMMON_ZONES);
  COMMON_ZONES.forEach((z, i) => items.push({ label: z, kind: CompletionItemKind.Value, sortText: `1_${pad(i)}`, textEdit: { range, newText: z }, data: { zone: z } }));
  for (const z of listZones()) {
    if (common.has(z) || z === "UTC") continue;
    items.push({ label: z, kind: CompletionItemKind.Value, sortText: `2_${z}`, filterText: z, textEdit: { range, newText: z }, data: { zone: z } });
  }
  return items;
}

function zoneDetails(zone: string, now: number): string | undefined {
  try {
    // Lazily, in completionItem/resolve: computing every zone's offsets up front would cost a second.
    const info = zoneInfo({ kind: "iana", name: zone }, now);
    return `UTC${info.offsetText} now`;
  } catch {
    return undefined;
  }
}

/** Masks people reach for, in the syntax each dialect accepts. */
const MASKS: { mask: string; note?: string; dialects?: CronDialect[] }[] = [
  { mask: "0 * * * *" },
  { mask: "*/5 * * * *" },
  { mask: "*/15 * * * *" },
  { mask: "0 */6 * * *" },
  { mask: "0 3 * * *" },
  { mask: "13 0 * * *", note: "an odd minute spreads load" },
  { mask: "0 8 * * 1" },
  { mask: "30 6 * * 1,2,3,4,5" },
  { mask: "0 9 * * mon-fri", dialects: ["prudence", "extended"] },
  { mask: "0 0 1 * *" },
  { mask: "0 0 L * *", dialects: ["prudence"] },
  { mask: "0 0 * * 0" },
  { mask: "@daily", dialects: ["extended"] },
];

function maskItems(ctx: FeatureContext, dialect: CronDialect, range: Range): CompletionItem[] {
  const out: CompletionItem[] = [];
  MASKS.forEach((m, i) => {
    if (m.dialects && !m.dialects.includes(dialect)) return;
    const c = parseCron(m.mask, dialect);
    if (!c.schedule) return;
    const description = c.schedule.describe();
    out.push({
      label: m.mask,
      kind: CompletionItemKind.Value,
      detail: description,
      documentation: md(ctx, `**${description}**${m.note ? ` (${m.note})` : ""}`),
      filterText: m.mask,
      sortText: pad(i),
      textEdit: { range, newText: m.mask },
    });
  });
  return out;
}

const CODE_FILE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const TARGET_FILE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|whlib)$/;

function pathItems(ctx: FeatureContext, doc: DefinitionDoc, attr: XmlAttribute, target: "script" | "object" | "function", offset: number): CompletionItem[] | undefined {
  if (!doc.path) return undefined;
  const value = attr.value;
  const at = decodedIndexAt(attr, offset);
  const hash = value.indexOf("#");
  const moduleDir = dirname(doc.path);
  if (target !== "script" && hash >= 0 && at > hash) {
    // After '#': exports of the file.
    const path = value.slice(0, hash).replace(/^\/+/, "");
    if (path.startsWith("mod::")) return undefined;
    const file = join(moduleDir, path);
    const text = ctx.fs.readText(file);
    if (text === undefined) return [];
    const lang = languageOf(file);
    if (lang === "other") return [];
    const range = doc.lines.rangeOf(attr.sourceSpanOf({ start: hash + 1, end: value.length }));
    const wanted = target === "object" ? ["class", "objecttype"] : ["function"];
    return scanFile(text, lang)
      .exports.filter((e) => wanted.includes(e.kind) || e.kind === "reexport")
      .map((e, i) => ({
        label: e.name,
        kind: e.kind === "function" ? CompletionItemKind.Function : CompletionItemKind.Class,
        detail: e.extends ? `extends ${e.extends}` : e.kind,
        sortText: `${e.extends === "ManagedTaskBase" || e.kind === "function" ? "0" : "1"}${pad(i)}`,
        textEdit: { range, newText: e.name },
      }));
  }
  const pathEnd = hash >= 0 ? hash : value.length;
  if (at > pathEnd) return undefined;
  const typed = value.slice(0, at);
  if (typed.startsWith("mod::")) return undefined;
  const slash = typed.lastIndexOf("/");
  const dirPart = typed.slice(0, slash + 1);
  let segEnd = value.indexOf("/", at);
  if (segEnd < 0 || segEnd > pathEnd) segEnd = pathEnd;
  const range = doc.lines.rangeOf(attr.sourceSpanOf({ start: slash + 1, end: segEnd }));
  const dir = join(moduleDir, dirPart.replace(/^\/+/, ""));
  if (!dir.startsWith(moduleDir)) return [];
  const filter = target === "script" ? undefined : target === "object" ? TARGET_FILE : TARGET_FILE;
  const items: CompletionItem[] = [];
  for (const e of ctx.fs.list(dir)) {
    if (e.dir) {
      items.push({ label: `${e.name}/`, kind: CompletionItemKind.Folder, sortText: `1${e.name}`, textEdit: { range, newText: `${e.name}/` }, command: Command.create("Suggest", "editor.action.triggerSuggest") });
      continue;
    }
    if (e.name === "moduledefinition.xml" || (filter && !filter.test(e.name)) || e.name.endsWith(".d.ts")) continue;
    const addHash = target !== "script" && hash < 0;
    const item: CompletionItem = {
      label: e.name,
      kind: CompletionItemKind.File,
      sortText: `${CODE_FILE.test(e.name) ? "0" : "2"}${e.name}`,
      textEdit: { range, newText: addHash ? `${e.name}#` : e.name },
    };
    if (addHash) item.command = Command.create("Suggest", "editor.action.triggerSuggest");
    items.push(item);
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// code and crontab

function codeCompletion(ctx: FeatureContext, doc: CodeDoc, offset: number): CompletionItem[] | undefined {
  const call = doc.calls.find((c) => offset >= c.span.start && offset <= c.span.end);
  if (!call) return undefined;
  const range = doc.lines.rangeOf(call.span);
  const seen = new Set<string>();
  return ctx.index
    .allTasks()
    .filter((t) => t.kind === call.kind && !seen.has(t.fullName) && seen.add(t.fullName) !== undefined)
    .map((t, i) => ({
      label: t.fullName,
      kind: call.kind === "scheduled" ? CompletionItemKind.Event : CompletionItemKind.Class,
      detail: call.kind === "scheduled" ? "<task>" : call.kind === "managed" ? "<managedtask>" : "<ephemeraltask>",
      sortText: pad(i),
      textEdit: { range, newText: t.fullName },
    }));
}

function crontabCompletion(ctx: FeatureContext, doc: CrontabDoc, offset: number): CompletionItem[] | undefined {
  const lineStart = doc.text.lastIndexOf("\n", offset - 1) + 1;
  const before = doc.text.slice(lineStart, offset);
  if (before.trim() !== "" && !/^[\d*/,\-| a-zA-Z]*$/.test(before)) return undefined;
  if (doc.entries.some((e) => offset > e.patternSpan.end && offset <= e.span.end + 1 && e.span.start >= lineStart)) return undefined;
  const range = doc.lines.rangeOf({ start: lineStart + (before.length - before.trimStart().length), end: offset });
  return maskItems(ctx, "prudence", range);
}
