import { tokenizeJs, type JsToken } from "../text/js-tokens";
import type { Span } from "../text/span";

/**
 * What a code file exports, read from the tokens of the shared JS lexer (text/js-tokens.ts; no
 * type checker, no parser): enough to tell whether `objectname="lib/x.ts#MyTask"` names a class
 * extending ManagedTaskBase and whether `taskrunner="lib/y.ts#run"` names a function, to offer
 * export names for completion, and to jump to an export. The lexer is not fooled by comments,
 * strings, template literals and regular expressions; this scanner only looks at the top level.
 */
export interface ExportInfo {
  /** The exported name (`default` for a default export). */
  name: string;
  /**
   * class / function / const (any other value) / objecttype (HareScript) / reexport (`export { X }
   * from "./other"` or `export * from`, whose kind is in the other file).
   */
  kind: "class" | "function" | "const" | "objecttype" | "reexport";
  /** For classes and object types: the base as written (`ManagedTaskBase`, `base.TaskBase`). */
  extends?: string;
  /** The name's span in the file (for a re-export: the exported name in the export list). */
  span: Span;
  /** For re-exports: the module specifier, and the name in that module (`*` for `export *`). */
  from?: string;
  importedName?: string;
}

/** Declarations and imports at the top level, exported or not; used to follow `extends` chains. */
export interface ScanResult {
  exports: ExportInfo[];
  /** Top-level classes and object types by name (exported or not). */
  classes: Map<string, { extends?: string; span: Span }>;
  /** Imported bindings: local name → where from and under which name. */
  imports: Map<string, { from: string; importedName: string }>;
}

export function scanExports(text: string, language: "typescript" | "javascript" | "harescript"): ExportInfo[] {
  return scanFile(text, language).exports;
}

export function scanFile(text: string, language: "typescript" | "javascript" | "harescript" | "other"): ScanResult {
  if (language === "harescript") return scanHareScript(text);
  if (language === "other") return { exports: [], classes: new Map(), imports: new Map() };
  return scanScript(text);
}

// ---------------------------------------------------------------------------------------------
// TypeScript / JavaScript

/** An identifier or keyword (numbers count, as in `export default 42`). */
function isWord(t: JsToken | undefined): boolean {
  return t !== undefined && (t.kind === "ident" || t.kind === "number");
}

/** A string, template or regular expression literal. */
function isLiteral(t: JsToken | undefined): boolean {
  return t !== undefined && (t.kind === "string" || t.kind === "template" || t.kind === "regex");
}

/** The token's text, or a literal's value ("" when it has none: a regex, an unterminated string). */
function text(t: JsToken | undefined): string {
  return t?.value ?? "";
}

const MODIFIERS = new Set(["declare", "abstract", "async", "default"]);

