/**
 * Real modules through the protocol: WebHare's own `system` and `publisher` module trees (the
 * definition plus the files it names, in ../shared/corpus/webhare) and the example module open
 * with zero errors, and the editor features answer on them.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import type { DocumentSymbol, MarkupContent } from "vscode-languageserver-protocol";
import { corpus, LspClient, positionOf, repoRoot, uriOf } from "./lsp-client";

describe("lsp on the WebHare corpus and the example module", { timeout: 120_000 }, () => {
  let c: LspClient;
  before(async () => {
    c = await LspClient.start({ folders: [corpus, join(repoRoot, "examples")], settings: {} });
    await c.waitForLog(/indexed \d+ module/);
  });
  after(async () => {
    await c.stop();
  });

  it("reports workspace diagnostics for closed definitions, then 'unchanged'", async () => {
    const first = await c.workspaceDiagnostics();
    const byFile = new Map(first.items.map((i) => [i.uri, i]));
    for (const mod of ["system", "publisher"]) {
      const r = byFile.get(uriOf(join(corpus, mod, "moduledefinition.xml")));
      assert.ok(r && r.kind === "full", mod);
      assert.ok(r.items.length > 0 && r.items.every((d) => d.code === "harescript-needs-webhare"));
    }
    const again = await c.workspaceDiagnostics(first.items.map((i) => ({ uri: i.uri, value: i.resultId! })));
    assert.ok(again.items.length === first.items.length && again.items.every((i) => i.kind === "unchanged"));
  });

  for (const mod of ["system", "publisher"]) {
    it(`opens ${mod}/moduledefinition.xml with 0 errors and 0 warnings`, async () => {
      const uri = await c.open(join(corpus, mod, "moduledefinition.xml"));
      const diags = await c.pullDiagnostics(uri);
      assert.deepEqual(diags.filter((d) => d.severity === 1 || d.severity === 2), []);
      // What remains is information: HareScript targets are checked, not run.
      assert.ok(diags.every((d) => d.code === "harescript-needs-webhare"));
      const symbols = (await c.documentSymbols(uri)) as DocumentSymbol[];
      assert.ok(symbols[0]!.children!.length > 5);
      const lenses = await c.codeLens(uri);
      assert.ok(lenses!.some((l) => l.command!.title.startsWith("next: ")));
    });
  }

  it("hovers a maintenance task of the system module", async () => {
    const uri = await c.open(join(corpus, "system", "moduledefinition.xml"));
    const text = c.text(uri);
    const h = await c.hover(uri, positionOf(text, "13  0 * * *", 1));
    const md = (h!.contents as MarkupContent).value;
    assert.match(md, /At 00:13 every day\*\*, maintenance zone \(UTC-01:23: runs 83 min after UTC\)/);
  });

  it("opens examples/hello with 0 problems and links its task file", async () => {
    const uri = await c.open(join(repoRoot, "examples", "hello", "moduledefinition.xml"));
    assert.deepEqual(await c.pullDiagnostics(uri), []);
    // One link per script/objectname/taskrunner (the example grows with the runtime; count what is there).
    const text = c.text(uri);
    const targets = (text.match(/\s(script|objectname|taskrunner)="/g) ?? []).length;
    const links = await c.documentLinks(uri);
    assert.ok(targets > 0);
    assert.equal(links!.length, targets);
    for (const l of links!) assert.ok(existsSync(fileURLToPath(l.target!)), l.target);
  });
});
