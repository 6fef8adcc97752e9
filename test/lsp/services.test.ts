/**
 * Protocol tests for backend service names (issue #10) in code: `openBackendService("m:n")` is
 * checked against `runBackendService("m:n", …)` calls and the `services` of modtasks.json files,
 * with "did you mean" and a quick fix; definition, references and hover. The built server over
 * stdio (pull client), on a copy of test/fixtures/lsp/services: module `shop` registers
 * `shop:basket` in code and declares `shop:orders` in its modtasks.json; `app/src/client.ts`
 * opens them.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Diagnostic } from "vscode-languageserver-protocol";
import { applyEdits, fixtures, hoverText, LspClient, positionOf, rangeOf, textAt, uriOf } from "./lsp-client";

describe("lsp backend services", { timeout: 120_000 }, () => {
  let c: LspClient;
  let ws: string;
  let client: string;
  let clientText: string;
  let basketUri: string;
  let basketText: string;
  let configUri: string;
  let configText: string;
  const summary = (diags: Diagnostic[]) => diags.map((d) => [d.code, textAt(clientText, d.range), d.severity, d.message]);

  before(async () => {
    ws = mkdtempSync(join(tmpdir(), "modtasks-lsp-services-"));
    cpSync(join(fixtures, "services"), ws, { recursive: true });
    c = await LspClient.start({ folders: [ws], settings: {} });
    await c.waitForLog(/indexed \d+ module/);
    client = await c.open(join(ws, "app", "src", "client.ts"));
    clientText = c.text(client);
    basketUri = uriOf(join(ws, "shop", "lib", "basket-service.ts"));
    basketText = readFileSync(join(ws, "shop", "lib", "basket-service.ts"), "utf8");
    configUri = uriOf(join(ws, "shop", "modtasks.json"));
    configText = readFileSync(join(ws, "shop", "modtasks.json"), "utf8");
  });
  after(async () => {
    await c.stop();
    rmSync(ws, { recursive: true, force: true });
  });

  it("checks opened names against registrations in code and modtasks.json, with exact ranges", async () => {
    const diags = await c.pullDiagnostics(client);
    assert.deepEqual(summary(diags), [
      ["unknown-service", "shop:baskte", 2, "No runBackendService('shop:baskte') in this workspace; did you mean 'shop:basket'?"],
      ["invalid-service-name", "nomodule", 1, "'nomodule' is not a service name: expected 'module:name' (letters, digits, '_', '.', '-')"],
    ]);
    assert.deepEqual(diags[0]!.range, { start: { line: 5, character: 41 }, end: { line: 5, character: 52 } });
    assert.deepEqual(diags[1]!.range, { start: { line: 8, character: 40 }, end: { line: 8, character: 48 } });
    assert.equal(diags[0]!.source, "modtasks");
  });

  it("fixes an unknown name with the suggestion", async () => {
    const actions = (await c.codeActions(client, rangeOf(clientText, "shop:baskte")))!;
    assert.deepEqual(actions.map((a) => [a.title, a.isPreferred]), [["Change to 'shop:basket'", true]]);
    assert.deepEqual(actions[0]!.edit!.changes![client], [{ range: rangeOf(clientText, "shop:baskte"), newText: "shop:basket" }]);
    assert.ok(applyEdits(clientText, actions[0]!.edit!.changes![client]!).includes('openBackendService("shop:basket");'));
  });

  it("goes from an opened name to its registration: the runBackendService call, or the modtasks.json key", async () => {
    const toCode = await c.definition(client, positionOf(clientText, '"shop:basket"', 3));
    assert.deepEqual(toCode, [{ uri: basketUri, range: rangeOf(basketText, "shop:basket") }]);
    assert.deepEqual(toCode![0]!.range, { start: { line: 10, character: 24 }, end: { line: 10, character: 35 } });
    // Names compare case-insensitively, as at run time.
    assert.deepEqual(await c.definition(client, positionOf(clientText, "Shop:Basket", 1)), toCode);
    const toConfig = await c.definition(client, positionOf(clientText, '"shop:orders"', 3));
    assert.deepEqual(toConfig, [{ uri: configUri, range: { start: { line: 2, character: 5 }, end: { line: 2, character: 11 } } }]);
    assert.equal(textAt(configText, toConfig![0]!.range), "orders");
    assert.equal(await c.definition(client, positionOf(clientText, "shop:baskte", 2)), null);
  });

  it("finds the opens of a registration (and the registration as the declaration)", async () => {
    const basket = await c.open(join(ws, "shop", "lib", "basket-service.ts"));
    try {
      const opens = await c.references(basket, positionOf(basketText, "shop:basket", 2), false);
      assert.deepEqual(opens, [
        { uri: client, range: rangeOf(clientText, "shop:basket") },
        { uri: client, range: rangeOf(clientText, "Shop:Basket") },
      ]);
      const all = await c.references(client, positionOf(clientText, "Shop:Basket", 2), true);
      assert.deepEqual(all, [{ uri: basket, range: rangeOf(basketText, "shop:basket") }, ...opens!]);
    } finally {
      await c.close(basket);
    }
  });

  it("hovers a service name with where it is registered and how often it is opened", async () => {
    const h = await c.hover(client, positionOf(clientText, "shop:basket", 4));
    assert.deepEqual(h!.range, rangeOf(clientText, "shop:basket"));
    assert.equal(
      hoverText(h),
      [
        "**`shop:basket`** · backend service",
        `Registered by \`runBackendService\` in [\`shop/lib/basket-service.ts\` line 11](${basketUri}#L11).`,
        "Opened from 2 places in the workspace (Find All References).",
      ].join("\n\n"),
    );
    const orders = hoverText(await c.hover(client, positionOf(clientText, "shop:orders", 4)));
    assert.equal(orders, ["**`shop:orders`** · backend service", `Declared in [\`shop/modtasks.json\`](${configUri}): runs \`lib/orders-service.ts\`, started when a client opens it.`, "Opened from 1 place in the workspace (Find All References)."].join("\n\n"));
    assert.match(hoverText(await c.hover(client, positionOf(clientText, "shop:baskte", 4))), /⚠ No `runBackendService\("shop:baskte"\)` in the workspace, and no modtasks.json declares it\./);
  });

  it("re-checks opens when a registration changes in an open buffer", async () => {
    const basket = await c.open(join(ws, "shop", "lib", "basket-service.ts"));
    try {
      const refreshed = c.nextServerRequest("workspace/diagnostic/refresh");
      await c.replace(basket, '"shop:basket"', '"shop:baskte"');
      await c.pullDiagnostics(basket); // analysed, so indexed
      await refreshed;
      assert.deepEqual(
        (await c.pullDiagnostics(client)).map((d) => [d.code, textAt(clientText, d.range)]),
        [
          ["unknown-service", "shop:basket"],
          ["unknown-service", "Shop:Basket"],
          ["invalid-service-name", "nomodule"],
        ],
      );
    } finally {
      // Closed: the file on disk counts again.
      const back = c.nextServerRequest("workspace/diagnostic/refresh");
      await c.close(basket);
      await back;
    }
    assert.deepEqual((await c.pullDiagnostics(client)).map((d) => textAt(clientText, d.range)), ["shop:baskte", "nomodule"]);
  });

  it("re-checks opens when modtasks.json changes on disk", async () => {
    const file = join(ws, "shop", "modtasks.json");
    try {
      let refreshed = c.nextServerRequest("workspace/diagnostic/refresh");
      writeFileSync(file, configText.replace('"orders"', '"ordres"'));
      await c.fileChanged(file, 2);
      await refreshed;
      assert.deepEqual(
        (await c.pullDiagnostics(client)).filter((d) => textAt(clientText, d.range) === "shop:orders").map((d) => d.message),
        ["No runBackendService('shop:orders') in this workspace; did you mean 'shop:ordres'?"],
      );
      refreshed = c.nextServerRequest("workspace/diagnostic/refresh");
      writeFileSync(file, configText);
      await c.fileChanged(file, 2);
      await refreshed;
    } finally {
      writeFileSync(file, configText);
    }
    assert.deepEqual((await c.pullDiagnostics(client)).map((d) => textAt(clientText, d.range)), ["shop:baskte", "nomodule"]);
  });

  it("reads an open modtasks.json buffer over the file", async () => {
    let refreshed = c.nextServerRequest("workspace/diagnostic/refresh");
    const config = await c.open(join(ws, "shop", "modtasks.json"), configText.replace('"orders"', '"ordres"'), "json");
    await refreshed;
    assert.deepEqual((await c.pullDiagnostics(client)).map((d) => textAt(clientText, d.range)), ["shop:baskte", "shop:orders", "nomodule"]);
    refreshed = c.nextServerRequest("workspace/diagnostic/refresh");
    await c.close(config);
    await refreshed;
    assert.deepEqual((await c.pullDiagnostics(client)).map((d) => textAt(clientText, d.range)), ["shop:baskte", "nomodule"]);
  });

  it("reports closed files with service names in workspace diagnostics", async () => {
    await c.close(client);
    const report = await c.workspaceDiagnostics();
    const row = report.items.find((i) => i.uri === client);
    assert.ok(row && row.kind === "full");
    assert.deepEqual(row.items.map((d) => d.code), ["unknown-service", "invalid-service-name"]);
    client = await c.open(join(ws, "app", "src", "client.ts"));
  });
});
