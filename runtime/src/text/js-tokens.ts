/**
 * One lexer for TypeScript and JavaScript source, shared by the light scanners that read code
 * without a compiler: the exports of task files (definition/exports.ts), the scheduling calls the
 * language server checks (server/src/analysis/schedule-calls.ts) and backend service names
 * (services/scan-calls.ts). Each must not be fooled by a comment, a string, a template literal
 * or a regular expression, so that is done once, here.
 *
 * Not a parser: it yields identifiers (keywords included), numbers, punctuators, string literals
 * (with their decoded value), template literal pieces and regular expression literals, each with
 * its span and its curly-brace depth, and skips whitespace and comments. Whether a `/` starts a
 * regular expression is decided by the previous token, as every light JS lexer does (after `)`,
 * `]`, `}`, an identifier or a literal it divides; after other punctuators and keywords such as
 * `return` it starts a regex). Unterminated literals end at the end of their line, so a literal
 * being typed never swallows the rest of the file.
 *
 * Pure (no Node APIs), safe in any bundle.
 */
import type { Span } from "./span";

export type JsTokenKind = "ident" | "number" | "punct" | "string" | "template" | "regex";

export interface JsToken extends Span {
  kind: JsTokenKind;
  /**
   * - ident, number, punct: the text as written. Punctuators are one character each, except `=>`
   *   (so `>` inside type arguments is never the arrow's).
   * - string: the decoded value (escapes applied); undefined when the literal is unterminated.
   * - template: the decoded value of a whole template literal without substitutions; undefined
   *   for the pieces of a template with `${…}` and for an unterminated one.
   * - regex: undefined.
   */
  value: string | undefined;
  /**
   * string, template, regex: the token ends with its closing delimiter (false while it is being
   * typed). A template piece ends with `` ` `` or with the `${` that opens a substitution.
   * Always true for the other kinds.
   */
  closed: boolean;
  /** Curly-brace depth at the token: 0 is the top level; a template's `${…}` counts as a level. */
  depth: number;
}

/** Keywords after which a `/` starts a regular expression, not a division. */
const REGEX_AFTER = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);

function isIdStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || (c >= 0x80 && !isSpace(c));
}

function isIdPart(c: number): boolean {
  return isIdStart(c) || (c >= 48 && c <= 57);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029;
}

