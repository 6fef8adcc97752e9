import type { Span } from "../text/span";

/**
 * What a code file exports, found by a light lexer (no type checker, no parser): enough to tell
 * whether `objectname="lib/x.ts#MyTask"` names a class extending ManagedTaskBase and whether
 * `taskrunner="lib/y.ts#run"` names a function, to offer export names for completion, and to
 * jump to an export. It understands comments, strings, template literals and regular
 * expressions well enough not to be fooled by them, and only looks at the top level.
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

interface Token {
  /** id: identifier or keyword; str: string literal (value without quotes); p: punctuation. */
  t: "id" | "str" | "p";
  v: string;
  start: number;
  end: number;
  /** Brace depth at the token (0 = top level). */
  depth: number;
}

function isIdStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 0x80;
}
function isIdPart(c: number): boolean {
  return isIdStart(c) || (c >= 48 && c <= 57);
}

/** Tokens of a script, skipping comments and the contents of template literals and regexes. */
function tokenize(src: string): Token[] {
  const out: Token[] = [];
  const n = src.length;
  let i = 0;
  let depth = 0;
  /** Brace depths at which an open template literal continues after `}`. */
  const templates: number[] = [];
  let prevSignificant: Token | undefined;
  const push = (tok: Token) => {
    out.push(tok);
    prevSignificant = tok;
  };
  const scanTemplate = (from: number): number => {
    // From just after '`' or '}': to the closing '`' (returns after it) or to '${' (pushes).
    let j = from;
    while (j < n) {
      const c = src.charCodeAt(j);
      if (c === 92) j += 2;
      else if (c === 96) return j + 1;
      else if (c === 36 && src.charCodeAt(j + 1) === 123) {
        templates.push(depth);
        depth++;
        return j + 2;
      } else j++;
    }
    return n;
  };
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    if (c === 47 /* / */) {
      const d = src.charCodeAt(i + 1);
      if (d === 47) {
        const e = src.indexOf("\n", i);
        i = e < 0 ? n : e;
        continue;
      }
      if (d === 42) {
        const e = src.indexOf("*/", i + 2);
        i = e < 0 ? n : e + 2;
        continue;
      }
      const p = prevSignificant;
      const division = p && (p.t === "str" || (p.t === "id" && !/^(return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/.test(p.v)) || p.v === ")" || p.v === "]" || p.v === "}");
      if (!division) {
        // A regular expression literal: skip to its closing '/', not past the line.
        let j = i + 1;
        let inClass = false;
        while (j < n) {
          const e = src.charCodeAt(j);
          if (e === 10) break;
          if (e === 92) j++;
          else if (e === 91) inClass = true;
          else if (e === 93) inClass = false;
          else if (e === 47 && !inClass) break;
          j++;
        }
        j++;
        while (j < n && isIdPart(src.charCodeAt(j))) j++;
        push({ t: "str", v: "", start: i, end: j, depth });
        i = j;
        continue;
      }
    }
    if (c === 34 || c === 39) {
      let j = i + 1;
      while (j < n) {
        const e = src.charCodeAt(j);
        if (e === 92) j += 2;
        else if (e === c || e === 10) break;
        else j++;
      }
      push({ t: "str", v: src.slice(i + 1, Math.min(j, n)), start: i, end: Math.min(j + 1, n), depth });
      i = j + 1;
      continue;
    }
    if (c === 96) {
      const start = i;
      i = scanTemplate(i + 1);
      push({ t: "str", v: "", start, end: i, depth });
      continue;
    }
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < n && isIdPart(src.charCodeAt(j))) j++;
      push({ t: "id", v: src.slice(i, j), start: i, end: j, depth });
      i = j;
      continue;
    }
    if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < n && (isIdPart(src.charCodeAt(j)) || src.charCodeAt(j) === 46)) j++;
      push({ t: "id", v: src.slice(i, j), start: i, end: j, depth });
      i = j;
      continue;
    }
    if (c === 123 /* { */) {
      push({ t: "p", v: "{", start: i, end: i + 1, depth });
      depth++;
      i++;
      continue;
    }
    if (c === 125 /* } */) {
      depth = Math.max(0, depth - 1);
      if (templates.length > 0 && templates[templates.length - 1] === depth) {
        templates.pop();
        const start = i;
        i = scanTemplate(i + 1);
        push({ t: "str", v: "", start, end: i, depth });
        continue;
      }
      push({ t: "p", v: "}", start: i, end: i + 1, depth });
      i++;
      continue;
    }
    if (c === 61 /* = */ && src.charCodeAt(i + 1) === 62) {
      push({ t: "p", v: "=>", start: i, end: i + 2, depth });
      i += 2;
      continue;
    }
    push({ t: "p", v: src[i]!, start: i, end: i + 1, depth });
    i++;
  }
  return out;
}

