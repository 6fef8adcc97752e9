/**
 * Protocol tests for a client without pull diagnostics and without workspace/configuration (as
 * older Neovim and Helix setups): diagnostics are pushed, debounced per document, re-pushed when
 * files they depend on change (open buffers and watched files), and settings come from
 * initializationOptions and didChangeConfiguration.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Range } from "vscode-languageserver-protocol";
import { fixtures, LspClient, positionOf, rangeOf, textAt, uriOf } from "./lsp-client";

describe("lsp protocol (push client, no configuration capability)", { timeout: 120_000 }, () => {
  let c: LspClient;
  let ws: string;

  before(async () => {
    ws = mkdtempSync(join(tmpdir(), "modtasks-lsp-push-"));
    cpSync(join(fixtures, "ws"), ws, { recursive: true });
    c = await LspClient.start({
      folders: [ws],
      pull: false,
      initializationOptions: { modtasks: { diagnostics: { debounceMs: 50, disabled: ["harescript-needs-webhare"] } } },
    });
    await c.waitForLog(/indexed \d+ module/);
  });
  after(async () => {
    await c.stop();
    rmSync(ws, { recursive: true, force: true });
  });

  it("does not ask for workspace/configuration when the client cannot answer", () => {
    assert.ok(!c.requestsFromServer.includes("workspace/configuration"));
  });

  it("pushes diagnostics on open, with the document version", async () => {
    const uri = await c.open(join(ws, "broken", "moduledefinition.xml"));
    const p = await c.diagnosticsForVersion(uri, 1);
    assert.equal(p.diagnostics.filter((d) => d.severity === 1).length, 11);
    const d = p.diagnostics.find((x) => x.code === "cron-out-of-range")!;
    assert.deepEqual(d.range, rangeOf(c.text(uri), "24"));
  });

  it("debounces a burst of edits into one check of the last version", async () => {
    const uri = await c.open(join(ws, "shop", "moduledefinition.xml"));
    await c.diagnosticsForVersion(uri, 1);
    const at = positionOf(c.text(uri), '"13 0 * * *"', 1);
    // Sent back to back (not awaited one by one), as fast typing arrives.
    const sent = ["6", "7", "8", "9"].map((ch) => c.change(uri, [{ range: { start: at, end: { line: at.line, character: at.character + 2 } }, text: `${ch}${ch}` }]));
    const version = Math.max(...(await Promise.all(sent)));
    const last = await c.diagnosticsForVersion(uri, version);
    assert.deepEqual(last.diagnostics.map((d) => [d.code, textAt(c.text(uri), d.range)]), [["cron-out-of-range", "99"]]);
    const versions = (c as unknown as { published: Map<string, { version?: number }[]> }).published.get(uri)!.map((p) => p.version);
    assert.deepEqual(versions, [1, version], "the intermediate versions were never checked");
    const fixed = await c.change(uri, [{ range: { start: at, end: { line: at.line, character: at.character + 2 } }, text: "13" }]);
    assert.deepEqual((await c.diagnosticsForVersion(uri, fixed)).diagnostics, []);
    await c.close(uri);
  });

  it("re-checks an open definition when a target file is edited in the editor", async () => {
    const def = await c.open(join(ws, "shop", "moduledefinition.xml"));
    await c.diagnosticsForVersion(def, 1);
    const tasks = await c.open(join(ws, "shop", "lib", "tasks.ts"));
    let mark = c.mark(def);
    await c.replace(tasks, "export class SendMailTask", "export class SendMail");
    const p = await c.waitForDiagnostics(def, (x) => x.diagnostics.some((d) => d.code === "export-not-found"), mark);
    const d = p.diagnostics.find((x) => x.code === "export-not-found")!;
    assert.equal(textAt(c.text(def), d.range), "SendMailTask");
    assert.equal(d.message, "Class 'SendMailTask' is not exported by 'lib/tasks.ts'; did you mean 'SendMail'?");
    mark = c.mark(def);
    await c.replace(tasks, "export class SendMail ", "export class SendMailTask ");
    await c.waitForDiagnostics(def, (x) => x.diagnostics.length === 0 && x.version === 1, mark);
    await c.close(tasks);
  });

  it("re-checks when a target file is deleted or created on disk (didChangeWatchedFiles)", async () => {
    const def = uriOf(join(ws, "shop", "moduledefinition.xml"));
    const script = join(ws, "shop", "scripts", "cleanup.ts");
    let mark = c.mark(def);
    unlinkSync(script);
    await c.fileChanged(script, 3);
    const gone = await c.waitForDiagnostics(def, (x) => x.diagnostics.some((d) => d.code === "target-not-found"), mark);
    assert.deepEqual(
      gone.diagnostics.map((d) => [d.code, textAt(c.text(def), d.range)]),
      [
        ["target-not-found", "scripts/cleanup.ts"],
        ["target-not-found", "scripts/cleanup.ts"],
        ["target-not-found", "scripts/cleanup.ts"],
      ],
    );
    mark = c.mark(def);
    writeFileSync(script, "console.log(1);\n");
    await c.fileChanged(script, 1);
    await c.waitForDiagnostics(def, (x) => x.diagnostics.length === 0, mark);
  });

  it("re-checks code when a module definition changes on disk", async () => {
    const code = await c.open(join(ws, "app", "src", "use.ts"));
    const first = await c.diagnosticsForVersion(code, 1);
    assert.equal(first.diagnostics.filter((d) => d.code === "unknown-task-type").length, 1);
    // Close the definition first: while it is open, its buffer (not the disk) is what counts.
    const shopPath = join(ws, "shop", "moduledefinition.xml");
    await c.close(uriOf(shopPath));
    const mark = c.mark(code);
    writeFileSync(shopPath, readFileSync(shopPath, "utf8").replace('type="sendmail"', 'type="sendmial"'));
    await c.fileChanged(shopPath, 2);
    // The server may also read the file while it is being written (as with any editor's save);
    // what counts is that it settles on the new content: the old name unknown, the former typo fine.
    const flagged = (x: { diagnostics: { range: Range }[] }) => x.diagnostics.map((d) => textAt(c.text(code), d.range));
    await c.waitForDiagnostics(code, (x) => flagged(x).includes("shop:sendmail") && !flagged(x).includes("shop:sendmial") && flagged(x).includes("elsewhere:thing"), mark);
  });

  it("clears pushed diagnostics when a document closes", async () => {
    const uri = await c.open(join(ws, "broken", "moduledefinition.xml"));
    await c.diagnosticsForVersion(uri, 1);
    const mark = c.mark(uri);
    await c.close(uri);
    const p = await c.waitForDiagnostics(uri, (x) => x.version === undefined && x.diagnostics.length === 0, mark);
    assert.deepEqual(p.diagnostics, []);
  });

  it("applies didChangeConfiguration settings sent with the notification", async () => {
    const uri = await c.open(join(ws, "broken", "moduledefinition.xml"));
    await c.diagnosticsForVersion(uri, 1);
    const mark = c.mark(uri);
    await c.changeSettings({ cronDialect: "prudence", diagnostics: { debounceMs: 50 } });
    const p = await c.waitForDiagnostics(uri, (x) => x.version === 1 && !x.diagnostics.some((d) => d.code === "cron-unsupported-syntax"), mark);
    assert.ok(p.diagnostics.some((d) => d.code === "cron-out-of-range"));
    await c.close(uri);
  });
});

describe("lsp maintenance offset: setting, stored value, environment", { timeout: 120_000 }, () => {
  const hoverMaintenance = async (c: LspClient): Promise<string> => {
    const uri = await c.open(join(fixtures, "ws", "shop", "moduledefinition.xml"));
    const h = await c.hover(uri, positionOf(c.text(uri), "0 8 * * 1", 0));
    return (h!.contents as { value: string }).value;
  };

  it("uses modtasks.maintenanceOffset when WEBHARE_MAINTENANCE_OFFSET is not set", async () => {
    const c = await LspClient.start({ pull: false, initializationOptions: { maintenanceOffset: 30 }, env: { WEBHARE_MAINTENANCE_OFFSET: "" } });
    try {
      const md = await hoverMaintenance(c);
      assert.match(md, /maintenance zone \(UTC-00:30: runs 30 min after UTC\)/);
      assert.match(md, /Maintenance offset: 30 minutes \(00:30 after UTC\), from the modtasks\.maintenanceOffset setting\./);
    } finally {
      await c.stop();
    }
  });

  it("the setting wins over WEBHARE_MAINTENANCE_OFFSET, as a flag does at run time, and the hover says so", async () => {
    const c = await LspClient.start({ pull: false, initializationOptions: { maintenanceOffset: 30 }, env: { WEBHARE_MAINTENANCE_OFFSET: "10" } });
    try {
      const md = await hoverMaintenance(c);
      assert.match(md, /Maintenance offset: 30 minutes \(00:30 after UTC\), from the modtasks\.maintenanceOffset setting\./);
      assert.match(md, /⚠ WEBHARE_MAINTENANCE_OFFSET=10 is overridden by the explicit offset 30\./);
    } finally {
      await c.stop();
    }
  });

  it("an invalid WEBHARE_MAINTENANCE_OFFSET is said once in the hover, and the stored value is used", async () => {
    const c = await LspClient.start({ pull: false, env: { WEBHARE_MAINTENANCE_OFFSET: "1500" } });
    try {
      const md = await hoverMaintenance(c);
      const stored = Number(readFileSync(join(c.stateDir, "maintenance-offset"), "utf8"));
      assert.match(md, new RegExp(`Maintenance offset: ${stored} minutes `));
      assert.equal(md.split("WEBHARE_MAINTENANCE_OFFSET").length - 1, 1);
      assert.match(md, /⚠ WEBHARE_MAINTENANCE_OFFSET='1500' is ignored: it must be a whole number of minutes from 0 to 1439\./);
    } finally {
      await c.stop();
    }
  });

  it("otherwise stores one for the installation, where the runtime reads it", async () => {
    const c = await LspClient.start({ pull: false, env: { WEBHARE_MAINTENANCE_OFFSET: "" } });
    try {
      const md = await hoverMaintenance(c);
      const stored = Number(readFileSync(join(c.stateDir, "maintenance-offset"), "utf8"));
      assert.ok(stored >= 1 && stored <= 240);
      assert.match(md, new RegExp(`Maintenance offset: ${stored} minutes .*stored in ${c.stateDir}/maintenance-offset`));
    } finally {
      await c.stop();
    }
  });
});