function isLineEnd(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

/**
 * A streaming lexer: `read()` returns the next token (undefined at the end); it is also an
 * iterator, so `for (const t of jsTokens(src))` works. Tokens are plain objects; keep the ones
 * you need.
 */
export class JsLexer implements IterableIterator<JsToken> {
  private pos = 0;
  /** Per open `{`: true when it is a template's `${` (its `}` resumes the template). */
  private readonly braces: boolean[] = [];
  /** Whether a `/` here would start a regular expression (decided by the previous token). */
  private regexAllowed = true;

  constructor(readonly src: string) {
    // A hashbang line is a comment.
    if (src.charCodeAt(0) === 35 && src.charCodeAt(1) === 33) this.pos = lineEnd(src, 2);
  }

  read(): JsToken | undefined {
    const s = this.src;
    const n = s.length;
    let i = this.pos;
    // Whitespace and comments.
    for (;;) {
      if (i >= n) {
        this.pos = n;
        return undefined;
      }
      const c = s.charCodeAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (c === 47 /* / */) {
        const d = s.charCodeAt(i + 1);
        if (d === 47) {
          i = lineEnd(s, i + 2);
          continue;
        }
        if (d === 42) {
          const e = s.indexOf("*/", i + 2);
          i = e < 0 ? n : e + 2;
          continue;
        }
      }
      break;
    }
    const c = s.charCodeAt(i);
    const depth = this.braces.length;
    if (c === 34 || c === 39) return this.stringAt(i, c, depth);
    if (c === 96 /* ` */) return this.templateAt(i, i + 1, true, depth);
    if (c === 125 /* } */ && this.braces.length > 0 && this.braces[this.braces.length - 1]) {
      this.braces.pop();
      return this.templateAt(i, i + 1, false, this.braces.length);
    }
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < n && isIdPart(s.charCodeAt(j))) j++;
      const value = s.slice(i, j);
      this.pos = j;
      this.regexAllowed = REGEX_AFTER.has(value);
      return { kind: "ident", start: i, end: j, value, closed: true, depth };
    }
    if ((c >= 48 && c <= 57) || (c === 46 && isDigit(s.charCodeAt(i + 1)))) {
      let j = i + 1;
      for (; j < n; j++) {
        const d = s.charCodeAt(j);
        if (isIdPart(d) || d === 46) continue;
        // An exponent's sign: 1e-7, 2E+3 (not in hex, where e is a digit and +/- an operator).
        if ((d === 43 || d === 45) && (s.charCodeAt(j - 1) | 32) === 101 && !/^0[xX]/.test(s.slice(i, i + 2))) continue;
        break;
      }
      this.pos = j;
      this.regexAllowed = false;
      return { kind: "number", start: i, end: j, value: s.slice(i, j), closed: true, depth };
    }
    if (c === 47 && this.regexAllowed) return this.regexAt(i, depth);
    if (c === 61 /* = */ && s.charCodeAt(i + 1) === 62 /* > */) {
      this.pos = i + 2;
      this.regexAllowed = true;
      return { kind: "punct", start: i, end: i + 2, value: "=>", closed: true, depth };
    }
    let tokenDepth = depth;
    if (c === 123 /* { */) this.braces.push(false);
    else if (c === 125 /* } */ && this.braces.length > 0) {
      this.braces.pop();
      tokenDepth = this.braces.length;
    }
    // Keep a surrogate pair together so a span never splits a character.
    const end = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? i + 2 : i + 1;
    this.pos = end;
    this.regexAllowed = c !== 41 /* ) */ && c !== 93 /* ] */ && c !== 125; /* } */
    return { kind: "punct", start: i, end, value: s.slice(i, end), closed: true, depth: tokenDepth };
  }

  next(): IteratorResult<JsToken> {
    const t = this.read();
    return t ? { done: false, value: t } : { done: true, value: undefined };
  }

  [Symbol.iterator](): IterableIterator<JsToken> {
    return this;
  }

  private stringAt(start: number, quote: number, depth: number): JsToken {
    const s = this.src;
    const n = s.length;
    let j = start + 1;
    let escaped = false;
    let closed = false;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (c === 92 /* \ */) {
        escaped = true;
        j += escapedLength(s, j);
      } else if (c === quote) {
        closed = true;
        break;
      } else if (c === 10 || c === 13) break;
      else j++;
    }
    j = Math.min(j, n);
    const end = closed ? j + 1 : j;
    this.pos = end;
    this.regexAllowed = false;
    const value = !closed ? undefined : escaped ? decodeEscapes(s, start + 1, j) : s.slice(start + 1, j);
    return { kind: "string", start, end, value, closed, depth };
  }

  /**
   * A template piece from `start` (the `` ` `` or the `}` that ends a substitution); its text
   * begins at `from`. Ends after the closing `` ` `` or after a `${` (which opens a level).
   */
  private templateAt(start: number, from: number, whole: boolean, depth: number): JsToken {
    const s = this.src;
    const n = s.length;
    let j = from;
    let escaped = false;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (c === 92) {
        escaped = true;
        j += escapedLength(s, j);
      } else if (c === 96) {
        this.pos = j + 1;
        this.regexAllowed = false;
        const value = !whole ? undefined : escaped ? decodeEscapes(s, from, j) : s.slice(from, j);
        return { kind: "template", start, end: j + 1, value, closed: true, depth };
      } else if (c === 36 && s.charCodeAt(j + 1) === 123) {
        this.braces.push(true);
        this.pos = j + 2;
        // `${` opens an expression: a `/` right after it starts a regex.
        this.regexAllowed = true;
        return { kind: "template", start, end: j + 2, value: undefined, closed: true, depth };
      } else j++;
    }
    this.pos = n;
    this.regexAllowed = false;
    return { kind: "template", start, end: n, value: undefined, closed: false, depth };
  }

  private regexAt(start: number, depth: number): JsToken {
    const s = this.src;
    const n = s.length;
    let j = start + 1;
    let inClass = false;
    let closed = false;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (isLineEnd(c)) break;
      if (c === 92) {
        j += 2;
        continue;
      }
      j++;
      if (c === 91 /* [ */) inClass = true;
      else if (c === 93 /* ] */) inClass = false;
      else if (c === 47 && !inClass) {
        closed = true;
        break;
      }
    }
    if (closed) while (j < n && isIdPart(s.charCodeAt(j))) j++;
    const end = Math.min(j, n);
    this.pos = end;
    this.regexAllowed = false;
    return { kind: "regex", start, end, value: undefined, closed, depth };
  }
}

/** A streaming token iterator over `src`. */
export function jsTokens(src: string): JsLexer {
  return new JsLexer(src);
}

/** Every token of `src`, for scanners that look ahead and behind. */
export function tokenizeJs(src: string): JsToken[] {
  const lexer = new JsLexer(src);
  const out: JsToken[] = [];
  for (let t = lexer.read(); t; t = lexer.read()) out.push(t);
  return out;
}

/** Whether `t` is the punctuator `p`. */
export function isPunct(t: JsToken | undefined, p: string): boolean {
  return t !== undefined && t.kind === "punct" && t.value === p;
}

