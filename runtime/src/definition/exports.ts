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
  /** Imported bindings (`import`, and `require()` in CommonJS): local name → where from and under which name. */
  imports: Map<string, { from: string; importedName: string }>;
  /**
   * Some exports cannot be read without running the code (a spread or a computed key in
   * `module.exports = { … }`): a name not found may still be exported, so it is not an error.
   */
  opaque?: boolean;
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

/** What an expression is, as far as exports care (see readValue). */
interface ValueInfo {
  kind: "function" | "const" | "class";
  extends?: string;
  /** A named class or function expression's own name. */
  name?: string;
  /** A bare identifier: a binding resolved at the end of the scan. */
  ref?: string;
  /** `require("x")`. */
  from?: string;
}

function scanScript(src: string): ScanResult {
  const toks = tokenizeJs(src);
  const exports: ExportInfo[] = [];
  const classes = new Map<string, { extends?: string; span: Span }>();
  const functions = new Map<string, Span>();
  const consts = new Map<string, { span: Span; kind: "function" | "const" | "class"; extends?: string }>();
  const localExports: { local: string; name: string; span: Span }[] = [];
  const imports = new Map<string, { from: string; importedName: string }>();
  /** CommonJS exports of a local binding (`module.exports = { C }`, `module.exports = C`); `alias` = C's own name. */
  const cjsRefs: { local: string; name: string; span: Span; alias?: boolean }[] = [];
  /** A default export's own name (`export default class X`, `module.exports = class X`), added last so real names win. */
  const defaultAliases: ExportInfo[] = [];
  let opaque = false;

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

  /**
   * The expression starting at j, as far as exports care: a function, a class (with its base), a
   * bare identifier (`ref`: a local binding, resolved at the end), `require("x")` (`from`), or
   * any other value. `name` is a named class or function expression's own name.
   */
  const readValue = (j: number): ValueInfo => {
    if (toks[j]?.value === "async" && toks[j + 1] && toks[j + 1]!.value !== "=>") j++;
    const t = toks[j];
    if (!t) return { kind: "const" };
    if (t.value === "function") {
      let m = j + 1;
      if (toks[m]?.value === "*") m++;
      return isWord(toks[m]) && toks[m]!.value !== "(" ? { kind: "function", name: text(toks[m]) } : { kind: "function" };
    }
    if (t.value === "class") {
      const c = readClass(j);
      const v: ValueInfo = { kind: "class" };
      if (c.base) v.extends = c.base;
      if (c.name) v.name = text(c.name);
      return v;
    }
    if (isWord(t) && toks[j + 1]?.value === "=>") return { kind: "function" };
    if (t.value === "require" && toks[j + 1]?.value === "(" && isLiteral(toks[j + 2]) && toks[j + 3]?.value === ")") return { kind: "const", from: text(toks[j + 2]) };
    if (t.kind === "ident" && endsExpression(j)) return { kind: "const", ref: text(t) };
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

  /** Whether the token at j ends an expression: `X;`, `X,`, `X }`, the end, or (no semicolon) a new line. */
  const endsExpression = (j: number): boolean => {
    const next = toks[j + 1];
    if (!next) return true;
    if (next.value === ";" || next.value === "," || next.value === "}" || next.value === ")") return true;
    return isWord(next) && src.slice(toks[j]!.end, next.start).includes("\n");
  };

  /** After `const X` (k on the name): the kind of the initializer. */
  const readInitializer = (k: number): ValueInfo => {
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
    return readValue(j + 1);
  };

  /**
   * `module.exports = …` (v on the value). An object literal exports its keys (shorthand,
   * `key: value`, methods); a spread or computed key makes the file opaque. Anything else is the
   * default export, which a named class or function also answers to by its own name (Node's
   * import gives it as `default`; the runtime's loader accepts its name too).
   */
  const readModuleExports = (v: number): void => {
    const open = toks[v];
    if (!open) return;
    if (open.value !== "{") {
      const val = readValue(v);
      if (val.from !== undefined) {
        exports.push({ name: "*", kind: "reexport", span: spanOf(open), from: val.from, importedName: "*" });
        return;
      }
      if (val.ref !== undefined) {
        cjsRefs.push({ local: val.ref, name: "default", span: spanOf(open) });
        cjsRefs.push({ local: val.ref, name: val.ref, span: spanOf(open), alias: true });
        return;
      }
      const e: ExportInfo = { name: "default", kind: val.kind, span: spanOf(open) };
      if (val.extends) e.extends = val.extends;
      exports.push(e);
      if (val.name) defaultAliases.push({ ...e, name: val.name });
      return;
    }
    const d = open.depth;
    let j = v + 1;
    while (j < toks.length && !(toks[j]!.depth === d && toks[j]!.value === "}")) {
      // One member: up to a comma at this level (parentheses and brackets nest, braces raise the depth).
      let e = j;
      let nest = 0;
      for (; e < toks.length; e++) {
        const t = toks[e]!;
        if (t.depth === d && t.value === "}") break;
        if (t.depth !== d + 1 || t.kind !== "punct") continue;
        if (t.value === "(" || t.value === "[") nest++;
        else if (t.value === ")" || t.value === "]") nest--;
        else if (t.value === "," && nest <= 0) break;
      }
      readMember(j, e);
      j = toks[e]?.value === "," ? e + 1 : e;
    }
  };

  /** One member of a `module.exports = { … }` literal, tokens [m, e). */
  const readMember = (m: number, e: number): void => {
    const key = toks[m];
    if (!key || m >= e) return;
    if (key.value === "." || key.value === "[") {
      opaque = true; // `...spread` or `[computed]: value`
      return;
    }
    let k = m;
    let kind: ExportInfo["kind"] | undefined;
    // Methods: `name() {}`, `async name() {}`, `*name() {}`, `get name() {}`.
    if ((key.value === "async" || key.value === "get" || key.value === "set" || key.value === "*") && k + 1 < e && toks[k + 1]!.value !== ":" && toks[k + 1]!.value !== "(" && toks[k + 1]!.value !== ",") {
      kind = key.value === "get" || key.value === "set" ? "const" : "function";
      k++;
      if (toks[k]?.value === "*") k++;
    }
    const nameTok = toks[k];
    if (!nameTok || !(isWord(nameTok) || isLiteral(nameTok))) return;
    const name = text(nameTok);
    if (name === "") return;
    if (k + 1 >= e) {
      // Shorthand `{ C }`: what C is comes from its declaration.
      cjsRefs.push({ local: name, name, span: spanOf(nameTok) });
      return;
    }
    if (kind === undefined && toks[k + 1]!.value === "(") kind = "function";
    if (kind !== undefined) {
      exports.push({ name, kind, span: spanOf(nameTok) });
      return;
    }
    if (toks[k + 1]!.value !== ":") return;
    const val = readValue(k + 2);
    if (val.ref !== undefined) {
      cjsRefs.push({ local: val.ref, name, span: spanOf(nameTok) });
      return;
    }
    if (val.from !== undefined) {
      exports.push({ name, kind: "reexport", span: spanOf(nameTok), from: val.from, importedName: "default" });
      return;
    }
    const x: ExportInfo = { name, kind: val.kind, span: spanOf(nameTok) };
    if (val.extends) x.extends = val.extends;
    exports.push(x);
  };

  /** `const { A, B: C } = require("x")` (k on `{`): records the bindings as imports. */
  const readRequireDestructuring = (k: number): void => {
    const close = skipBalanced(toks, k, "{", "}");
    if (toks[close]?.value !== "=" || toks[close + 1]?.value !== "require" || toks[close + 2]?.value !== "(" || !isLiteral(toks[close + 3])) return;
    const from = text(toks[close + 3]);
    for (let m = k + 1; m < close - 1; m++) {
      const t = toks[m]!;
      if (!isWord(t) || (toks[m - 1]!.value !== "{" && toks[m - 1]!.value !== ",")) continue;
      if (toks[m + 1]?.value === ":" && isWord(toks[m + 2])) imports.set(text(toks[m + 2]), { from, importedName: text(t) });
      else imports.set(text(t), { from, importedName: text(t) });
    }
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
    // CommonJS: exports.X = …, module.exports.X = …, exports["X"] = …, module.exports = …
    if ((tok.value === "exports" || (tok.value === "module" && toks[k + 1]?.value === "." && toks[k + 2]?.value === "exports")) && (k === 0 || toks[k - 1]!.value !== ".")) {
      const j = tok.value === "module" ? k + 3 : k + 1;
      let nameTok: JsToken | undefined;
      let at = -1;
      if (toks[j]?.value === "." && isWord(toks[j + 1]) && toks[j + 2]?.value === "=") {
        nameTok = toks[j + 1];
        at = j + 3;
      } else if (toks[j]?.value === "[" && isLiteral(toks[j + 1]) && toks[j + 2]?.value === "]" && toks[j + 3]?.value === "=") {
        nameTok = toks[j + 1];
        at = j + 4;
      } else if (tok.value === "module" && toks[j]?.value === "=" && toks[j + 1]?.value !== "=") {
        readModuleExports(j + 1);
      }
      if (nameTok && text(nameTok) !== "") {
        const val = readValue(at);
        if (val.ref !== undefined) cjsRefs.push({ local: val.ref, name: text(nameTok), span: spanOf(nameTok) });
        else {
          const e: ExportInfo = { name: text(nameTok), kind: val.kind, span: spanOf(nameTok) };
          if (val.extends) e.extends = val.extends;
          exports.push(e);
        }
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
        if (isDefault && name) defaultAliases.push({ ...e, name: text(name) });
      }
      continue;
    }
    if (kw.value === "function") {
      let m = j + 1;
      if (toks[m]?.value === "*") m++;
      const name = isWord(toks[m]) ? toks[m] : undefined;
      if (name) functions.set(text(name), spanOf(name));
      if (exported && (isDefault || name)) exports.push({ name: isDefault ? "default" : text(name), kind: "function", span: name ? spanOf(name) : spanOf(kw) });
      if (exported && isDefault && name) defaultAliases.push({ name: text(name), kind: "function", span: spanOf(name) });
      continue;
    }
    if ((kw.value === "const" || kw.value === "let" || kw.value === "var") && toks[j + 1]?.value === "{") {
      readRequireDestructuring(j + 1);
      continue;
    }
    if ((kw.value === "const" || kw.value === "let" || kw.value === "var") && isWord(toks[j + 1]) && toks[j + 1]!.value !== "enum") {
      const name = toks[j + 1]!;
      const init = readInitializer(j + 1);
      // `const X = require("./x")`: X is that file's module.exports, its default export here.
      if (init.from !== undefined) imports.set(text(name), { from: init.from, importedName: "default" });
      consts.set(text(name), init.extends ? { span: spanOf(name), kind: init.kind, extends: init.extends } : { span: spanOf(name), kind: init.kind });
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
  // `export default X`: X's own name answers too when X is a class or function.
  for (const le of localExports) {
    if (le.name !== "default") continue;
    const cls = classes.get(le.local);
    if (cls) defaultAliases.push(cls.extends ? { name: le.local, kind: "class", extends: cls.extends, span: le.span } : { name: le.local, kind: "class", span: le.span });
    else if (functions.has(le.local)) defaultAliases.push({ name: le.local, kind: "function", span: le.span });
  }
  // CommonJS exports of local bindings. Unlike `export { X }` (which must name a declaration), a
  // binding not found here may come from code the scanner does not follow: it stays unverified.
  for (const r of cjsRefs) {
    const cls = classes.get(r.local);
    const fn = functions.get(r.local);
    const c = consts.get(r.local);
    const imp = imports.get(r.local);
    let e: ExportInfo | undefined;
    if (cls) e = cls.extends ? { name: r.name, kind: "class", extends: cls.extends, span: r.span } : { name: r.name, kind: "class", span: r.span };
    else if (fn) e = { name: r.name, kind: "function", span: r.span };
    else if (imp) e = { name: r.name, kind: "reexport", span: r.span, from: imp.from, importedName: imp.importedName };
    else if (c) e = c.extends ? { name: r.name, kind: c.kind, extends: c.extends, span: r.span } : { name: r.name, kind: c.kind, span: r.span };
    else e = { name: r.name, kind: "reexport", span: r.span };
    // A binding's own name is only an alias for a class or function (the loader matches Function.name).
    if (r.alias && e.kind !== "class" && e.kind !== "function") continue;
    (r.alias ? defaultAliases : exports).push(e);
  }
  exports.push(...defaultAliases);
  for (const [name, c] of consts) if (c.kind === "class") classes.set(name, c.extends ? { extends: c.extends, span: c.span } : { span: c.span });
  const result: ScanResult = { exports, classes, imports };
  if (opaque) result.opaque = true;
  return result;
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