const MODIFIERS = new Set(["declare", "abstract", "async", "default"]);

function scanScript(src: string): ScanResult {
  const toks = tokenize(src);
  const exports: ExportInfo[] = [];
  const classes = new Map<string, { extends?: string; span: Span }>();
  const functions = new Map<string, Span>();
  const consts = new Map<string, { span: Span; kind: "function" | "const" | "class"; extends?: string }>();
  const localExports: { local: string; name: string; span: Span }[] = [];
  const imports = new Map<string, { from: string; importedName: string }>();

  /** Reads `class X<...> extends Y.Z<...>` at k (on `class`); returns name, base and next index. */
  const readClass = (k: number) => {
    let j = k + 1;
    let name: Token | undefined;
    if (toks[j]?.t === "id" && toks[j]!.v !== "extends" && toks[j]!.v !== "implements") name = toks[j++];
    j = skipAngles(toks, j);
    let base: string | undefined;
    if (toks[j]?.v === "extends") {
      j++;
      let b = "";
      while (toks[j] && (toks[j]!.t === "id" || toks[j]!.v === ".")) b += toks[j++]!.v;
      if (b) base = b;
    }
    return { name, base, next: j };
  };

  /** After `const X` (k on the name): the kind of the initializer. */
  const readInitializer = (k: number): { kind: "function" | "const" | "class"; extends?: string } => {
    let j = k + 1;
    // Skip a type annotation up to '=' at the same nesting.
    if (toks[j]?.v === ":") {
      let nest = 0;
      j++;
      while (j < toks.length) {
        const v = toks[j]!.v;
        if (toks[j]!.t === "p") {
          if (v === "(" || v === "[" || v === "<" || v === "{") nest++;
          else if (v === ")" || v === "]" || v === ">" || v === "}") nest--;
          else if ((v === "=" || v === ";") && nest <= 0) break;
        }
        j++;
      }
    }
    if (toks[j]?.v !== "=") return { kind: "const" };
    j++;
    if (toks[j]?.v === "async") j++;
    const t = toks[j];
    if (!t) return { kind: "const" };
    if (t.v === "function") return { kind: "function" };
    if (t.v === "class") {
      const c = readClass(j);
      return c.base ? { kind: "class", extends: c.base } : { kind: "class" };
    }
    if (t.t === "id" && toks[j + 1]?.v === "=>") return { kind: "function" };
    if (t.v === "(" || t.v === "<") {
      // (params) [: type] => ...
      let m = t.v === "<" ? skipAngles(toks, j) : j;
      if (toks[m]?.v !== "(") return { kind: "const" };
      m = skipBalanced(toks, m, "(", ")");
      if (toks[m]?.v === ":") {
        m++;
        while (m < toks.length && toks[m]!.v !== "=>" && toks[m]!.v !== ";" && toks[m]!.v !== "=") m++;
      }
      return toks[m]?.v === "=>" ? { kind: "function" } : { kind: "const" };
    }
    return { kind: "const" };
  };

  for (let k = 0; k < toks.length; k++) {
    const tok = toks[k]!;
    if (tok.depth !== 0 || tok.t !== "id") continue;
    // import { A, B as C } from "x"; import D from "x"; import * as E from "x"
    if (tok.v === "import" && toks[k + 1]?.v !== "(" && toks[k + 1]?.v !== ".") {
      let j = k + 1;
      if (toks[j]?.v === "type") j++;
      const bindings: { local: string; imported: string }[] = [];
      if (toks[j]?.t === "id" && toks[j]!.v !== "from") {
        bindings.push({ local: toks[j]!.v, imported: "default" });
        j++;
        if (toks[j]?.v === ",") j++;
      }
      if (toks[j]?.v === "*" && toks[j + 1]?.v === "as" && toks[j + 2]?.t === "id") {
        bindings.push({ local: toks[j + 2]!.v, imported: "*" });
        j += 3;
      } else if (toks[j]?.v === "{") {
        j++;
        while (j < toks.length && toks[j]!.v !== "}") {
          if (toks[j]!.v === "type") j++;
          const imported = toks[j];
          if (imported?.t !== "id" && imported?.t !== "str") break;
          let local = imported.v;
          if (toks[j + 1]?.v === "as" && toks[j + 2]) {
            local = toks[j + 2]!.v;
            j += 2;
          }
          bindings.push({ local, imported: imported.v });
          j++;
          if (toks[j]?.v === ",") j++;
        }
        j++;
      }
      if (toks[j]?.v === "from" && toks[j + 1]?.t === "str") {
        for (const b of bindings) imports.set(b.local, { from: toks[j + 1]!.v, importedName: b.imported });
      }
      continue;
    }
    // CommonJS: exports.X = ..., module.exports.X = ...
    if ((tok.v === "exports" || (tok.v === "module" && toks[k + 1]?.v === "." && toks[k + 2]?.v === "exports")) && (k === 0 || toks[k - 1]!.v !== ".")) {
      const j = tok.v === "module" ? k + 3 : k + 1;
      if (toks[j]?.v === "." && toks[j + 1]?.t === "id" && toks[j + 2]?.v === "=") {
        const nameTok = toks[j + 1]!;
        const init = readInitializer(j + 1);
        const e: ExportInfo = { name: nameTok.v, kind: init.kind, span: { start: nameTok.start, end: nameTok.end } };
        if (init.extends) e.extends = init.extends;
        exports.push(e);
      }
      continue;
    }
    const exported = tok.v === "export";
    let j = exported ? k + 1 : k;
    let isDefault = false;
    while (toks[j] && MODIFIERS.has(toks[j]!.v)) {
      if (toks[j]!.v === "default") isDefault = true;
      j++;
    }
    const kw = toks[j];
    if (!kw) continue;
    if (kw.v === "class") {
      const c = readClass(j);
      const name = c.name;
      if (name) classes.set(name.v, c.base ? { extends: c.base, span: spanOf(name) } : { span: spanOf(name) });
      if (exported) {
        const e: ExportInfo = isDefault
          ? { name: "default", kind: "class", span: name ? spanOf(name) : spanOf(kw) }
          : { name: name?.v ?? "", kind: "class", span: name ? spanOf(name) : spanOf(kw) };
        if (c.base) e.extends = c.base;
        if (e.name) exports.push(e);
      }
      continue;
    }
    if (kw.v === "function") {
      let m = j + 1;
      if (toks[m]?.v === "*") m++;
      const name = toks[m]?.t === "id" ? toks[m] : undefined;
      if (name) functions.set(name.v, spanOf(name));
      if (exported && (isDefault || name)) exports.push({ name: isDefault ? "default" : name!.v, kind: "function", span: name ? spanOf(name) : spanOf(kw) });
      continue;
    }
    if ((kw.v === "const" || kw.v === "let" || kw.v === "var") && toks[j + 1]?.t === "id" && toks[j + 1]!.v !== "enum") {
      const name = toks[j + 1]!;
      const init = readInitializer(j + 1);
      consts.set(name.v, { span: spanOf(name), ...init });
      if (exported) {
        const e: ExportInfo = { name: name.v, kind: init.kind, span: spanOf(name) };
        if (init.extends) e.extends = init.extends;
        exports.push(e);
      }
      continue;
    }
    if (!exported) continue;
    if (kw.v === "enum" || (kw.v === "const" && toks[j + 1]?.v === "enum")) {
      const name = toks[kw.v === "enum" ? j + 1 : j + 2];
      if (name?.t === "id") exports.push({ name: name.v, kind: "const", span: spanOf(name) });
      continue;
    }
    if (isDefault) {
      // export default <expression>: an identifier names a local declaration.
      const next = toks[j + 1];
      if (kw.t === "id" && (!next || next.t === "id" || next.v === ";" || next.v === "}")) {
        localExports.push({ local: kw.v, name: "default", span: spanOf(kw) });
      } else exports.push({ name: "default", kind: "const", span: spanOf(toks[k + 1]!) });
      continue;
    }
    if (kw.v === "*") {
      // export * from "x"; export * as ns from "x"
      let m = j + 1;
      let nameTok: Token | undefined;
      if (toks[m]?.v === "as" && toks[m + 1]) {
        nameTok = toks[m + 1];
        m += 2;
      }
      if (toks[m]?.v === "from" && toks[m + 1]?.t === "str") {
        exports.push({ name: nameTok?.v ?? "*", kind: "reexport", span: spanOf(nameTok ?? kw), from: toks[m + 1]!.v, importedName: "*" });
      }
      continue;
    }
    if (kw.v === "{" || (kw.v === "type" && toks[j + 1]?.v === "{")) {
      let m = kw.v === "type" ? j + 2 : j + 1;
      const list: { local: Token; name: Token; typeOnly: boolean }[] = [];
      while (m < toks.length && toks[m]!.v !== "}") {
        let typeOnly = false;
        if (toks[m]!.v === "type" && toks[m + 1]?.t === "id" && toks[m + 1]!.v !== "as") {
          typeOnly = true;
          m++;
        }
        const local = toks[m]!;
        let name = local;
        if (toks[m + 1]?.v === "as" && toks[m + 2]) {
          name = toks[m + 2]!;
          m += 2;
        }
        list.push({ local, name, typeOnly });
        m++;
        if (toks[m]?.v === ",") m++;
      }
      m++;
      const from = toks[m]?.v === "from" && toks[m + 1]?.t === "str" ? toks[m + 1]!.v : undefined;
      for (const item of list) {
        if (item.typeOnly || kw.v === "type") continue;
        if (from !== undefined) exports.push({ name: item.name.v, kind: "reexport", span: spanOf(item.name), from, importedName: item.local.v });
        else localExports.push({ local: item.local.v, name: item.name.v, span: spanOf(item.name) });
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

function spanOf(t: Token): Span {
  return { start: t.start, end: t.end };
}

/** Skips `<...>` type parameters at j (if any); returns the index after them. */
function skipAngles(toks: Token[], j: number): number {
  if (toks[j]?.v !== "<") return j;
  let nest = 0;
  for (let m = j; m < toks.length; m++) {
    const v = toks[m]!.v;
    if (v === "<") nest++;
    else if (v === ">") {
      nest--;
      if (nest === 0) return m + 1;
    } else if (v === "{" || v === ";") return m;
  }
  return toks.length;
}

/** Skips a balanced open/close pair starting at j (on `open`); returns the index after it. */
function skipBalanced(toks: Token[], j: number, open: string, close: string): number {
  let nest = 0;
  for (let m = j; m < toks.length; m++) {
    const v = toks[m]!.v;
    if (toks[m]!.t !== "p") continue;
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
