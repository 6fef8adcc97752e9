/**
 * Protocol tests: the built server (dist/server/server.js --stdio) spoken to over real LSP by a
 * client that supports pull diagnostics and workspace/configuration. Fixture workspace:
 * test/fixtures/lsp/ws (modules `shop` and `broken`, application code in `app`). The clock is
 * pinned (MODTASKS_LSP_NOW) and the maintenance offset is 83 minutes (WEBHARE_MAINTENANCE_OFFSET).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { CompletionItem, CompletionList, DocumentSymbol, WorkspaceEdit } from "vscode-languageserver-protocol";
import { CancellationTokenSource } from "vscode-jsonrpc/node";
import { applyEdits, fixtures, hoverText, LspClient, positionOf, rangeOf, textAt, uriOf } from "./lsp-client";

const ws = join(fixtures, "ws");
const NOW = "2026-03-20T10:00:00Z"; // a Friday, before the spring-forward of 2026-03-29

function items(r: CompletionList | CompletionItem[] | null): CompletionItem[] {
  assert.ok(r, "expected completions");
  return Array.isArray(r) ? r : r.items;
}

function labels(r: CompletionList | CompletionItem[] | null): string[] {
  return items(r).map((i) => i.label);
}

describe("lsp protocol (pull client)", { timeout: 120_000 }, () => {
  let c: LspClient;
  let shop: string;
  let broken: string;
  let code: string;
  let crontab: string;

  before(async () => {
    c = await LspClient.start({ folders: [ws], settings: { previewRuns: 3 }, env: { MODTASKS_LSP_NOW: NOW } });
    await c.waitForLog(/indexed \d+ module/);
    shop = await c.open(join(ws, "shop", "moduledefinition.xml"));
    broken = await c.open(join(ws, "broken", "moduledefinition.xml"));
    code = await c.open(join(ws, "app", "src", "use.ts"));
    crontab = await c.open(join(ws, "shop", "crontab"), undefined, "plaintext");
  });
  after(async () => {
    await c.stop();
  });

  it("initializes with the features it implements", () => {
    const caps = c.initializeResult.capabilities;
    assert.equal(c.initializeResult.serverInfo?.name, "modtasks");
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    for (const k of ["hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider", "workspaceSymbolProvider", "foldingRangeProvider", "inlayHintProvider"] as const) {
      assert.equal(caps[k], true, k);
    }
    assert.deepEqual(caps.diagnosticProvider, { identifier: "modtasks", interFileDependencies: true, workspaceDiagnostics: true });
    assert.ok(caps.completionProvider?.triggerCharacters?.includes("<"));
    assert.ok(c.requestsFromServer.includes("workspace/configuration"), "settings come from workspace/configuration");
  });

  it("registers file watchers dynamically", async () => {
    await c.watchersRegistered();
    assert.ok(c.requestsFromServer.includes("client/registerCapability"));
  });

  it("pulls no diagnostics for a valid module", async () => {
    assert.deepEqual(await c.pullDiagnostics(shop), []);
  });

  it("pulls the checker's findings with exact ranges, codes, tags and related information", async () => {
    const text = c.text(broken);
    const diags = await c.pullDiagnostics(broken);
    const byCode = (code: string) => diags.filter((d) => d.code === code);
    // The bad hour field, not the line.
    const range24 = byCode("cron-out-of-range")[0]!;
    assert.deepEqual(range24.range, rangeOf(text, "24"));
    assert.equal(range24.severity, 1);
    assert.equal(range24.source, "modtasks");
    assert.equal(range24.message, "hour 24 is out of range 0-23");
    assert.deepEqual(byCode("cron-unsupported-syntax")[0]!.range, rangeOf(text, "1-5"));
    assert.deepEqual(byCode("cron-invalid-zone")[0]!.range, rangeOf(text, "Europe/Amsterdm"));
    const dup = byCode("duplicate-tag")[0]!;
    assert.deepEqual(dup.range, rangeOf(text, "hourly", 1));
    assert.deepEqual(dup.relatedInformation, [{ location: { uri: broken, range: rangeOf(text, "hourly", 0) }, message: "first declared here" }]);
    const deprecated = byCode("deprecated-attribute");
    assert.equal(deprecated.length, 3);
    assert.deepEqual(deprecated[0]!.tags, [2]);
    assert.deepEqual(deprecated[0]!.range, rangeOf(text, "runtime"));
    assert.equal(deprecated[0]!.severity, 2);
    assert.deepEqual(byCode("target-not-found").map((d) => textAt(text, d.range)), ["scripts/gone.ts", "lib/newtasks.ts"]);
    assert.deepEqual(byCode("export-not-found").map((d) => textAt(text, d.range)), ["MailTsk", "missingFn"]);
    assert.deepEqual(byCode("unknown-element")[0]!.range, rangeOf(text, "tsk"));
    assert.deepEqual(byCode("invalid-enum")[0]!.range, rangeOf(text, "hihg"));
    assert.deepEqual(byCode("unknown-attribute")[0]!.range, rangeOf(text, "runatt"));
    assert.equal(diags.filter((d) => d.severity === 1).length, 11);
  });

  it("re-checks on didChange (incremental) and reports the new state", async () => {
    const text = c.text(shop);
    try {
      const at = positionOf(text, '"13 0 * * *"', 10);
      await c.change(shop, [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: "8" }]);
      const diags = await c.pullDiagnostics(shop);
      assert.equal(diags.length, 1);
      assert.equal(diags[0]!.code, "cron-out-of-range");
      assert.deepEqual(diags[0]!.range, { start: at, end: { line: at.line, character: at.character + 1 } });
    } finally {
      await c.replace(shop, '"13 0 * * 8"', '"13 0 * * *"');
    }
    assert.deepEqual(await c.pullDiagnostics(shop), []);
    assert.equal(c.text(shop), text);
  });

  it("waits for the debounce before answering a pull, and honours cancellation", async () => {
    // A pull sent right after an edit waits out the debounce (150 ms); cancelled meanwhile, it
    // ends with ServerCancelled + retriggerRequest, as LSP asks, instead of a stale report.
    const at = positionOf(c.text(shop), '"13 0 * * *"', 1);
    await c.change(shop, [{ range: { start: at, end: { line: at.line, character: at.character + 2 } }, text: "77" }]);
    const source = new CancellationTokenSource();
    const pending = c.conn.sendRequest("textDocument/diagnostic", { textDocument: { uri: shop } }, source.token);
    source.cancel();
    await assert.rejects(pending, (e: { code?: number; data?: { retriggerRequest?: boolean } }) => e.code === -32802 && e.data?.retriggerRequest === true);
    const diags = await c.pullDiagnostics(shop);
    assert.deepEqual(diags.map((d) => d.code), ["cron-out-of-range"]);
    await c.change(shop, [{ range: { start: at, end: { line: at.line, character: at.character + 2 } }, text: "13" }]);
    assert.deepEqual(await c.pullDiagnostics(shop), []);
  });

  it("checks scheduling calls in code against every module's declarations", async () => {
    const text = c.text(code);
    const diags = await c.pullDiagnostics(code);
    assert.deepEqual(
      diags.map((d) => [d.code, textAt(text, d.range), d.severity]),
      [
        ["unknown-task-type", "shop:sendmial", 1],
        ["task-kind-mismatch", "shop:render", 1],
        ["task-module-not-in-workspace", "elsewhere:thing", 3],
      ],
    );
    assert.equal(diags[0]!.message, "No such managed task type 'shop:sendmial'; did you mean 'shop:sendmail'?");
    assert.equal(diags[1]!.message, "'shop:render' is declared as <ephemeraltask>, not <managedtask>: schedule it with scheduleEphemeralTask");
  });

  it("re-checks code when a declaration changes", async () => {
    const refreshed = c.nextServerRequest("workspace/diagnostic/refresh");
    await c.replace(shop, 'type="sendmail"', 'type="sendmial"');
    try {
      await c.pullDiagnostics(shop); // the definition is indexed as it is checked
      await refreshed; // and the server asks the client to pull its dependents again
      const diags = await c.pullDiagnostics(code);
      assert.deepEqual(
        diags.filter((d) => d.code === "unknown-task-type").map((d) => textAt(c.text(code), d.range)),
        ["shop:sendmail"],
      );
    } finally {
      await c.replace(shop, 'type="sendmial"', 'type="sendmail"');
    }
    await c.pullDiagnostics(shop);
    assert.equal((await c.pullDiagnostics(code)).filter((d) => d.code === "unknown-task-type").length, 1);
  });

  it("checks crontab documents and patterns (prudence dialect)", async () => {
    const text = c.text(crontab);
    const diags = await c.pullDiagnostics(crontab);
    assert.deepEqual(
      diags.map((d) => [d.code, textAt(text, d.range)]),
      [
        ["cron-out-of-range", "8"],
        ["crontab-document-not-found", "/tasks/missing/"],
      ],
    );
  });

  it("checks a system crontab (commands, options) and hovers its lines", async () => {
    const uri = await c.open(join(ws, "shop", "crontab.system"), undefined, "plaintext");
    const text = c.text(uri);
    const diags = await c.pullDiagnostics(uri);
    assert.deepEqual(diags.map((d) => [d.code, textAt(text, d.range)]), [["crontab-bad-option", "ENV:BROKEN"]]);
    const md = hoverText(await c.hover(uri, positionOf(text, "0 5", 0)));
    assert.match(md, /^\*\*crontab.system\*\* `0 5 \* \* \*`/);
    assert.match(md, /At 05:00 every day/);
    assert.match(md, /Starts `echo`\./);
    await c.close(uri);
  });

  it("reports workspace diagnostics for closed files, then unchanged", async () => {
    // Every file of the fixture workspace is open except crontab.system (closed again above).
    const report = await c.workspaceDiagnostics();
    const system = uriOf(join(ws, "shop", "crontab.system"));
    assert.deepEqual(
      report.items.map((i) => [i.uri, i.kind, i.kind === "full" ? i.items.map((d) => d.code) : []]),
      [[system, "full", ["crontab-bad-option"]]],
    );
    const again = await c.workspaceDiagnostics([{ uri: system, value: report.items[0]!.resultId! }]);
    assert.deepEqual(again.items.map((i) => i.kind), ["unchanged"]);
  });

  it("hovers an element and an attribute with the schema's documentation", async () => {
    const text = c.text(shop);
    const el = hoverText(await c.hover(shop, positionOf(text, "<managedtask", 2)));
    assert.match(el, /^\*\*`<managedtask>`\*\* · `shop:sendmail`/);
    assert.match(el, /managed task/);
    const at = await c.hover(shop, positionOf(text, "priority", 2));
    assert.match(hoverText(at), /^\*\*`priority`\*\* on `<managedtask>` · `background` \| `normal` \| `interactive` \| `update` \| `updateinteractive` · optional, default `normal`/);
    assert.deepEqual(at!.range, rangeOf(text, "priority"));
    assert.match(hoverText(await c.hover(shop, positionOf(text, "background", 2))), /^\*\*`priority="background"`\*\* \(100\)/);
  });

  it("hovers runat with the field, the description and the next runs in the zone and in UTC", async () => {
    const text = c.text(shop);
    const h = await c.hover(shop, positionOf(text, "13 0 * * *", 3)); // on the hour field
    const md = hoverText(h);
    assert.deepEqual(h!.range, rangeOf(text, "13 0 * * *"));
    assert.match(md, /^\*\*`runat`\*\* `13 0 \* \* \*` · WebHare dialect/);
    assert.match(md, /\*\*hour\*\* field `0` \(0-23\): 0\./);
    assert.match(md, /\*\*At 00:13 every day\*\*, Europe\/Amsterdam/);
    assert.ok(
      md.includes(
        "| Europe/Amsterdam | UTC |\n|---|---|\n" +
          "| Sat 2026-03-21 00:13 (+01:00) · in 13 h | Fri 2026-03-20 23:13 |\n" +
          "| Sun 2026-03-22 00:13 (+01:00) | Sat 2026-03-21 23:13 |\n" +
          "| Mon 2026-03-23 00:13 (+01:00) | Sun 2026-03-22 23:13 |",
      ),
      md,
    );
  });

  it("puts no command link in hovers for a client that may not run one", async () => {
    const md = hoverText(await c.hover(shop, positionOf(c.text(shop), "13 0 * * *", 3)));
    assert.ok(!md.includes("command:"), md);
  });

  it("hovers a maintenance-zone runat with the offset in use and where it comes from", async () => {
    const text = c.text(shop);
    const md = hoverText(await c.hover(shop, positionOf(text, "0 8 * * 1", 0)));
    assert.match(md, /\*\*minute\*\* field `0` \(0-59\): 0\./);
    assert.match(md, /\*\*At 08:00 on Monday\*\*, maintenance zone \(UTC-01:23: runs 83 min after UTC\)/);
    assert.ok(md.includes("| Mon 2026-03-23 08:00 (-01:23) · in 3 d | Mon 2026-03-23 09:23 |"), md);
    assert.match(md, /Maintenance offset: 83 minutes \(01:23 after UTC\), from WEBHARE_MAINTENANCE_OFFSET\./);
  });

  it("hovers runtz with the zone's offset and next DST change", async () => {
    const text = c.text(shop);
    const md = hoverText(await c.hover(shop, positionOf(text, "Europe/Amsterdam", 3)));
    assert.match(md, /Offset now: UTC\+01:00\./);
    assert.match(md, /Next change: Sun 2026-03-29 02:00 → 03:00 \(clocks go forward, UTC\+01:00 → UTC\+02:00\), in 9 d\./);
  });

  it("hovers objectname and taskrunner with the target's signature", async () => {
    const text = c.text(shop);
    const cls = hoverText(await c.hover(shop, positionOf(text, "SendMailTask", 2)));
    assert.match(cls, /```typescript\nexport class SendMailTask extends ManagedTaskBase<\{ to: string \}>\n```/);
    assert.match(cls, /Sends one mail; its row and the task's completion commit together\./);
    const fn = hoverText(await c.hover(shop, positionOf(text, "#resize", 2)));
    assert.match(fn, /```typescript\nexport async function resize\(req: TaskRequest<\{ width: number \}>\)\n```/);
  });

  it("hovers a crontab line with its description and next runs", async () => {
    const text = c.text(crontab);
    const md = hoverText(await c.hover(crontab, positionOf(text, "59 23", 0)));
    assert.match(md, /Prudence \(cron4j\) dialect/);
    assert.match(md, /\*\*minute\*\* field `59` \(0-59\): 59\./);
    assert.match(md, /At 23:59 on Tuesday and Friday/);
  });

  it("hovers a task name in code with its declaration", async () => {
    const text = c.text(code);
    const md = hoverText(await c.hover(code, positionOf(text, '"shop:sendmail"', 3)));
    assert.match(md, /^\*\*`shop:sendmail`\*\* · `<managedtask>` in `shop\/moduledefinition.xml` line 9/);
    assert.match(md, /objectname `lib\/tasks.ts#SendMailTask` · priority `normal`/);
  });

  it("completes element names with snippets inside <servicemanager>", async () => {
    const text = c.text(shop);
    const at = positionOf(text, "  </servicemanager>", 0);
    const uri = shop;
    await c.change(uri, [{ range: { start: at, end: at }, text: "    <\n" }]);
    try {
      const list = await c.completion(uri, { line: at.line, character: 5 }, "<");
      assert.deepEqual(labels(list), ["<task>", "<managedtask>", "<managedtask (taskrunner)>", "<ephemeraltask>", "<taskcluster>", "<runonce>", "<runatstartup>"].filter((l) => l !== "<runatstartup>"));
      const snippet = items(list).find((i) => i.label === "<task>")!;
      assert.equal(snippet.kind, 15);
      assert.equal(snippet.insertTextFormat, 2);
      assert.deepEqual(snippet.textEdit, {
        range: { start: { line: at.line, character: 4 }, end: { line: at.line, character: 5 } },
        newText: '<task tag="${1:cleanup}" runat="${2:13 0 * * *}" runtz="${3:Europe/Amsterdam}" script="${4:scripts/tasks/${1}.ts}" />',
      });
      // Typing a name: element names, plus the snippets while the tag is still bare.
      await c.change(uri, [{ range: { start: { line: at.line, character: 5 }, end: { line: at.line, character: 5 } }, text: "man" }]);
      const names = items(await c.completion(uri, { line: at.line, character: 8 }));
      assert.ok(names.some((i) => i.label === "managedtask" && i.kind === 10));
      assert.ok(names.some((i) => i.label === "managedtask" && i.kind === 15));
    } finally {
      await c.change(uri, [{ range: { start: at, end: { line: at.line + 1, character: 0 } }, text: "" }]);
    }
    assert.equal(c.text(uri), text);
  });

  it("completes attribute names (required first, present ones left out) and enum values", async () => {
    const text = c.text(shop);
    const pos = positionOf(text, 'priority="background"', -1);
    const attrs = items(await c.completion(shop, pos, " "));
    const names = attrs.map((i) => i.label);
    assert.ok(!names.includes("type") && !names.includes("priority"), "present attributes are not offered");
    assert.ok(names.includes("maxfailures") && names.includes("timeout"));
    const sorted = [...attrs].sort((a, b) => (a.sortText! < b.sortText! ? -1 : 1)).map((i) => i.label);
    assert.ok(sorted.indexOf("objectname") < sorted.indexOf("ifenvironset"));
    const values = items(await c.completion(shop, positionOf(text, "background", 1), '"'));
    assert.deepEqual(values.map((i) => i.label), ["background", "normal", "interactive", "update", "updateinteractive"]);
    assert.deepEqual(values[0]!.textEdit, { range: rangeOf(text, "background"), newText: "background" });
  });

  it("completes zones ranked: maintenance, UTC, common zones, the rest", async () => {
    const text = c.text(shop);
    const list = items(await c.completion(shop, positionOf(text, "Europe/Amsterdam", 0), '"'));
    const sorted = [...list].sort((a, b) => (a.sortText! < b.sortText! ? -1 : a.sortText! > b.sortText! ? 1 : 0)).map((i) => i.label);
    assert.deepEqual(sorted.slice(0, 3), ["maintenance", "UTC", "Europe/Amsterdam"]);
    assert.ok(sorted.length > 300);
    const resolved = await c.resolveCompletion(list.find((i) => i.label === "Asia/Tokyo")!);
    assert.equal(resolved.detail, "UTC+09:00 now");
  });

  it("completes common masks with descriptions for runat", async () => {
    const text = c.text(shop);
    const list = items(await c.completion(shop, positionOf(text, "13 0 * * *", 0), '"'));
    const hourly = list.find((i) => i.label === "0 * * * *");
    assert.equal(hourly?.detail, "At minute 0 past every hour");
    assert.ok(!list.some((i) => i.label.includes("-")), "WebHare masks only (no ranges)");
  });

  it("completes module-relative paths and export names after #", async () => {
    const text = c.text(shop);
    const files = items(await c.completion(shop, positionOf(text, "lib/tasks.ts#SendMailTask", 4), "/"));
    assert.deepEqual(files.map((i) => i.label), ["tasks.ts"]);
    assert.deepEqual(files[0]!.textEdit, { range: rangeOf(text, "tasks.ts"), newText: "tasks.ts" });
    const folders = items(await c.completion(shop, positionOf(text, "scripts/cleanup.ts", 0), '"'));
    assert.ok(folders.some((i) => i.label === "lib/") && folders.some((i) => i.label === "scripts/"));
    const classes = items(await c.completion(shop, positionOf(text, "#SendMailTask", 1), "#"));
    assert.deepEqual(classes.map((i) => i.label), ["SendMailTask"]);
    const fns = items(await c.completion(shop, positionOf(text, "#resize", 1), "#"));
    assert.deepEqual(fns.map((i) => i.label).sort(), ["render", "resize"]);
  });

  it("completes task names inside scheduling calls in code", async () => {
    const text = c.text(code);
    const list = items(await c.completion(code, positionOf(text, '"shop:sendmail"', 1), '"'));
    assert.deepEqual(list.map((i) => i.label).sort(), ["broken:mail", "broken:newfile", "shop:resize", "shop:sendmail"]);
    const timed = items(await c.completion(code, positionOf(text, '"shop:cleanup"', 1), '"'));
    assert.deepEqual(timed.map((i) => i.label).sort(), ["broken:hourly", "broken:interval", "broken:legacy", "broken:nofile", "broken:odd", "broken:weekdays", "shop:cleanup", "shop:report", "shop:startup"]);
  });

  it("shows CodeLenses: the next run per <task> and Run per task", async () => {
    const text = c.text(shop);
    const lenses = (await c.codeLens(shop))!;
    const titles = lenses.map((l) => `${l.range.start.line}:${l.command!.title}:${l.command!.command}`);
    assert.deepEqual(titles, [
      "4:next: Sat 00:13 (in 13 h):modtasks.showTimeline",
      "4:▷ Run:modtasks.runTask",
      "5:next: Mon 08:00 (in 3 d):modtasks.showTimeline",
      "5:▷ Run:modtasks.runTask",
      "6:runs at startup and by hand:modtasks.explain",
      "6:▷ Run:modtasks.runTask",
      "8:▷ Run:modtasks.runTask",
      "9:▷ Run:modtasks.runTask",
      "10:▷ Run:modtasks.runTask",
    ]);
    assert.deepEqual(lenses[1]!.command!.arguments, [{ kind: "scheduled", name: "shop:cleanup", uri: shop, range: rangeOf(text, "task", 1) }]);
    assert.deepEqual(lenses[8]!.command!.arguments, [{ kind: "ephemeral", name: "shop:render", uri: shop, range: rangeOf(text, "ephemeraltask") }]);
    // An informational lens carries the server's own command (never an empty id, which Neovim rejects).
    assert.deepEqual(lenses[4]!.command!.arguments, [{ message: "shop:startup has no runat: it runs once at every start of the runtime (runatstartup), and when triggered (modtasks trigger shop:startup, or ▷ Run)." }]);
    assert.deepEqual(c.initializeResult.capabilities.executeCommandProvider, { commands: ["modtasks.explain"] });
    const timeline = lenses[0]!.command!.arguments![0];
    assert.equal(timeline.name, "shop:cleanup");
    assert.deepEqual(timeline.runsInZone, ["2026-03-21T00:13:00+01:00", "2026-03-22T00:13:00+01:00", "2026-03-23T00:13:00+01:00"]);
  });

  it("shows inlay hints with the next run after runat", async () => {
    const text = c.text(shop);
    const hints = (await c.inlayHints(shop, { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } }))!;
    assert.deepEqual(
      hints.map((h) => [h.position, h.label]),
      [
        [positionOf(text, '"13 0 * * *"', '"13 0 * * *"'.length), "⏱ Sat 00:13 +01:00"],
        [positionOf(text, '"0 8 * * 1"', '"0 8 * * 1"'.length), "⏱ Mon 08:00 -01:23"],
      ],
    );
  });

  it("goes to the definition of objectname, taskrunner, script, cluster and code calls", async () => {
    const text = c.text(shop);
    const tasksTs = uriOf(join(ws, "shop", "lib", "tasks.ts"));
    const cls = await c.definition(shop, positionOf(text, "SendMailTask", 1));
    assert.deepEqual(cls, [{ uri: tasksTs, range: { start: { line: 3, character: 13 }, end: { line: 3, character: 25 } } }]);
    const file = await c.definition(shop, positionOf(text, "lib/tasks.ts#resize", 1));
    assert.deepEqual(file, [{ uri: tasksTs, range: { start: { line: 9, character: 22 }, end: { line: 9, character: 28 } } }]);
    const script = await c.definition(shop, positionOf(text, "scripts/cleanup.ts", 1));
    assert.deepEqual(script, [{ uri: uriOf(join(ws, "shop", "scripts", "cleanup.ts")), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }]);
    const cluster = await c.definition(shop, positionOf(text, 'cluster="mail"', 10));
    assert.deepEqual(cluster, [{ uri: shop, range: rangeOf(text, "mail", 2) }]);
    const fromCode = await c.definition(code, positionOf(c.text(code), '"shop:sendmail"', 2));
    assert.deepEqual(fromCode, [{ uri: shop, range: rangeOf(text, "sendmail") }]);
    const doc = await c.definition(crontab, positionOf(c.text(crontab), "/tasks/report/", 2));
    assert.deepEqual(doc, [{ uri: uriOf(join(ws, "shop", "tasks", "report.ts")), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }]);
  });

  it("finds the code calls that schedule a declaration", async () => {
    const text = c.text(shop);
    const codeText = c.text(code);
    const refs = await c.references(shop, positionOf(text, "sendmail", 1));
    assert.deepEqual(refs, [
      { uri: shop, range: rangeOf(text, "sendmail") },
      { uri: code, range: rangeOf(codeText, "shop:sendmail") },
    ]);
    const fromCode = await c.references(code, positionOf(codeText, "shop:render", 2, 1), false);
    assert.deepEqual(fromCode, [{ uri: code, range: rangeOf(codeText, "shop:render", 1) }]);
    const timed = await c.references(shop, positionOf(text, "cleanup", 1), false);
    assert.deepEqual(timed, [{ uri: code, range: rangeOf(codeText, "shop:cleanup") }]);
  });

  it("outlines the section as document symbols", async () => {
    const text = c.text(shop);
    const symbols = (await c.documentSymbols(shop)) as DocumentSymbol[];
    assert.equal(symbols.length, 1);
    assert.equal(symbols[0]!.name, "servicemanager");
    assert.deepEqual(
      symbols[0]!.children!.map((s) => [s.name, s.kind, s.detail]),
      [
        ["task cleanup (13 0 * * *, Europe/Amsterdam)", 24, "Nightly cleanup"],
        ["task report (0 8 * * 1, maintenance)", 24, "scripts/cleanup.ts"],
        ["task startup (no runat, UTC)", 24, "scripts/cleanup.ts"],
        ["managedtask sendmail", 5, "lib/tasks.ts#SendMailTask"],
        ["managedtask resize", 5, "lib/tasks.ts#resize"],
        ["ephemeraltask render", 12, "lib/tasks.ts#render"],
        ["taskcluster mail", 4, "2 workers"],
      ],
    );
    assert.deepEqual(symbols[0]!.children![0]!.selectionRange, rangeOf(text, "task", 1));
    const cron = (await c.documentSymbols(crontab)) as DocumentSymbol[];
    assert.deepEqual(cron.map((s) => [s.name, s.detail]), [
      ["/tasks/report/", "*/5 5-7 * * *|*/30 0-4,8-23 * * * · Every 5 minutes between 05:00 and 07:59; and every 30 minutes between 00:00 and 04:59 and between 08:00 and 23:59"],
      ["/tasks/report/", "59 23 * * tue,fri · At 23:59 on Tuesday and Friday"],
      ["/tasks/missing/", "0 12 * * 8"],
    ]);
  });

  it("lists every task of every module as workspace symbols", async () => {
    const all = (await c.workspaceSymbols("shop:"))!;
    assert.deepEqual(all.map((s) => s.name), ["shop:cleanup", "shop:report", "shop:startup", "shop:sendmail", "shop:resize", "shop:render", "shop:mail"]);
    const fuzzy = (await c.workspaceSymbols("sndml"))!;
    assert.deepEqual(fuzzy.map((s) => [s.name, s.containerName, s.location.uri]), [["shop:sendmail", "shop · <managedtask>", shop]]);
  });

  it("links target paths and crontab documents to their files", async () => {
    const text = c.text(shop);
    const links = (await c.documentLinks(shop))!;
    assert.equal(links.length, 6);
    assert.deepEqual(links[0], { range: rangeOf(text, "scripts/cleanup.ts"), target: uriOf(join(ws, "shop", "scripts", "cleanup.ts")), tooltip: "Open scripts/cleanup.ts" });
    assert.deepEqual(links[3]!.range, rangeOf(text, "lib/tasks.ts"));
    const cron = (await c.documentLinks(crontab))!;
    assert.deepEqual(cron.map((l) => l.target), [uriOf(join(ws, "shop", "tasks", "report.ts")), uriOf(join(ws, "shop", "tasks", "report.ts"))]);
  });

  it("folds elements and comments", async () => {
    const ranges = (await c.foldingRanges(shop))!;
    assert.deepEqual(ranges, [
      { startLine: 1, endLine: 12 },
      { startLine: 2, endLine: 11 },
    ]);
    const cron = (await c.foldingRanges(crontab))!;
    assert.deepEqual(cron, []);
  });

  describe("quick fixes", () => {
    const fix = async (needle: string, nth = 0) => {
      const text = c.text(broken);
      const range = rangeOf(text, needle, nth);
      return { text, actions: (await c.codeActions(broken, range))! };
    };

    it("changes a misspelt zone to the suggestion (preferred)", async () => {
      const { text, actions } = await fix("Europe/Amsterdm");
      const a = actions.find((x) => x.title === "Change to 'Europe/Amsterdam'")!;
      assert.equal(a.kind, "quickfix");
      assert.equal(a.isPreferred, true);
      assert.equal(a.diagnostics![0]!.code, "cron-invalid-zone");
      const out = applyEdits(text, a.edit!.changes![broken]!);
      assert.ok(out.includes('runtz="Europe/Amsterdam"'));
    });

    it("rewrites WebHare-incompatible mask syntax to the WebHare equivalent", async () => {
      const { text, actions } = await fix("1-5");
      const out = applyEdits(text, actions[0]!.edit!.changes![broken]!);
      assert.ok(out.includes('runat="0 9 * * 1,2,3,4,5"'));
    });

    it("renames a misspelt element in its start tag", async () => {
      const { text, actions } = await fix("tsk");
      assert.equal(actions[0]!.title, "Change to '<task>'");
      assert.ok(applyEdits(text, actions[0]!.edit!.changes![broken]!).includes('<task tag="typo" />'));
    });

    it("replaces deprecated runtime and runinterval with runat", async () => {
      let { text, actions } = await fix("runtime");
      assert.ok(applyEdits(text, actions[0]!.edit!.changes![broken]!).includes('<task tag="legacy" runat="15 3 * * *" script'));
      ({ text, actions } = await fix("runinterval"));
      assert.equal(actions[0]!.title, 'Replace with runat="*/15 * * * *"');
      assert.ok(applyEdits(text, actions[0]!.edit!.changes![broken]!).includes('<task tag="interval" runat="*/15 * * * *" script'));
      ({ text, actions } = await fix("runinterval", 1));
      assert.equal(actions[0]!.title, "Remove 'runinterval' and leave a TODO");
      assert.ok(
        applyEdits(text, actions[0]!.edit!.changes![broken]!).includes(
          '<!-- TODO: runinterval="7" has no exact cron equivalent; set runat (e.g. runat="*/15 * * * *") -->\n    <task tag="odd" script="lib/jobs.ts" />',
        ),
      );
    });

    it("offers the export suggestion and a stub for a missing class", async () => {
      const { actions } = await fix("MailTsk");
      assert.deepEqual(actions.map((a) => [a.title, a.isPreferred]), [
        ["Change to 'MailTask'", true],
        ["Add class 'MailTsk' to lib/jobs.ts", false],
      ]);
      const jobs = uriOf(join(ws, "broken", "lib", "jobs.ts"));
      const edits = actions[1]!.edit!.changes![jobs]!;
      assert.equal(edits.length, 1, "ManagedTaskBase is already imported");
      assert.equal(edits[0]!.newText, "\nexport class MailTsk extends ManagedTaskBase {\n  async runTask(_data: unknown) {\n    this.resolveByCompletion(null);\n  }\n}\n");
    });

    it("adds a taskrunner function with its import", async () => {
      const { actions } = await fix("missingFn");
      const jobs = uriOf(join(ws, "broken", "lib", "jobs.ts"));
      const edits = actions[0]!.edit!.changes![jobs]!;
      assert.equal(actions[0]!.title, "Add function 'missingFn' to lib/jobs.ts");
      assert.deepEqual(edits.map((e) => e.newText), ['import type { TaskRequest } from "modtasks";\n', "\nexport async function missingFn(req: TaskRequest) {\n  return req.resolveByCompletion(null);\n}\n"]);
    });

    it("creates a missing task file with a stub class (CreateFile)", async () => {
      const { actions } = await fix("lib/newtasks.ts");
      const a = actions.find((x) => x.title === "Create lib/newtasks.ts with class 'NewTask'")!;
      const changes = (a.edit as WorkspaceEdit).documentChanges!;
      const file = uriOf(join(ws, "broken", "lib", "newtasks.ts"));
      assert.deepEqual(changes[0], { kind: "create", uri: file, options: { ignoreIfExists: true } });
      assert.deepEqual(changes[1], {
        textDocument: { uri: file, version: null },
        edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: 'import { ManagedTaskBase } from "modtasks";\n\nexport class NewTask extends ManagedTaskBase {\n  async runTask(_data: unknown) {\n    this.resolveByCompletion(null);\n  }\n}\n' }],
      });
    });

    it("fixes an unknown task name in code with the suggestion", async () => {
      const text = c.text(code);
      const actions = (await c.codeActions(code, rangeOf(text, "shop:sendmial")))!;
      assert.equal(actions[0]!.title, "Change to 'shop:sendmail'");
      assert.ok(applyEdits(text, actions[0]!.edit!.changes![code]!).includes('scheduleManagedTask("shop:sendmail", { to: "x" })'));
      const kind = (await c.codeActions(code, rangeOf(text, "shop:render")))!;
      assert.equal(kind[0]!.title, "Use scheduleEphemeralTask");
    });

    it("creates a missing crontab document", async () => {
      const actions = (await c.codeActions(crontab, rangeOf(c.text(crontab), "/tasks/missing/")))!;
      const a = actions.find((x) => x.title === "Create tasks/missing.ts")!;
      assert.equal(((a.edit as WorkspaceEdit).documentChanges![0] as { uri: string }).uri, uriOf(join(ws, "shop", "tasks", "missing.ts")));
    });
  });

  it("answers modtasks/nextRuns for a scheduled task", async () => {
    const r = await c.conn.sendRequest("modtasks/nextRuns", { name: "shop:cleanup", count: 2 });
    assert.deepEqual(r, {
      name: "shop:cleanup",
      uri: shop,
      runat: "13 0 * * *",
      runtz: "Europe/Amsterdam",
      zone: "Europe/Amsterdam",
      description: "At 00:13 every day",
      runs: [Date.parse("2026-03-20T23:13:00Z"), Date.parse("2026-03-21T23:13:00Z")],
      runsInZone: ["2026-03-21T00:13:00+01:00", "2026-03-22T00:13:00+01:00"],
    });
  });

  it("applies settings changes: dialect, disabled codes, preview count", async () => {
    // The server re-reads workspace/configuration, then asks the client to pull again.
    const refreshed = c.nextServerRequest("workspace/diagnostic/refresh");
    await c.changeSettings({ cronDialect: "extended", previewRuns: 2, diagnostics: { disabled: ["deprecated-attribute"] } });
    await refreshed;
    const diags = await c.pullDiagnostics(broken);
    assert.ok(!diags.some((d) => d.code === "deprecated-attribute"), "switched off by code");
    assert.ok(!diags.some((d) => d.code === "cron-unsupported-syntax"), "1-5 is fine in the extended dialect");
    const md = hoverText(await c.hover(shop, positionOf(c.text(shop), "13 0 * * *", 0)));
    assert.match(md, /extended \(Vixie cron\) dialect/);
    assert.match(md, /Next 2 runs/);
    const back = c.nextServerRequest("workspace/diagnostic/refresh");
    await c.changeSettings({ previewRuns: 3 });
    await back;
  });
});

