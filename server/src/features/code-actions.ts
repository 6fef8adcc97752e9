/**
 * Quick fixes, each attached to the finding it fixes:
 * - a finding's suggested replacement or edits (misspelt zone, element, attribute, enum value,
 *   cluster, WebHare-incompatible mask syntax, unknown task name in code, ...), preferred;
 * - deprecated `runtime`/`runinterval` → an equivalent `runat` (or removal with a TODO comment);
 * - a missing target class/function → a stub that compiles, in a new file (CreateFile) or at
 *   the end of the existing one; a missing script or crontab document → a stub program.
 * Findings are recomputed from the current analysis, so a fix always matches the text.
 */
import { dirname, extname, relative } from "node:path";
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionContext,
  type Diagnostic,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from "vscode-languageserver";
import { scanFile } from "../../../runtime/src/definition/exports";
import type { Declaration, ModuleDefinition, TargetRef } from "../../../runtime/src/definition/model";
import { resolveTarget, TASK_BASE_CLASS, targetsOf } from "../../../runtime/src/definition/targets";
import type { Finding } from "../../../runtime/src/text/finding";
import { LineIndex } from "../../../runtime/src/text/line-index";
import type { Span } from "../../../runtime/src/text/span";
import type { DefinitionDoc } from "../analysis/analyze";
import type { FeatureContext } from "./context";
import { enabledFindings, toDiagnostic } from "./diagnostics";