/**
 * Skips type arguments: `tokens[i]` is `<`; returns the index after the matching `>`, or -1 when
 * the `<` was a comparison after all: a `;` outside brackets, a bracket closed that was opened
 * before it, or 200 tokens without the end. Object types (`<{ list(): string[] }>`) and arrow
 * types (`<(x: T) => U>`) are type arguments.
 */
export function skipTypeArguments(tokens: readonly JsToken[], i: number): number {
  let angles = 0;
  let brackets = 0;
  for (let j = i; j < tokens.length && j < i + 200; j++) {
    const t = tokens[j]!;
    if (t.kind !== "punct") continue;
    switch (t.value) {
      case "<":
        angles++;
        break;
      case ">":
        if (--angles === 0) return brackets === 0 ? j + 1 : -1;
        break;
      case "(":
      case "[":
      case "{":
        brackets++;
        break;
      case ")":
      case "]":
      case "}":
        if (--brackets < 0) return -1;
        break;
      case ";":
        if (brackets === 0) return -1;
        break;
    }
  }
  return -1;
}

/** A call `name(…)`, `obj.name(…)` or `name<T>(…)` whose first argument begins with a string or template literal. */
export interface LiteralCall {
  /** The function name. */
  callee: JsToken;
  /** The first argument's first token (a string or template token; check `value` and `closed`). */
  literal: JsToken;
  /** The token after the literal (`,`, `)`, `as`, or what makes the argument an expression). */
  after: JsToken | undefined;
}

/** Tokens before a name that make it a declaration (`function f(`, `async f(`, `get f(`), not a call. */
const DECLARES = new Set(["function", "async", "get", "set"]);

/**
 * Calls of the functions `isCallee` accepts whose first argument starts with a string or template
 * literal: what the scheduling-call and service-name scanners look for.
 */
export function literalCalls(tokens: readonly JsToken[], isCallee: (name: string) => boolean): LiteralCall[] {
  const out: LiteralCall[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const callee = tokens[k]!;
    if (callee.kind !== "ident" || !isCallee(callee.value!)) continue;
    const before = tokens[k - 1];
    if (before && before.kind === "ident" && DECLARES.has(before.value!)) continue;
    let j = k + 1;
    if (isPunct(tokens[j], "<")) j = skipTypeArguments(tokens, j);
    if (j < 0 || !isPunct(tokens[j], "(")) continue;
    const literal = tokens[j + 1];
    if (!literal || (literal.kind !== "string" && literal.kind !== "template")) continue;
    out.push({ callee, literal, after: tokens[j + 2] });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// literals

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The offset of the line end at or after `i` (or the end of the text). */
function lineEnd(s: string, i: number): number {
  const n = s.length;
  while (i < n && !isLineEnd(s.charCodeAt(i))) i++;
  return i;
}

/** How many code units the escape sequence at `i` (a backslash) spans, for finding a literal's end. */
function escapedLength(s: string, i: number): number {
  return s.charCodeAt(i + 1) === 13 && s.charCodeAt(i + 2) === 10 ? 3 : 2;
}

function hexValue(s: string, from: number, to: number): number {
  if (to <= from || to > s.length) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) | 32;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", v: "\v", "0": "\0" };

/** The value of a literal's text `s[from, to)` with its escape sequences applied. */
export function decodeEscapes(s: string, from: number, to: number): string {
  let out = "";
  let last = from;
  let i = from;
  while (i < to) {
    if (s.charCodeAt(i) !== 92) {
      i++;
      continue;
    }
    out += s.slice(last, i);
    const e = s[i + 1];
    let len = 2;
    let value: string;
    if (e === undefined || i + 1 >= to) value = "";
    else if (e === "x" && hexValue(s, i + 2, i + 4) >= 0) {
      value = String.fromCharCode(hexValue(s, i + 2, i + 4));
      len = 4;
    } else if (e === "u" && s[i + 2] === "{") {
      const close = s.indexOf("}", i + 3);
      const cp = close < 0 || close >= to ? -1 : hexValue(s, i + 3, close);
      value = cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : "u";
      if (cp >= 0 && cp <= 0x10ffff) len = close - i + 1;
    } else if (e === "u" && hexValue(s, i + 2, i + 6) >= 0) {
      value = String.fromCharCode(hexValue(s, i + 2, i + 6));
      len = 6;
    } else if (e === "\r") {
      value = ""; // a line continuation
      len = s[i + 2] === "\n" ? 3 : 2;
    } else if (e === "\n" || e === "\u2028" || e === "\u2029") value = "";
    else value = SIMPLE_ESCAPES[e] ?? e;
    out += value;
    i += len;
    last = i;
  }
  return out + s.slice(last, to);
}