function scanScript(src: string): ScanResult {
  const toks = tokenizeJs(src);
  const exports: ExportInfo[] = [];
  const classes = new Map<string, { extends?: string; span: Span }>();
  const functions = new Map<string, Span>();
  const consts = new Map<string, { span: Span; kind: "function" | "const" | "class"; extends?: string }>();
  const localExports: { local: string; name: string; span: Span }[] = [];
  const imports = new Map<string, { from: string; importedName: string }>();

  /** Reads `class X<...> extends Y.Z<...>` at k (on `class`); returns name, base and next index. */
  const readClass = (k: number) => {
    let j = k + 1;
    let name: JsToken | undefined;
    if (isWord(toks[j]) && toks[j]!.value !== "extends" && toks[j]!.value !== "implements") name = toks[j++];
    j = skipAngles(toks, j);
    let base: string | undefined;
    if (toks[j]?.value === "extends") {
      j++;
      let b = "";
      while (toks[j] && (isWord(toks[j]) || toks[j]!.value === ".")) b += text(toks[j++]);
      if (b) base = b;
    }
    return { name, base, next: j };
  };

  /** After `const X` (k on the name): the kind of the initializer. */
  const readInitializer = (k: number): { kind: "function" | "const" | "class"; extends?: string } => {
    let j = k + 1;
    // Skip a type annotation up to '=' at the same nesting.
    if (toks[j]?.value === ":") {
      let nest = 0;
      j++;
      while (j < toks.length) {
        const v = text(toks[j]);
        if (toks[j]!.kind === "punct") {
          if (v === "(" || v === "[" || v === "<" || v === "{") nest++;
          else if (v === ")" || v === "]" || v === ">" || v === "}") nest--;
          else if ((v === "=" || v === ";") && nest <= 0) break;
        }
        j++;
      }
    }
    if (toks[j]?.value !== "=") return { kind: "const" };
    j++;
    if (toks[j]?.value === "async") j++;
    const t = toks[j];
    if (!t) return { kind: "const" };
    if (t.value === "function") return { kind: "function" };
    if (t.value === "class") {
      const c = readClass(j);
      return c.base ? { kind: "class", extends: c.base } : { kind: "class" };
    }
    if (isWord(t) && toks[j + 1]?.value === "=>") return { kind: "function" };
    if (t.value === "(" || t.value === "<") {
      // (params) [: type] => ...
      let m = t.value === "<" ? skipAngles(toks, j) : j;
      if (toks[m]?.value !== "(") return { kind: "const" };
      m = skipBalanced(toks, m, "(", ")");
      if (toks[m]?.value === ":") {
        m++;
        while (m < toks.length && toks[m]!.value !== "=>" && toks[m]!.value !== ";" && toks[m]!.value !== "=") m++;
      }
      return toks[m]?.value === "=>" ? { kind: "function" } : { kind: "const" };
    }
    return { kind: "const" };
  };

  for (let k = 0; k < toks.length; k++) {
    const tok = toks[k]!;
    if (tok.depth !== 0 || !isWord(tok)) continue;
    // import { A, B as C } from "x"; import D from "x"; import * as E from "x"
    if (tok.value === "import" && toks[k + 1]?.value !== "(" && toks[k + 1]?.value !== ".") {
      let j = k + 1;
      if (toks[j]?.value === "type") j++;
      const bindings: { local: string; imported: string }[] = [];
      if (isWord(toks[j]) && toks[j]!.value !== "from") {
        bindings.push({ local: text(toks[j]), imported: "default" });
        j++;
        if (toks[j]?.value === ",") j++;
      }
      if (toks[j]?.value === "*" && toks[j + 1]?.value === "as" && isWord(toks[j + 2])) {
        bindings.push({ local: text(toks[j + 2]), imported: "*" });
        j += 3;
      } else if (toks[j]?.value === "{") {
        j++;
        while (j < toks.length && toks[j]!.value !== "}") {
          if (toks[j]!.value === "type") j++;
          const imported = toks[j];
          if (!isWord(imported) && !isLiteral(imported)) break;
          let local = text(imported);
          if (toks[j + 1]?.value === "as" && toks[j + 2]) {
            local = text(toks[j + 2]);
            j += 2;
          }
          bindings.push({ local, imported: text(imported) });
          j++;
          if (toks[j]?.value === ",") j++;
        }
        j++;
      }
      if (toks[j]?.value === "from" && isLiteral(toks[j + 1])) {
        for (const b of bindings) imports.set(b.local, { from: text(toks[j + 1]), importedName: b.imported });
      }
      continue;
    }
    // CommonJS: exports.X = ..., module.exports.X = ...
    if ((tok.value === "exports" || (tok.value === "module" && toks[k + 1]?.value === "." && toks[k + 2]?.value === "exports")) && (k === 0 || toks[k - 1]!.value !== ".")) {
      const j = tok.value === "module" ? k + 3 : k + 1;
      if (toks[j]?.value === "." && isWord(toks[j + 1]) && toks[j + 2]?.value === "=") {
        const nameTok = toks[j + 1]!;
        const init = readInitializer(j + 1);
        const e: ExportInfo = { name: text(nameTok), kind: init.kind, span: { start: nameTok.start, end: nameTok.end } };
        if (init.extends) e.extends = init.extends;
        exports.push(e);
      }
      continue;
    }
    const exported = tok.value === "export";
    let j = exported ? k + 1 : k;
    let isDefault = false;
    while (toks[j] && MODIFIERS.has(text(toks[j]))) {
      if (toks[j]!.value === "default") isDefault = true;
      j++;
    }
    const kw = toks[j];
    if (!kw) continue;
    if (kw.value === "class") {
      const c = readClass(j);
      const name = c.name;
      if (name) classes.set(text(name), c.base ? { extends: c.base, span: spanOf(name) } : { span: spanOf(name) });
      if (exported) {
        const e: ExportInfo = isDefault
          ? { name: "default", kind: "class", span: name ? spanOf(name) : spanOf(kw) }
          : { name: name?.value ?? "", kind: "class", span: name ? spanOf(name) : spanOf(kw) };
        if (c.base) e.extends = c.base;
        if (e.name) exports.push(e);
      }
      continue;
    }
    if (kw.value === "function") {
      let m = j + 1;
      if (toks[m]?.value === "*") m++;
      const name = isWord(toks[m]) ? toks[m] : undefined;
      if (name) functions.set(text(name), spanOf(name));
      if (exported && (isDefault || name)) exports.push({ name: isDefault ? "default" : text(name), kind: "function", span: name ? spanOf(name) : spanOf(kw) });
      continue;
    }
    if ((kw.value === "const" || kw.value === "let" || kw.value === "var") && isWord(toks[j + 1]) && toks[j + 1]!.value !== "enum") {
      const name = toks[j + 1]!;
      const init = readInitializer(j + 1);
      consts.set(text(name), { span: spanOf(name), ...init });
      if (exported) {
        const e: ExportInfo = { name: text(name), kind: init.kind, span: spanOf(name) };
        if (init.extends) e.extends = init.extends;
        exports.push(e);
      }
      continue;
    }
    if (!exported) continue;
    if (kw.value === "enum" || (kw.value === "const" && toks[j + 1]?.value === "enum")) {
      const name = toks[kw.value === "enum" ? j + 1 : j + 2];
      if (isWord(name)) exports.push({ name: text(name), kind: "const", span: spanOf(name) });
      continue;
    }
    if (isDefault) {
      // export default <expression>: an identifier names a local declaration.
      const next = toks[j + 1];
      if (isWord(kw) && (!next || isWord(next) || next.value === ";" || next.value === "}")) {
        localExports.push({ local: text(kw), name: "default", span: spanOf(kw) });
      } else exports.push({ name: "default", kind: "const", span: spanOf(toks[k + 1]!) });
      continue;
    }
    if (kw.value === "*") {
      // export * from "x"; export * as ns from "x"
      let m = j + 1;
      let nameTok: JsToken | undefined;
      if (toks[m]?.value === "as" && toks[m + 1]) {
        nameTok = toks[m + 1];
        m += 2;
      }
      if (toks[m]?.value === "from" && isLiteral(toks[m + 1])) {
        exports.push({ name: nameTok?.value ?? "*", kind: "reexport", span: spanOf(nameTok ?? kw), from: text(toks[m + 1]), importedName: "*" });
      }
      continue;
    }
    if (kw.value === "{" || (kw.value === "type" && toks[j + 1]?.value === "{")) {
      let m = kw.value === "type" ? j + 2 : j + 1;
      const list: { local: JsToken; name: JsToken; typeOnly: boolean }[] = [];
      while (m < toks.length && toks[m]!.value !== "}") {
        let typeOnly = false;
        if (toks[m]!.value === "type" && isWord(toks[m + 1]) && toks[m + 1]!.value !== "as") {
          typeOnly = true;
          m++;
        }
        const local = toks[m]!;
        let name = local;
        if (toks[m + 1]?.value === "as" && toks[m + 2]) {
          name = toks[m + 2]!;
          m += 2;
        }
        list.push({ local, name, typeOnly });
        m++;
        if (toks[m]?.value === ",") m++;
      }
      m++;
      const from = toks[m]?.value === "from" && isLiteral(toks[m + 1]) ? text(toks[m + 1]) : undefined;
      for (const item of list) {
        if (item.typeOnly || kw.value === "type") continue;
        if (from !== undefined) exports.push({ name: text(item.name), kind: "reexport", span: spanOf(item.name), from, importedName: text(item.local) });
        else localExports.push({ local: text(item.local), name: text(item.name), span: spanOf(item.name) });
      }
      continue;
    }
  }

  // `export { X }` and `export default X`: the kind comes from the local declaration or import.
  for (const le of localExports) {
    const cls = classes.get(le.local);
    const c = consts.get(le.local);
    const imp = imports.get(le.local);
    if (cls) exports.push(cls.extends ? { name: le.name, kind: "class", extends: cls.extends, span: le.span } : { name: le.name, kind: "class", span: le.span });
    else if (functions.has(le.local)) exports.push({ name: le.name, kind: "function", span: le.span });
    else if (c) exports.push(c.extends ? { name: le.name, kind: c.kind, extends: c.extends, span: le.span } : { name: le.name, kind: c.kind, span: le.span });
    else if (imp) exports.push({ name: le.name, kind: "reexport", span: le.span, from: imp.from, importedName: imp.importedName });
    else exports.push({ name: le.name, kind: "const", span: le.span });
  }
  for (const [name, c] of consts) if (c.kind === "class") classes.set(name, c.extends ? { extends: c.extends, span: c.span } : { span: c.span });
  return { exports, classes, imports };
}