export function codeActions(ctx: FeatureContext, range: Range, context: Pick<CodeActionContext, "only" | "diagnostics">): CodeAction[] {
  if (context.only && !context.only.some((k) => k === CodeActionKind.QuickFix || k === CodeActionKind.Empty || CodeActionKind.QuickFix.startsWith(`${k}.`))) return [];
  const doc = ctx.doc;
  const from = doc.lines.offsetAt(range.start);
  const to = doc.lines.offsetAt(range.end);
  const wanted = new Set(context.diagnostics.filter((d) => d.source === "modtasks").map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`));
  const out: CodeAction[] = [];
  for (const f of enabledFindings(doc, ctx.settings.diagnostics.disabled)) {
    const touches = f.span.start <= to && f.span.end >= from;
    const start = doc.lines.positionAt(f.span.start);
    if (!touches && !wanted.has(`${f.code}@${start.line}:${start.character}`)) continue;
    const diag = toDiagnostic(f, doc.lines, doc.uri);
    out.push(...fixesFor(ctx, f, diag));
  }
  return out;
}

function fixesFor(ctx: FeatureContext, f: Finding, diag: Diagnostic): CodeAction[] {
  const doc = ctx.doc;
  const out: CodeAction[] = [];
  const data = f.data;
  const edit = (title: string, edits: TextEdit[], preferred: boolean): CodeAction => ({
    title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diag],
    isPreferred: preferred,
    edit: { changes: { [doc.uri]: edits } },
  });
  if (data && typeof data.replacement === "string") {
    const r = data.replacement;
    out.push(edit(typeof data.fixTitle === "string" ? data.fixTitle : `Change to '${r}'`, [{ range: doc.lines.rangeOf(f.span), newText: r }], true));
  } else if (data && Array.isArray(data.edits) && data.edits.length > 0) {
    const edits = (data.edits as { span: Span; newText: string }[]).map((e) => ({ range: doc.lines.rangeOf(e.span), newText: e.newText }));
    out.push(edit(typeof data.fixTitle === "string" ? data.fixTitle : "Fix", edits, true));
  }
  if (doc.kind === "moduledefinition") {
    if (f.code === "deprecated-attribute") out.push(...deprecatedFixes(doc, f, diag, out.length === 0));
    if (f.code === "target-not-found" || f.code === "export-not-found") {
      const stub = stubFix(ctx, doc, f, diag);
      if (stub) out.push(stub);
    }
    if (f.code === "export-not-task-class") {
      const ext = extendsFix(ctx, doc, f, diag);
      if (ext) out.push(ext);
    }
  }
  if (doc.kind === "crontab" && f.code === "crontab-document-not-found" && typeof data?.createFile === "string" && ctx.client.createFiles) {
    const file = data.createFile;
    out.push(createFileAction(ctx, typeof data.fixTitle === "string" ? data.fixTitle : `Create ${file}`, file, programStub(file, `the crontab entry '${doc.text.slice(f.span.start, f.span.end)}'`), diag));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// deprecated runtime / runinterval

/** A cron mask with the same runs as `runinterval` minutes, when one exists. */
export function maskForInterval(minutes: number): string | undefined {
  if (!Number.isInteger(minutes) || minutes <= 0) return undefined;
  if (minutes < 60 && 60 % minutes === 0) return minutes === 1 ? "* * * * *" : `*/${minutes} * * * *`;
  if (minutes % 60 === 0) {
    const h = minutes / 60;
    if (h === 1) return "0 * * * *";
    if (h < 24 && 24 % h === 0) return `0 */${h} * * *`;
    if (h === 24) return "0 0 * * *";
  }
  return undefined;
}

function deprecatedFixes(doc: DefinitionDoc, f: Finding, diag: Diagnostic, noneYet: boolean): CodeAction[] {
  const d = doc.def.scheduledTasks.find((t) => t.element.attributes.some((a) => a.nameSpan.start === f.span.start));
  if (!d) return [];
  const attr = d.element.attributes.find((a) => a.nameSpan.start === f.span.start)!;
  const removal = removalSpan(doc.text, attr.span);
  const edits = (list: TextEdit[], title: string): CodeAction => ({ title, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred: noneYet, edit: { changes: { [doc.uri]: list } } });
  const hasRunat = d.element.attr("runat") !== undefined;
  if (attr.name === "runinterval") {
    if (hasRunat) return [edits([{ range: doc.lines.rangeOf(removal), newText: "" }], "Remove 'runinterval' (runat is set)")];
    const mask = maskForInterval(Number(attr.value.trim()));
    if (mask) return [edits([{ range: doc.lines.rangeOf(attr.span), newText: `runat="${mask}"` }], `Replace with runat="${mask}"`)];
    // No exact mask: remove it and leave a note for the author.
    const indent = lineIndent(doc.text, d.element.span.start);
    const note = `<!-- TODO: runinterval="${attr.value}" has no exact cron equivalent; set runat (e.g. runat="*/15 * * * *") -->\n${indent}`;
    return [
      edits(
        [
          { range: doc.lines.rangeOf({ start: d.element.span.start, end: d.element.span.start }), newText: note },
          { range: doc.lines.rangeOf(removal), newText: "" },
        ],
        "Remove 'runinterval' and leave a TODO",
      ),
    ];
  }
  if (attr.name === "runtime" && hasRunat) return [edits([{ range: doc.lines.rangeOf(removal), newText: "" }], "Remove 'runtime' (runat is set)")];
  return [];
}

function removalSpan(text: string, span: Span): Span {
  let start = span.start;
  while (start > 0 && (text[start - 1] === " " || text[start - 1] === "\t")) start--;
  return { start, end: span.end };
}

function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}

// ---------------------------------------------------------------------------------------------
// stubs for missing targets

function findTarget(def: ModuleDefinition, f: Finding): { d: Declaration; ref: TargetRef; attr: "script" | "objectname" | "taskrunner" } | undefined {
  for (const d of def.declarations) {
    for (const t of targetsOf(d)) {
      if ((t.ref.pathSpan.start === f.span.start && t.ref.pathSpan.end === f.span.end) || (t.ref.exportSpan && t.ref.exportSpan.start === f.span.start && t.ref.exportSpan.end === f.span.end)) {
        return { d, ref: t.ref, attr: t.attr };
      }
    }
  }
  return undefined;
}

type Flavor = "ts" | "esm" | "cjs";

function flavorOf(file: string): Flavor | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === ".ts" || ext === ".mts" || ext === ".cts" || ext === ".tsx") return "ts";
  if (ext === ".js" || ext === ".mjs" || ext === ".jsx") return "esm";
  if (ext === ".cjs") return "cjs";
  return undefined;
}

export function classStub(name: string, flavor: Flavor, withImport: boolean): string {
  const imp = !withImport ? "" : flavor === "cjs" ? 'const { ManagedTaskBase } = require("modtasks");\n\n' : 'import { ManagedTaskBase } from "modtasks";\n\n';
  const param = flavor === "ts" ? "_data: unknown" : "_data";
  const body = `  async runTask(${param}) {\n    this.resolveByCompletion(null);\n  }\n`;
  if (flavor === "cjs") return `${imp}exports.${name} = class ${name} extends ManagedTaskBase {\n${body}};\n`;
  return `${imp}export class ${name} extends ManagedTaskBase {\n${body}}\n`;
}

export function functionStub(name: string, flavor: Flavor, withImport: boolean): string {
  if (flavor === "ts") {
    const imp = withImport ? 'import type { TaskRequest } from "modtasks";\n\n' : "";
    return `${imp}export async function ${name}(req: TaskRequest) {\n  return req.resolveByCompletion(null);\n}\n`;
  }
  if (flavor === "cjs") return `exports.${name} = async function ${name}(req) {\n  return req.resolveByCompletion(null);\n};\n`;
  return `export async function ${name}(req) {\n  return req.resolveByCompletion(null);\n}\n`;
}

function programStub(file: string, what: string): string {
  const comment = `// ${what}: a program run at each occurrence.\n`;
  return flavorOf(file) ? `${comment}console.log("ran at", new Date().toISOString());\n` : comment;
}

function stubFix(ctx: FeatureContext, doc: DefinitionDoc, f: Finding, diag: Diagnostic): CodeAction | undefined {
  const t = findTarget(doc.def, f);
  if (!t || !doc.path) return undefined;
  const resolved = resolveTarget(doc.def, t.ref, { fs: ctx.fs, moduleDir: dirname(doc.path) });
  const file = resolved.file;
  if (!file) return undefined;
  const flavor = flavorOf(file);
  if (!flavor) return undefined;
  const rel = relative(dirname(doc.path), file);
  if (t.attr === "script") {
    if (f.code !== "target-not-found" || !ctx.client.createFiles) return undefined;
    const name = t.d.kind === "task" || t.d.kind === "runonce" ? t.d.fullName : "script";
    return createFileAction(ctx, `Create ${rel}`, file, programStub(file, `<${t.d.kind}> ${name}`), diag);
  }
  const exportName = t.ref.exportName;
  if (!exportName || !/^[A-Za-z_$][\w$]*$/.test(exportName)) return undefined;
  const isClass = t.attr === "objectname";
  const what = isClass ? "class" : "function";
  if (f.code === "target-not-found") {
    if (!ctx.client.createFiles) return undefined;
    const text = isClass ? classStub(exportName, flavor, true) : functionStub(exportName, flavor, true);
    return createFileAction(ctx, `Create ${rel} with ${what} '${exportName}'`, file, text, diag);
  }
  // The file exists: append the export (and the import it needs).
  const text = ctx.fs.readText(file);
  if (text === undefined) return undefined;
  const scan = scanFile(text, flavor === "ts" ? "typescript" : "javascript");
  const needs = isClass ? "ManagedTaskBase" : "TaskRequest";
  const hasImport = scan.imports.has(needs) || scan.classes.has(needs) || (flavor !== "ts" && !isClass);
  const lines = new LineIndex(text);
  const end = lines.positionAt(text.length);
  const sep = text.length === 0 || text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n";
  const stub = isClass ? classStub(exportName, flavor, false) : functionStub(exportName, flavor, false);
  const edits: TextEdit[] = [];
  if (!hasImport) {
    const importLine = flavor === "cjs" ? `const { ${needs} } = require("modtasks");\n` : isClass ? `import { ${needs} } from "modtasks";\n` : `import type { ${needs} } from "modtasks";\n`;
    edits.push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: importLine });
  }
  edits.push({ range: { start: end, end }, newText: sep + stub });
  const uri = ctx.uriOf(file);
  return { title: `Add ${what} '${exportName}' to ${rel}`, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred: !f.data?.replacement, edit: { changes: { [uri]: edits } } };
}

