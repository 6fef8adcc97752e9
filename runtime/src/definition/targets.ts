import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Finding } from "../text/finding";
import { closestMatch } from "../text/suggest";
import { CODES } from "./codes";
import { type ExportInfo, type ScanResult, scanFile } from "./exports";
import type { Declaration, ModuleDefinition, TargetRef } from "./model";
import type { ModuleFs } from "./module-fs";
import { languageOf } from "./target-ref";

/**
 * Cross-file checks: the files that `script`, `objectname` and `taskrunner` name exist inside the
 * module, and the named export is a task class (extending ManagedTaskBase) or a function.
 * All file access goes through a ModuleFs (module-fs.ts), so the language server can answer from
 * open editor buffers and tests can use an in-memory tree.
 */
/** The base class a task class must extend. */
export const TASK_BASE_CLASS = "ManagedTaskBase";

export interface TargetCheckOptions {
  fs: ModuleFs;
  /** The module folder; by default the folder of `def.file`. */
  moduleDir?: string;
}

/** Where a target resolves to, or why it does not. Used by the checker and by go-to-definition. */
export type ResolvedTarget =
  | { ok: true; file: string; moduleDir: string }
  | { ok: false; reason: "outside" | "not-found" | "module-not-in-workspace" | "no-module-dir"; file?: string; message: string };

/** Resolves a target to an absolute file path through `fs` (existence included). */
export function resolveTarget(def: ModuleDefinition, ref: TargetRef, opts: TargetCheckOptions): ResolvedTarget {
  const ownDir = opts.moduleDir ?? (def.file ? dirname(resolve(def.file)) : undefined);
  if (!ownDir) return { ok: false, reason: "no-module-dir", message: "The module folder is unknown" };
  let moduleDir = ownDir;
  if (ref.module !== undefined && ref.module !== def.moduleName) {
    const sibling = join(dirname(ownDir), ref.module);
    if (!opts.fs.exists(join(sibling, "moduledefinition.xml"))) return { ok: false, reason: "module-not-in-workspace", message: moduleNotInWorkspace(ref) };
    moduleDir = sibling;
  }
  const escape = escapesModule(ref.path);
  if (escape) return { ok: false, reason: "outside", message: escape };
  const file = joinUnder(moduleDir, ref.path);
  const real = opts.fs.realpath?.(file);
  const realDir = real ? opts.fs.realpath?.(moduleDir) : undefined;
  if (real && realDir && !isInside(realDir, real)) {
    return { ok: false, reason: "outside", file, message: `'${ref.path}' leads outside the module folder through a symbolic link (to ${real})` };
  }
  if (!opts.fs.exists(file)) return { ok: false, reason: "not-found", file, message: `Unable to find '${ref.path}'${ref.module && ref.module !== def.moduleName ? ` in module '${ref.module}'` : ""}` };
  return { ok: true, file, moduleDir };
}

function moduleNotInWorkspace(ref: TargetRef): string {
  return `Module '${ref.module}' is not in the workspace (no ${join("..", ref.module ?? "", "moduledefinition.xml")} next to this module); '${ref.raw}' was not checked`;
}

/**
 * resolveTarget with its answers remembered per module and path, for one check: a large
 * definition names the same few files thousands of times, and the joins, realpaths and
 * existence checks per declaration were most of a re-check's file work.
 */
function memoResolver(def: ModuleDefinition, opts: TargetCheckOptions): (ref: TargetRef) => ResolvedTarget {
  const byPath = new Map<string, ResolvedTarget>();
  return (ref) => {
    const key = ref.module === undefined || ref.module === def.moduleName ? ref.path : `mod::${ref.module}/${ref.path}`;
    let r = byPath.get(key);
    if (r === undefined) {
      r = resolveTarget(def, ref, opts);
      byPath.set(key, r);
    } else if (!r.ok && r.reason === "module-not-in-workspace") r = { ...r, message: moduleNotInWorkspace(ref) }; // names the attribute as written
    return r;
  };
}

/**
 * `join(dir, rel)` for the usual case, an absolute normalised folder and a relative path without
 * `.`, `..` or empty segments, where join's normalising pass (a string built a character at a
 * time, per distinct path per check) would give the plain concatenation anyway.
 */
function joinUnder(dir: string, rel: string): string {
  if (sep !== "/" || !isPlainRelative(rel) || !isNormalAbsolute(dir)) return join(dir, rel);
  return `${dir}/${rel}`;
}