function spanOf(t: JsToken): Span {
  return { start: t.start, end: t.end };
}

/** Skips `<...>` type parameters at j (if any); returns the index after them. */
function skipAngles(toks: JsToken[], j: number): number {
  if (toks[j]?.value !== "<") return j;
  let nest = 0;
  for (let m = j; m < toks.length; m++) {
    const v = text(toks[m]);
    if (v === "<") nest++;
    else if (v === ">") {
      nest--;
      if (nest === 0) return m + 1;
    } else if (v === "{" || v === ";") return m;
  }
  return toks.length;
}

/** Skips a balanced open/close pair starting at j (on `open`); returns the index after it. */
function skipBalanced(toks: JsToken[], j: number, open: string, close: string): number {
  let nest = 0;
  for (let m = j; m < toks.length; m++) {
    const v = text(toks[m]);
    if (toks[m]!.kind !== "punct") continue;
    if (v === open) nest++;
    else if (v === close) {
      nest--;
      if (nest === 0) return m + 1;
    }
  }
  return toks.length;
}

// ---------------------------------------------------------------------------------------------
// HareScript

/** Blanks out comments and string literals, keeping offsets, so patterns do not match inside them. */
function blankCommentsAndStrings(src: string): string {
  const out = src.split("");
  const n = src.length;
  let i = 0;
  const blank = (a: number, b: number) => {
    for (let k = a; k < b && k < n; k++) if (out[k] !== "\n") out[k] = " ";
  };
  while (i < n) {
    const c = src[i];
    if (c === "/" && src[i + 1] === "/") {
      const e = src.indexOf("\n", i);
      blank(i, e < 0 ? n : e);
      i = e < 0 ? n : e;
    } else if (c === "/" && src[i + 1] === "*") {
      const e = src.indexOf("*/", i + 2);
      blank(i, e < 0 ? n : e + 2);
      i = e < 0 ? n : e + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== "\n") j += src[j] === "\\" ? 2 : 1;
      blank(i + 1, j);
      i = j + 1;
    } else i++;
  }
  return out.join("");
}

