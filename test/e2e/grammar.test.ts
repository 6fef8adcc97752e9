/**
 * The TextMate grammars in syntaxes/, tokenized by the same engine VS Code uses
 * (vscode-textmate + vscode-oniguruma, taken from the code-server the e2e setup installs), with
 * VS Code's own XML grammar for the runat injection.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { E2E_DIR, REPO_ROOT } from "./lib/code-server";

interface Token {
  startIndex: number;
  endIndex: number;
  scopes: string[];
}
interface Grammar {
  tokenizeLine(line: string, state: unknown): { tokens: Token[]; ruleStack: unknown };
}

let crontab: Grammar;
let xml: Grammar;
let INITIAL: unknown;

before(async () => {
  // @ts-expect-error: setup.mjs is plain JavaScript without declarations.
  const setup = (await import("./setup.mjs")) as { ensureE2eTools: () => unknown };
  setup.ensureE2eTools();
  const vscodeDir = join(E2E_DIR, "node_modules", "code-server", "lib", "vscode");
  const req = createRequire(join(vscodeDir, "package.json"));
  const tm = req("vscode-textmate");
  const onig = req("vscode-oniguruma");
  const wasm = readFileSync(join(vscodeDir, "node_modules", "vscode-oniguruma", "release", "onig.wasm"));
  await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const files: Record<string, string> = {
    "source.crontab.modtasks": join(REPO_ROOT, "syntaxes", "crontab.tmLanguage.json"),
    "cron-mask.injection.modtasks": join(REPO_ROOT, "syntaxes", "runat.injection.tmLanguage.json"),
    "text.xml": join(vscodeDir, "extensions", "xml", "syntaxes", "xml.tmLanguage.json"),
  };
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
  const injectTo: Record<string, string[]> = {};
  for (const g of pkg.contributes.grammars as { scopeName: string; injectTo?: string[] }[]) for (const t of g.injectTo ?? []) (injectTo[t] ??= []).push(g.scopeName);
  const registry = new tm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (s: string[]) => new onig.OnigScanner(s), createOnigString: (s: string) => new onig.OnigString(s) }),
    loadGrammar: async (scope: string) => (files[scope] ? tm.parseRawGrammar(readFileSync(files[scope], "utf8"), files[scope]) : null),
    getInjections: (scope: string) => injectTo[scope],
  });
  crontab = await registry.loadGrammar("source.crontab.modtasks");
  xml = await registry.loadGrammar("text.xml");
  INITIAL = tm.INITIAL;
});

/** [text, innermost scope] of every token of a line. */
function tokens(g: Grammar, line: string): [string, string][] {
  return g.tokenizeLine(line, INITIAL).tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes.at(-1)!]);
}

function scopeOf(g: Grammar, line: string, text: string, nth = 0): string[] {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = line.indexOf(text, at + 1);
  const t = g.tokenizeLine(line, INITIAL).tokens.find((tok) => tok.startIndex <= at && at < tok.endIndex);
  assert.ok(t, `no token at ${text}`);
  return t.scopes;
}