describe("lsp protocol (VS Code client)", { timeout: 60_000 }, () => {
  let c: LspClient;
  before(async () => {
    c = await LspClient.start({ folders: [ws], settings: { previewRuns: 3 }, env: { MODTASKS_LSP_NOW: NOW }, clientInfo: { name: "Visual Studio Code", version: "1.99.0" } });
    await c.waitForLog(/indexed \d+ module/); // settings read
  });
  after(async () => {
    await c.stop();
  });

  it("links the runat hover to the timeline with the CodeLens's arguments", async () => {
    const shop = await c.open(join(ws, "shop", "moduledefinition.xml"));
    const md = hoverText(await c.hover(shop, positionOf(c.text(shop), "13 0 * * *", 3)));
    const m = /\n\n\[Show timeline\]\(command:modtasks\.showTimeline\?([^ )]+) "Open the schedule timeline"\)$/.exec(md);
    assert.ok(m, md);
    const lens = (await c.codeLens(shop))!.find((l) => l.command?.command === "modtasks.showTimeline")!;
    assert.deepEqual(JSON.parse(decodeURIComponent(m[1]!)), lens.command!.arguments);
    assert.equal(lens.command!.arguments![0].name, "shop:cleanup");
    // Every <task> with a schedule gets one, the maintenance zone's too.
    const report = hoverText(await c.hover(shop, positionOf(c.text(shop), "0 8 * * 1", 0)));
    assert.match(report, /\[Show timeline\]\(command:modtasks\.showTimeline\?/);
  });
});