function scanHareScript(src: string): ScanResult {
  const text = blankCommentsAndStrings(src);
  const exports: ExportInfo[] = [];
  const classes = new Map<string, { extends?: string; span: Span }>();
  const objRe = /\b(PUBLIC\s+)?(?:STATIC\s+)?OBJECTTYPE\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s+EXTEND\s+([A-Za-z_][A-Za-z0-9_:]*))?/gi;
  for (let m = objRe.exec(text); m; m = objRe.exec(text)) {
    const name = m[2]!;
    const start = m.index + m[0].indexOf(name, m[0].search(/OBJECTTYPE/i) + 10);
    const span = { start, end: start + name.length };
    const info = m[3] ? { extends: m[3], span } : { span };
    classes.set(name.toLowerCase(), info);
    if (m[1]) exports.push(m[3] ? { name, kind: "objecttype", extends: m[3], span } : { name, kind: "objecttype", span });
  }
  const fnRe = /\bPUBLIC\s+(?:[A-Za-z_][A-Za-z0-9_]*\s+)*?(?:MACRO|FUNCTION)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/gi;
  for (let m = fnRe.exec(text); m; m = fnRe.exec(text)) {
    const name = m[1]!;
    const start = m.index + m[0].lastIndexOf(name);
    exports.push({ name, kind: "function", span: { start, end: start + name.length } });
  }
  return { exports, classes, imports: new Map() };
}