describe("syntaxes: crontab grammar", () => {
  it("comments", () => {
    assert.deepEqual(tokens(crontab, "# nightly jobs"), [
      ["#", "punctuation.definition.comment.crontab"],
      [" nightly jobs", "comment.line.number-sign.crontab"],
    ]);
  });

  it("the five fields, the document and the context", () => {
    const line = "*/5 9-17 * jan,jul mon-fri /tasks/cleanup/ some context";
    assert.ok(scopeOf(crontab, line, "*/5").includes("meta.field.minute.cron"));
    assert.equal(scopeOf(crontab, line, "/5").at(-1), "keyword.operator.step.cron");
    assert.ok(scopeOf(crontab, line, "9-17").includes("meta.field.hour.cron"));
    assert.equal(scopeOf(crontab, line, "-17").at(-1), "keyword.operator.range.cron");
    assert.equal(scopeOf(crontab, line, "jan").at(-1), "constant.language.month.cron");
    assert.ok(scopeOf(crontab, line, "jan").includes("meta.field.month.cron"));
    assert.equal(scopeOf(crontab, line, ",jul").at(-1), "punctuation.separator.list.cron");
    assert.equal(scopeOf(crontab, line, "mon").at(-1), "constant.language.weekday-name.cron");
    assert.ok(scopeOf(crontab, line, "mon").includes("meta.field.day-of-week.cron"));
    assert.equal(scopeOf(crontab, line, "/tasks/cleanup/").at(-1), "entity.name.function.document.crontab");
    assert.equal(scopeOf(crontab, line, "some context").at(-1), "string.unquoted.context.crontab");
  });

  it("`|` unions and L", () => {
    const line = "*/5 5-7 * * *|0 0 L * * /tasks/report/";
    assert.equal(scopeOf(crontab, line, "|").at(-1), "keyword.operator.union.cron");
    assert.equal(scopeOf(crontab, line, "L").at(-1), "constant.language.last.cron");
    assert.ok(scopeOf(crontab, line, "L").includes("meta.field.day-of-month.cron"));
    assert.equal(scopeOf(crontab, line, "/tasks/report/").at(-1), "entity.name.function.document.crontab");
  });

  it("literal code as the document, and system crontab options", () => {
    const code = "0 * * * * <% print('hi') %> ctx";
    assert.equal(scopeOf(crontab, code, "<%").at(-1), "punctuation.section.embedded.begin.crontab");
    assert.equal(scopeOf(crontab, code, "ctx").at(-1), "string.unquoted.context.crontab");
    const sys = "0 3 * * * ENV:MODE=prod DIR:/srv OUT:/tmp/out.log /usr/bin/backup --full";
    assert.equal(scopeOf(crontab, sys, "ENV").at(-1), "keyword.other.option.crontab");
    assert.equal(scopeOf(crontab, sys, "MODE").at(-1), "variable.other.env.crontab");
    assert.equal(scopeOf(crontab, sys, "/usr/bin/backup").at(-1), "entity.name.function.document.crontab");
    assert.equal(scopeOf(crontab, sys, "--full").at(-1), "string.unquoted.context.crontab");
  });
});

describe("syntaxes: cron masks inside runat=\"...\"", () => {
  const line = '    <task tag="nightly" script="scripts/n.ts" runat="*/15 3 1,15 * mon-fri" runtz="Europe/Amsterdam" />';

  it("highlights the fields, separators and steps of the mask", () => {
    assert.ok(scopeOf(xml, line, "*/15").includes("meta.embedded.cron-mask.modtasks"));
    assert.equal(scopeOf(xml, line, "*/15").at(-1), "keyword.operator.wildcard.cron");
    assert.equal(scopeOf(xml, line, "/15").at(-1), "keyword.operator.step.cron");
    assert.ok(scopeOf(xml, line, " 3 ").includes("meta.embedded.cron-mask.modtasks"));
    assert.ok(scopeOf(xml, line, "3 1,").includes("meta.field.hour.cron"));
    assert.equal(scopeOf(xml, line, ",15").at(-1), "punctuation.separator.list.cron");
    assert.equal(scopeOf(xml, line, "mon").at(-1), "constant.language.weekday-name.cron");
    assert.ok(scopeOf(xml, line, "runat").includes("entity.other.attribute-name.localname.xml"));
  });

  it("leaves other attributes to the XML grammar", () => {
    assert.ok(!scopeOf(xml, line, "Europe/Amsterdam").includes("meta.embedded.cron-mask.modtasks"));
    assert.ok(scopeOf(xml, line, "Europe/Amsterdam").some((s) => s.startsWith("string.quoted.double.xml")));
    assert.ok(!scopeOf(xml, line, "scripts/n.ts").includes("meta.embedded.cron-mask.modtasks"));
    // Not inside comments or text.
    assert.ok(!scopeOf(xml, '<!-- runat="0 3 * * *" -->', "0 3").includes("meta.embedded.cron-mask.modtasks"));
  });
});
