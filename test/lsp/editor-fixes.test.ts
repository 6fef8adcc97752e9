/**
 * Protocol tests for what an audit of the language server found: hover on the root `<module>`,
 * informational CodeLenses that carry a command the server runs itself (Neovim rejects an empty
 * one), fix titles that say the zone, Quartz masks, `extends ManagedTaskBase`, workspace symbols
 * without `mymod:`, and, for clients without file watchers (Neovim), a target created on disk
 * clearing its error. A temporary workspace, real LSP over stdio, no sleeps: every wait is on a
 * message from the server.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { applyEdits, FULL_CAPABILITIES, hoverText, LspClient, positionOf, rangeOf, uriOf } from "./lsp-client";

const NOW = "2026-03-20T10:00:00Z";

const DEFINITION = `<?xml version="1.0" encoding="UTF-8"?>
<module xmlns="http://www.webhare.net/xmlns/system/moduledefinition">
  <servicemanager>
    <task runat="0 3 * * *" script="scripts/x.ts" />
    <task tag="legacy" runtime="3:15" script="scripts/x.ts" />
    <task tag="zoned" runtime="4:30" runtz="Europe/Amsterdam" script="scripts/x.ts" />
    <task tag="quartz" runat="0 0 12 ? * MON" script="scripts/x.ts" />
    <task tag="byhand" script="scripts/x.ts" />
    <task tag="broken" runat="0 25 * * *" script="scripts/x.ts" />
    <managedtask type="plain" objectname="lib/plain.ts#Plain" />
    <managedtask type="later" objectname="lib/later.ts#Later" />
  </servicemanager>
</module>
`;
const PLAIN = `/** Forgot its base class. */\nexport class Plain<T> {\n  async runTask(_data: T) {}\n}\n`;
const LATER = `import { ManagedTaskBase } from "modtasks";\nexport class Later extends ManagedTaskBase {\n  async runTask() {\n    this.resolveByCompletion(null);\n  }\n}\n`;

function workspace(): { root: string; mod: string } {
  const root = mkdtempSync(join(tmpdir(), "modtasks-lsp-fixes-"));
  const mod = join(root, "mymod");
  mkdirSync(join(mod, "scripts"), { recursive: true });
  mkdirSync(join(mod, "lib"), { recursive: true });
  writeFileSync(join(mod, "moduledefinition.xml"), DEFINITION);
  writeFileSync(join(mod, "scripts", "x.ts"), `console.log("x");\n`);
  writeFileSync(join(mod, "lib", "plain.ts"), PLAIN);
  return { root, mod };
}

describe("lsp: hover, lenses, fixes and symbols", { timeout: 120_000 }, () => {
  let c: LspClient;
  let ws: { root: string; mod: string };
  let def: string;

  before(async () => {
    ws = workspace();
    c = await LspClient.start({ folders: [ws.root], settings: { previewRuns: 3 }, env: { MODTASKS_LSP_NOW: NOW } });
    await c.waitForLog(/indexed \d+ module/);
    def = await c.open(join(ws.mod, "moduledefinition.xml"));
  });
  after(async () => {
    await c.stop();
    rmSync(ws.root, { recursive: true, force: true });
  });

  it("documents the root <module> element, as the XSD does", async () => {
    const text = c.text(def);
    const h = await c.hover(def, positionOf(text, "<module", 2));
    const md = hoverText(h);
    assert.match(md, /^\*\*`<module>`\*\* · `mymod`/);
    assert.match(md, /The root of a module definition\. Only its `<servicemanager>` section is described here\./);
    assert.match(md, /its tasks are `mymod:tag` and `mymod:type`\. Its `<servicemanager>` has 8 declarations\./);
    assert.deepEqual(h!.range, rangeOf(text, "module"));
    const end = await c.hover(def, positionOf(text, "</module>", 3));
    assert.match(hoverText(end), /^\*\*`<module>`\*\*/);
  });

  it("gives informational lenses a command the server runs itself", async () => {
    const lenses = (await c.codeLens(def))!;
    const lensOf = (tag: string) => lenses.find((l) => l.range.start.line === positionOf(c.text(def), `tag="${tag}"`).line)!.command!;
    assert.ok(lenses.every((l) => l.command && l.command.command !== ""), "no lens has an empty command id");
    const byHand = lensOf("byhand");
    assert.equal(byHand.title, "runs only by hand");
    assert.equal(byHand.command, "modtasks.explain");
    assert.deepEqual(byHand.arguments, [{ message: "mymod:byhand has no runat: it runs only when triggered (modtasks trigger mymod:byhand, or ▷ Run)." }]);
    const broken = lensOf("broken");
    assert.equal(broken.title, "⚠ no next run (see the problem)");
    assert.deepEqual(broken.arguments, [{ message: "mymod:broken has no next run: invalid runat: hour 25 is out of range 0-23." }]);
    assert.deepEqual(c.initializeResult.capabilities.executeCommandProvider, { commands: ["modtasks.explain"] });
    assert.equal(await c.executeCommand(byHand.command, byHand.arguments), null);
    assert.equal(await c.waitForShownMessage(/mymod:byhand has no runat/), byHand.arguments![0].message);
    await assert.rejects(c.executeCommand("modtasks.runTask", []), /unknown command 'modtasks\.runTask'/);
  });

  it("says the zone in the title of the deprecated runtime fix", async () => {
    const text = c.text(def);
    const legacy = (await c.codeActions(def, rangeOf(text, "runtime")))!;
    assert.equal(legacy[0]!.title, 'Replace with runat="15 3 * * *" (UTC)');
    const zoned = (await c.codeActions(def, rangeOf(text, "runtime", 1)))!;
    assert.equal(zoned[0]!.title, 'Replace with runat="30 4 * * *" (Europe/Amsterdam)');
    assert.ok(applyEdits(text, zoned[0]!.edit!.changes![def]!).includes('<task tag="zoned" runat="30 4 * * *" runtz="Europe/Amsterdam"'));
  });

  it("rewrites a 6-field Quartz mask to the WebHare mask", async () => {
    const text = c.text(def);
    const diags = await c.pullDiagnostics(def);
    const count = diags.find((d) => d.code === "cron-field-count")!;
    assert.deepEqual(count.range, rangeOf(text, "MON"), "the extra field is underlined");
    const actions = (await c.codeActions(def, count.range, [count]))!;
    assert.equal(actions[0]!.title, "Change to '0 12 * * 1'");
    assert.ok(applyEdits(text, actions[0]!.edit!.changes![def]!).includes('<task tag="quartz" runat="0 12 * * 1" script'));
  });

  it("makes a class that extends nothing extend ManagedTaskBase (with the import)", async () => {
    const text = c.text(def);
    const diags = await c.pullDiagnostics(def);
    const notTask = diags.find((d) => d.code === "export-not-task-class")!;
    assert.deepEqual(notTask.range, rangeOf(text, "Plain"));
    const actions = (await c.codeActions(def, notTask.range, [notTask]))!;
    const a = actions.find((x) => x.title === "Make 'Plain' extend ManagedTaskBase")!;
    assert.equal(a.isPreferred, true);
    const file = uriOf(join(ws.mod, "lib", "plain.ts"));
    const fixed = applyEdits(PLAIN, a.edit!.changes![file]!);
    assert.equal(fixed, `import { ManagedTaskBase } from "modtasks";\n/** Forgot its base class. */\nexport class Plain<T> extends ManagedTaskBase {\n  async runTask(_data: T) {}\n}\n`);
  });

  it("lists no nameless `mymod:` in workspace symbols", async () => {
    const names = (await c.workspaceSymbols(""))!.map((s) => s.name);
    assert.ok(names.includes("mymod:legacy"), names.join(", "));
    assert.ok(!names.includes("mymod:"), names.join(", "));
  });
});

describe("lsp without file watchers (Neovim): a target created or deleted on disk is noticed", { timeout: 120_000 }, () => {
  let c: LspClient;
  let ws: { root: string; mod: string };
  const later = () => join(ws.mod, "lib", "later.ts");

  before(async () => {
    ws = workspace();
    const full = FULL_CAPABILITIES(false, false);
    c = await LspClient.start({
      folders: [ws.root],
      pull: false,
      capabilities: { workspace: { ...full.workspace, didChangeWatchedFiles: { dynamicRegistration: false } } },
      env: { MODTASKS_LSP_NOW: NOW },
    });
  });
  after(async () => {
    await c.stop();
    rmSync(ws.root, { recursive: true, force: true });
  });

  const missing = (p: { diagnostics: { code?: string | number; message: string }[] }) => p.diagnostics.some((d) => d.code === "target-not-found" && d.message === "Unable to find 'lib/later.ts'");

  it("re-checks open definitions when another document changes", async () => {
    const def = await c.open(join(ws.mod, "moduledefinition.xml"));
    await c.waitForDiagnostics(def, missing);
    writeFileSync(later(), LATER);
    const since = c.mark(def);
    // Any other document settling is when a client without file events lets the server look again.
    await c.open(join(ws.mod, "scripts", "x.ts"));
    const cleared = await c.waitForDiagnostics(def, (p) => !missing(p), since);
    assert.ok(!cleared.diagnostics.some((d) => d.code === "target-not-found"), JSON.stringify(cleared.diagnostics));
  });

  it("re-checks them when the cached answer expires, with nothing else happening", async () => {
    const def = uriOf(join(ws.mod, "moduledefinition.xml"));
    const since = c.mark(def);
    unlinkSync(later());
    // The cache entry expires (3 s) and the server's own check finds the file gone: a push, not a sleep here.
    const back = await c.waitForDiagnostics(def, missing, since);
    assert.ok(missing(back));
    assert.equal(readFileSync(join(ws.mod, "lib", "plain.ts"), "utf8"), PLAIN);
  });
});