/** From `from` on: segments separated by single '/', none empty, "." or "..". */
function isPlainRelative(rel: string, from = 0): boolean {
  let segStart = from;
  for (let i = from; i <= rel.length; i++) {
    if (i < rel.length && rel.charCodeAt(i) !== 47) continue;
    const len = i - segStart;
    if (len === 0 || (rel.charCodeAt(segStart) === 46 && (len === 1 || (len === 2 && rel.charCodeAt(segStart + 1) === 46)))) return false;
    segStart = i + 1;
  }
  return true;
}

/** `/` then plain segments (not the root itself, which join would not double). */
function isNormalAbsolute(dir: string): boolean {
  return dir.length > 1 && dir.charCodeAt(0) === 47 && isPlainRelative(dir, 1);
}

/** Why a module-relative path leaves the module folder, or undefined when it stays inside. */
export function escapesModule(path: string): string | undefined {
  if (!path.includes("..") && !path.includes(":") && !path.startsWith("\\")) return undefined; // the usual case, quickly
  if (/^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\")) return `'${path}' is an absolute path; paths are relative to the module folder`;
  const scheme = /^([a-z]+)::/.exec(path);
  if (scheme) return `'${path}' is a '${scheme[1]}::' resource outside the module; only 'mod::' paths are supported here`;
  let depth = 0;
  for (const seg of path.split(/[\\/]/)) {
    if (seg === "..") depth--;
    else if (seg !== "." && seg !== "") depth++;
    if (depth < 0) return `'${path}' leaves the module folder ('..'); paths must stay inside the module`;
  }
  return undefined;
}

function isInside(dir: string, file: string): boolean {
  // The usual case without path.relative: `dir`, a separator, then no `..` segment.
  const c = file.charCodeAt(dir.length);
  if (file.length > dir.length + 1 && (c === 47 || c === 92) && file.startsWith(dir) && !file.includes("..", dir.length)) return true;
  const rel = relative(dir, file);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/** Syntax of path attributes, checked without any file access. */
export function checkTargetSyntax(def: ModuleDefinition, out: Finding[]): void {
  const check = (ref: TargetRef, attr: TargetAttr, d: Declaration) => checkRefSyntax(d, ref, attr, out);
  for (const d of def.declarations) eachTarget(d, check);
}

function checkRefSyntax(d: Declaration, ref: TargetRef, attr: TargetAttr, out: Finding[]): void {
  if (ref.module === "") {
    out.push({ span: ref.pathSpan, severity: "error", code: CODES.targetSyntax, message: `'${ref.raw}': a mod:: path needs a module name, as in mod::mymodule/lib/tasks.ts` });
    return;
  }
  if (ref.path === "") {
    out.push({ span: ref.pathSpan.end > ref.pathSpan.start ? ref.pathSpan : d.element.attr(attr)!.valueSpan, severity: "error", code: CODES.targetSyntax, message: `'${attr}' needs a file path before the '#'` });
    return;
  }
  const escape = escapesModule(ref.path);
  if (escape) {
    const scheme = /^[a-z]+::/.test(ref.path);
    out.push({ span: ref.pathSpan, severity: scheme ? "info" : "error", code: scheme ? CODES.targetUnverified : CODES.targetOutsideModule, message: escape });
    return;
  }
  if (attr === "script") return;
  if (ref.exportName === undefined) {
    const example = attr === "objectname" ? "#MyTask" : "#runTask";
    out.push({
      span: ref.pathSpan,
      severity: "error",
      code: CODES.targetSyntax,
      message: `${attr} must name an export: '${ref.path}${example}' (path#${attr === "objectname" ? "ClassName" : "functionName"})`,
    });
  } else if (ref.exportName.trim() === "") {
    out.push({ span: d.element.attr(attr)!.valueSpan, severity: "error", code: CODES.targetSyntax, message: `${attr} needs a name after '#'` });
  }
}

export type TargetAttr = "script" | "objectname" | "taskrunner";

/**
 * Calls `fn` for each path attribute of `d` that is set (objectname before taskrunner) until it
 * returns true, and says whether it did. No array per declaration: checks walk thousands of
 * declarations on every edit.
 */
export function eachTarget(d: Declaration, fn: (ref: TargetRef, attr: TargetAttr, d: Declaration) => boolean | void): boolean {
  if (d.kind === "managedtask" || d.kind === "ephemeraltask") {
    if (d.objectname && fn(d.objectname, "objectname", d)) return true;
    if (d.taskrunner && fn(d.taskrunner, "taskrunner", d)) return true;
  } else if ("scriptRef" in d && d.scriptRef && fn(d.scriptRef, "script", d)) return true;
  return false;
}

/** The path attributes of a declaration that are set, with their parsed refs. */
export function targetsOf(d: Declaration): { ref: TargetRef; attr: TargetAttr }[] {
  const out: { ref: TargetRef; attr: TargetAttr }[] = [];
  eachTarget(d, (ref, attr) => {
    out.push({ ref, attr });
  });
  return out;
}

/** File checks through `opts.fs`: existence, exports, base classes. */
export function checkTargetFiles(def: ModuleDefinition, options: TargetCheckOptions, out: Finding[]): void {
  const moduleDir = options.moduleDir ?? (def.file ? dirname(resolve(def.file)) : undefined);
  if (moduleDir === undefined) return;
  const opts: TargetCheckOptions = { fs: options.fs, moduleDir };
  const cache = new Map<string, ScanResult | undefined>();
  const locate = memoResolver(def, opts);
  const scan = (file: string): ScanResult | undefined => {
    if (cache.has(file)) return cache.get(file);
    const text = opts.fs.readText(file);
    const r = text === undefined ? undefined : scanCached(file, text);
    cache.set(file, r);
    return r;
  };
  // A declaration with a HareScript target that was checked gets a note, on its first HareScript
  // target. One callback for the whole check, its per-declaration state reset below.
  let first: TargetRef | undefined;
  let harescript = false;
  const visit = (ref: TargetRef, attr: TargetAttr): boolean => {
    const hs = ref.language === "harescript";
    if (hs) first ??= ref;
    const r = checkRefFile(ref, attr, locate, scan, opts, out);
    if (r === CHECKED && hs) harescript = true;
    return r === STOP;
  };
  for (const d of def.declarations) {
    first = undefined;
    harescript = false;
    if (eachTarget(d, visit)) return;
    if (harescript) {
      out.push({
        span: first!.pathSpan,
        severity: "info",
        code: CODES.harescriptNeedsWebhare,
        message: "HareScript tasks need a WebHare server: the local modtasks runtime cannot run HareScript, so this declaration is checked but not run",
      });
    }
  }
}

/** What checkRefFile did: skipped a target whose syntax is reported elsewhere, checked it, or found nothing can be checked. */
const SKIPPED = 0;
const CHECKED = 1;
const STOP = 2;

/** One target's file checks; STOP when the module folder is unknown (then nothing can be checked). */
function checkRefFile(
  ref: TargetRef,
  attr: TargetAttr,
  locate: (ref: TargetRef) => ResolvedTarget,
  scan: Scan,
  opts: TargetCheckOptions,
  out: Finding[],
): number {
  if (ref.module === "" || ref.path === "" || escapesModule(ref.path)) return SKIPPED; // reported by checkTargetSyntax
  const r = locate(ref);
  if (!r.ok) {
    if (r.reason === "no-module-dir") return STOP;
    const code = r.reason === "outside" ? CODES.targetOutsideModule : r.reason === "not-found" ? CODES.targetNotFound : CODES.moduleNotInWorkspace;
    out.push({ span: ref.pathSpan, severity: r.reason === "module-not-in-workspace" ? "info" : "error", code, message: r.message });
    return CHECKED;
  }
  if (attr === "script" || ref.exportName === undefined || ref.exportName.trim() === "" || !ref.exportSpan) return CHECKED;
  checkExport(ref as TargetRef & { exportName: string; exportSpan: NonNullable<TargetRef["exportSpan"]> }, attr, r.file, scan, opts, out);
  return CHECKED;
}

type Scan = (file: string) => ScanResult | undefined;

/**
 * Scans across checks, by file and content: the language server re-checks a module definition on
 * every edit, while the code files it points to rarely change in between.
 */
const scanCache = new Map<string, { text: string; result: ScanResult }>();
function scanCached(file: string, text: string): ScanResult {
  const hit = scanCache.get(file);
  if (hit && hit.text === text) return hit.result;
  if (scanCache.size >= 2000) scanCache.clear();
  const result = scanFile(text, languageOf(file));
  scanCache.set(file, { text, result });
  return result;
}

export function clearTargetCaches(): void {
  scanCache.clear();
}

/** Exports by name (and lower-cased, for HareScript), built once per scan. */
const indexes = new WeakMap<ScanResult, { exact: Map<string, ExportInfo>; lower: Map<string, ExportInfo>; reexports: ExportInfo[] }>();
function exportIndex(result: ScanResult) {
  let ix = indexes.get(result);
  if (!ix) {
    ix = { exact: new Map(), lower: new Map(), reexports: [] };
    for (const e of result.exports) {
      if (e.kind === "reexport") {
        ix.reexports.push(e);
        continue;
      }
      if (!ix.exact.has(e.name)) ix.exact.set(e.name, e);
      const l = e.name.toLowerCase();
      if (!ix.lower.has(l)) ix.lower.set(l, e);
    }
    indexes.set(result, ix);
  }
  return ix;
}

function checkExport(
  ref: TargetRef & { exportName: string; exportSpan: NonNullable<TargetRef["exportSpan"]> },
  attr: "objectname" | "taskrunner",
  file: string,
  scan: Scan,
  opts: TargetCheckOptions,
  out: Finding[],
): void {
  const result = scan(file);
  if (!result) return;
  const at = ref.exportSpan;
  if (ref.language === "other") {
    pushFinding(out, at, "info", CODES.targetUnverified, `'${ref.path}' is not a TypeScript, JavaScript or HareScript file; its exports were not checked`);
    return;
  }
  const hs = ref.language === "harescript";
  const name = ref.exportName;
  const found = findExport(result, name, hs, file, scan, opts, 0);
  if (found.kind === "unverified") {
    pushFinding(out, at, "info", CODES.targetUnverified, found.message);
    return;
  }
  if (found.kind === "missing") {
    const wanted = attr === "objectname" ? (hs ? ["objecttype"] : ["class"]) : ["function"];
    const candidates = result.exports.filter((e) => wanted.includes(e.kind)).map((e) => e.name);
    const suggestion = closestMatch(name, candidates, { caseInsensitive: true });
    const what = hs ? (attr === "objectname" ? "Object" : "Function") : attr === "objectname" ? "Class" : "Function";
    const message = hs
      ? `${what} '${name}' not found in '${ref.path}'${suggestion ? `; did you mean '${suggestion}'?` : ""}`
      : `${what} '${name}' is not exported by '${ref.path}'${suggestion ? `; did you mean '${suggestion}'?` : candidates.length ? `; it exports ${candidates.slice(0, 5).join(", ")}` : ""}`;
    pushFinding(out, at, "error", CODES.exportNotFound, message, suggestion ? { data: { replacement: suggestion, fixTitle: `Change to '${suggestion}'` } } : {});
    return;
  }
  const exp = found.export;
  if (attr === "taskrunner") {
    if (exp.kind === "function") return;
    if (exp.kind === "class" || exp.kind === "objecttype") {
      pushFinding(out, at, "error", CODES.exportNotFunction, `'${name}' is a class, not a function; use objectname="${ref.raw}" for a task class, or export a function for taskrunner`);
    } else pushFinding(out, at, "info", CODES.targetUnverified, `Cannot tell whether '${name}' is a function (it is an exported value); taskrunner needs a function (request) => response`);
    return;
  }
  // objectname: a class (object type) extending ManagedTaskBase.
  if (exp.kind === "function" || exp.kind === "const") {
    const advice = exp.kind === "function" ? `; for a function use taskrunner="${ref.raw}"` : "";
    pushFinding(out, at, "error", CODES.exportNotTaskClass, `'${name}' is a ${exp.kind === "function" ? "function" : "value"}, not a class extending ${TASK_BASE_CLASS}${advice}`);
    return;
  }
  const chain = extendsTaskBase(found.scan, found.file, exp.extends, hs, scan, opts, 0);
  if (chain === true) return;
  if (chain === false) {
    pushFinding(
      out,
      at,
      "error",
      CODES.exportNotTaskClass,
      hs ? `Objecttype '${name}' does not extend from ${TASK_BASE_CLASS}` : `Class '${name}' does not extend ${TASK_BASE_CLASS}; write 'export class ${name} extends ${TASK_BASE_CLASS}'`,
    );
  } else pushFinding(out, at, "info", CODES.targetUnverified, chain);
}

/** Not a closure per call: the bundles keep function names, which costs a property definition per closure made. */
function pushFinding(out: Finding[], span: Finding["span"], severity: Finding["severity"], code: string, message: string, extra?: Partial<Finding>): void {
  out.push(extra ? { span, severity, code, message, ...extra } : { span, severity, code, message });
}

type FoundExport =
  | { kind: "found"; export: ExportInfo; scan: ScanResult; file: string }
  | { kind: "missing" }
  | { kind: "unverified"; message: string };

/** Finds an export by name, following re-exports (`export { X } from "./x"`) up to two files deep. */
function findExport(result: ScanResult, name: string, caseInsensitive: boolean, file: string, scan: Scan, opts: TargetCheckOptions, depth: number): FoundExport {
  const ix = exportIndex(result);
  const exp = caseInsensitive ? ix.lower.get(name.toLowerCase()) : ix.exact.get(name);
  if (exp) return { kind: "found", export: exp, scan: result, file };
  const same = (a: string) => (caseInsensitive ? a.toLowerCase() === name.toLowerCase() : a === name);
  const re = ix.reexports.find((e) => same(e.name)) ?? ix.reexports.find((e) => e.name === "*");
  if (!re) {
    // `module.exports = { ...other }`: the name may be in what cannot be read without running it.
    if (result.opaque) return { kind: "unverified", message: `'${name}' is not among the exports that can be read without running the code (module.exports has a spread or computed key); not verified` };
    return { kind: "missing" };
  }
  if (re.from === undefined) return { kind: "unverified", message: `'${name}' is exported from a binding that cannot be followed (not declared, imported or required in this file); not verified` };
  const target = resolveImport(file, re.from, opts.fs);
  const innerName = re.importedName === "*" || re.importedName === undefined ? name : re.importedName;
  if (!target || depth >= 2) {
    return re.name === "*" ? { kind: "missing" } : { kind: "unverified", message: `'${name}' is re-exported from '${re.from}'; cannot follow it to check what it is` };
  }
  const inner = scan(target);
  if (!inner) return { kind: "unverified", message: `'${name}' is re-exported from '${re.from}', which could not be read` };
  const r = findExport(inner, innerName, caseInsensitive, target, scan, opts, depth + 1);
  if (r.kind === "missing" && re.name !== "*") return { kind: "unverified", message: `'${name}' is re-exported from '${re.from}', which does not export '${innerName}'` };
  return r;
}

/**
 * Whether a class's base leads to ManagedTaskBase: true, false (a chain that ends without it), or
 * a message when it cannot be told (a base imported from a file that cannot be followed).
 */
function extendsTaskBase(result: ScanResult, file: string, base: string | undefined, hs: boolean, scan: Scan, opts: TargetCheckOptions, depth: number): boolean | string {
  if (!base) return false;
  const last = base.slice(base.lastIndexOf(".") + 1);
  if (hs ? last.toLowerCase() === TASK_BASE_CLASS.toLowerCase() : last === TASK_BASE_CLASS) return true;
  if (depth > 8) return `Cannot verify that '${base}' extends ${TASK_BASE_CLASS} (inheritance chain too deep)`;
  const local = result.classes.get(hs ? base.toLowerCase() : base);
  if (local) return extendsTaskBase(result, file, local.extends, hs, scan, opts, depth + 1);
  if (hs) return `Cannot verify that '${base}' extends ${TASK_BASE_CLASS}: it is not declared in this library`;
  const imp = result.imports.get(base.includes(".") ? base.slice(0, base.indexOf(".")) : base);
  if (!imp) return `Cannot verify that '${base}' extends ${TASK_BASE_CLASS}: it is not declared or imported in this file`;
  if (imp.importedName === TASK_BASE_CLASS) return true;
  const target = resolveImport(file, imp.from, opts.fs);
  if (!target) return `Cannot verify that '${base}' (from '${imp.from}') extends ${TASK_BASE_CLASS}`;
  const inner = scan(target);
  if (!inner) return `Cannot verify that '${base}' extends ${TASK_BASE_CLASS}: '${imp.from}' could not be read`;
  const innerName = base.includes(".") ? last : imp.importedName;
  const found = findExport(inner, innerName, false, target, scan, opts, 1);
  if (found.kind !== "found") return `Cannot verify that '${base}' extends ${TASK_BASE_CLASS}: not found in '${imp.from}'`;
  if (found.export.kind !== "class") return false;
  return extendsTaskBase(found.scan, found.file, found.export.extends, false, scan, opts, depth + 1);
}

/** Resolves a relative import specifier to an existing file, as TypeScript would; undefined for packages. */
export function resolveImport(fromFile: string, spec: string, fs: ModuleFs): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = join(dirname(fromFile), spec);
  const candidates = [base, `${base}.ts`, `${base}.tsx`, `${base}.mts`, `${base}.js`, `${base}.mjs`, `${base}.cjs`, join(base, "index.ts"), join(base, "index.js")];
  const m = /\.(m|c)?js$/.exec(base);
  if (m) candidates.splice(1, 0, base.replace(/\.(m|c)?js$/, `.${m[1] ?? ""}ts`));
  return candidates.find((c) => fs.exists(c));
}