/**
 * `export-not-task-class` for a class that extends nothing: add `extends ManagedTaskBase` after
 * its name (and type parameters), plus the import when the file lacks it. A class that already
 * extends something else, a function or a value is not "simple": no fix.
 */
function extendsFix(ctx: FeatureContext, doc: DefinitionDoc, f: Finding, diag: Diagnostic): CodeAction | undefined {
  const t = findTarget(doc.def, f);
  if (!t || !doc.path || t.attr !== "objectname" || !t.ref.exportName) return undefined;
  const resolved = resolveTarget(doc.def, t.ref, { fs: ctx.fs, moduleDir: dirname(doc.path) });
  if (!resolved.ok) return undefined;
  const flavor = flavorOf(resolved.file);
  const text = flavor ? ctx.fs.readText(resolved.file) : undefined;
  if (!flavor || text === undefined) return undefined;
  const scan = scanFile(text, flavor === "ts" ? "typescript" : "javascript");
  const exp = scan.exports.find((e) => e.name === t.ref.exportName && e.kind === "class");
  if (!exp || exp.extends) return undefined;
  // The declaration: the export itself (`export class X`), or the local class it names (`export { X }`, `module.exports = { X }`).
  const cls = scan.classes.get(t.ref.exportName) ?? [...scan.classes.values()].find((c) => c.span.start === exp.span.start);
  if (!cls || cls.extends) return undefined;
  let at = cls.span.end;
  const typeParams = /^\s*<[^<>{}]*>/.exec(text.slice(at));
  if (typeParams) at += typeParams[0].length;
  if (!/^\s*(implements\b|\{)/.test(text.slice(at))) return undefined;
  const lines = new LineIndex(text);
  const edits: TextEdit[] = [];
  if (!scan.imports.has(TASK_BASE_CLASS) && !scan.classes.has(TASK_BASE_CLASS)) {
    const importLine = flavor === "cjs" || /\brequire\s*\(/.test(text) ? `const { ${TASK_BASE_CLASS} } = require("modtasks");\n` : `import { ${TASK_BASE_CLASS} } from "modtasks";\n`;
    edits.push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: importLine });
  }
  const pos = lines.positionAt(at);
  edits.push({ range: { start: pos, end: pos }, newText: ` extends ${TASK_BASE_CLASS}` });
  return {
    title: `Make '${t.ref.exportName}' extend ${TASK_BASE_CLASS}`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diag],
    isPreferred: true,
    edit: { changes: { [ctx.uriOf(resolved.file)]: edits } },
  };
}

function createFileAction(ctx: FeatureContext, title: string, file: string, content: string, diag: Diagnostic): CodeAction {
  const uri = ctx.uriOf(file);
  const edit: WorkspaceEdit = {
    documentChanges: [
      { kind: "create", uri, options: { ignoreIfExists: true } },
      { textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: content }] },
    ],
  };
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred: true, edit };
}
