/** The shared TS/JS lexer (runtime/src/text/js-tokens.ts) under the export, scheduling-call and service-name scanners. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeEscapes, jsTokens, literalCalls, skipTypeArguments, tokenizeJs, type JsToken } from "../../runtime/src/text/js-tokens";

/** Tokens as [kind, source text, value] (value only where it differs from the text). */
function toks(src: string): [string, string, ...unknown[]][] {
  return tokenizeJs(src).map((t) => {
    const text = src.slice(t.start, t.end);
    const row: [string, string, ...unknown[]] = [t.kind, text];
    if (t.value !== text) row.push(t.value);
    if (!t.closed) row.push("open");
    return row;
  });
}

describe("tokenizeJs", () => {
  it("yields identifiers, numbers, punctuators and literals with spans, skipping comments", () => {
    const src = `// line\nconst x = a => 1.5e-3; /* block */ f("s\\n", 'q');`;
    assert.deepEqual(toks(src), [
      ["ident", "const"],
      ["ident", "x"],
      ["punct", "="],
      ["ident", "a"],
      ["punct", "=>"],
      ["number", "1.5e-3"],
      ["punct", ";"],
      ["ident", "f"],
      ["punct", "("],
      ["string", `"s\\n"`, "s\n"],
      ["punct", ","],
      ["string", "'q'", "q"],
      ["punct", ")"],
      ["punct", ";"],
    ]);
  });

  it("tells a regular expression from a division by the token before it", () => {
    assert.deepEqual(toks("a / b / c").map((t) => t[0]), ["ident", "punct", "ident", "punct", "ident"]);
    assert.deepEqual(toks("x = /[/]\\//g.test(y)").slice(2, 3), [["regex", "/[/]\\//g", undefined]]);
    assert.deepEqual(toks("return /a/").map((t) => t[0]), ["ident", "regex"]);
    assert.deepEqual(toks("f(x) / 2").map((t) => t[0]), ["ident", "punct", "ident", "punct", "punct", "number"]);
    assert.deepEqual(toks("`${/re/.source}`").map((t) => t[0]), ["template", "regex", "punct", "ident", "template"]);
  });

  it("splits templates into pieces around substitutions, with depths", () => {
    const src = "`a${b + `c${d}`}e` {x}";
    const got = tokenizeJs(src).map((t) => [t.kind, src.slice(t.start, t.end), t.depth, t.value]);
    assert.deepEqual(got, [
      ["template", "`a${", 0, undefined],
      ["ident", "b", 1, "b"],
      ["punct", "+", 1, "+"],
      ["template", "`c${", 1, undefined],
      ["ident", "d", 2, "d"],
      ["template", "}`", 1, undefined],
      ["template", "}e`", 0, undefined],
      ["punct", "{", 0, "{"],
      ["ident", "x", 1, "x"],
      ["punct", "}", 0, "}"],
    ]);
    assert.deepEqual(toks("`plain \\x41`"), [["template", "`plain \\x41`", "plain A"]]);
  });

  it("ends unterminated literals at the end of their line", () => {
    assert.deepEqual(toks(`f("abc\ng()`), [
      ["ident", "f"],
      ["punct", "("],
      ["string", `"abc`, undefined, "open"],
      ["ident", "g"],
      ["punct", "("],
      ["punct", ")"],
    ]);
    assert.deepEqual(toks("x = /ab\ny"), [["ident", "x"], ["punct", "="], ["regex", "/ab", undefined, "open"], ["ident", "y"]]);
    assert.deepEqual(toks("`abc"), [["template", "`abc", undefined, "open"]]);
  });

  it("skips a hashbang line and keeps surrogate pairs whole", () => {
    assert.deepEqual(toks("#!/usr/bin/env node\nrun()"), [["ident", "run"], ["punct", "("], ["punct", ")"]]);
    assert.deepEqual(toks("a ≠ b"), [["ident", "a"], ["ident", "≠"], ["ident", "b"]]);
    assert.deepEqual(toks("\u{1F600}").length, 1);
  });

  it("streams the same tokens it returns as a list", () => {
    const src = "export class A extends B { m() { return `x${1}` / 2; } }";
    const streamed: JsToken[] = [];
    for (const t of jsTokens(src)) streamed.push(t);
    assert.deepEqual(streamed, tokenizeJs(src));
  });

  it("decodes escapes", () => {
    const d = (s: string) => decodeEscapes(s, 0, s.length);
    assert.equal(d("a\\tb"), "a\tb");
    assert.equal(d("\\x41\\u0042\\u{43}\\q"), "ABCq");
    assert.equal(d("line\\\ncontinued"), "linecontinued");
    assert.equal(d("bad \\x4 and \\u{"), "bad x4 and u{");
  });

  it("never throws and gives ordered, non-overlapping spans for any input", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = ["a", "1", " ", "\n", "/", "*", "`", "$", "{", "}", '"', "'", "\\", "[", "]", "(", ")", "<", ">", "=", "e", "-", "x", "\u{1F600}"];
    for (let n = 0; n < 2000; n++) {
      let src = "";
      const len = Math.floor(rnd() * 40);
      for (let i = 0; i < len; i++) src += alphabet[Math.floor(rnd() * alphabet.length)];
      let last = 0;
      for (const t of tokenizeJs(src)) {
        assert.ok(t.start >= last && t.end > t.start && t.end <= src.length, `bad span in ${JSON.stringify(src)}`);
        last = t.end;
      }
    }
  });
});

describe("call helpers", () => {
  it("skips type arguments, and gives up on a comparison", () => {
    const t = tokenizeJs("f<A<B>, (x) => C>(1); a < b; c");
    assert.equal(t[skipTypeArguments(t, 1)]!.value, "(");
    const obj = tokenizeJs("f<{ list(): string[]; n: Map<a, b> }>(1)");
    assert.equal(obj[skipTypeArguments(obj, 1)]!.value, "(");
    for (const comparison of ["a < b; c > d", "if (a < b) { c > d }", "x = [a < b] > c"]) {
      const t = tokenizeJs(comparison);
      assert.equal(skipTypeArguments(t, t.findIndex((x) => x.value === "<")), -1, comparison);
    }
  });

  it("finds calls with a literal first argument, not declarations", () => {
    const src = `f("a"); obj.f<T>('b', 2); function f(x) {} f(x); async f("c") {} f(\`d\`);`;
    const got = literalCalls(tokenizeJs(src), (n) => n === "f").map((c) => [src.slice(c.literal.start, c.literal.end), c.after?.value]);
    assert.deepEqual(got, [
      [`"a"`, ")"],
      [`'b'`, ","],
      ["`d`", ")"],
    ]);
  });
});
