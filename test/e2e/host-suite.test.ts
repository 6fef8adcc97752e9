/**
 * Verifies the desktop suite (test/e2e/electron/suite.ts, which @vscode/test-electron runs in a
 * desktop VS Code) on machines without one: a tiny driver extension loads the same suite into
 * code-server's extension host, and the palette command "modtasks e2e: Run Desktop Suite" runs it.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildSuite } from "./electron/build-suite";
import { CodeServer, cleanup, E2E_DIR, makeRunDir, prepareWorkspace } from "./lib/code-server";
import { CHROMIUM_ARGS, loadPlaywright, type Browser } from "./lib/playwright";
import { Workbench } from "./lib/workbench";

let runDir: string;
let browser: Browser | undefined;
let server: CodeServer | undefined;
let wb: Workbench;
let ws: string;
let reportFile: string;

/** A driver extension whose one command runs the suite and reports in a notification and a file. */
async function driverVsix(dir: string, packageVsix: (out: string, o: { quiet: boolean; cwd?: string }) => number): Promise<string> {
  const ext = join(dir, "driver");
  mkdirSync(ext, { recursive: true });
  const suite = await buildSuite(ext);
  writeFileSync(
    join(ext, "package.json"),
    JSON.stringify({
      name: "modtasks-e2e-driver",
      displayName: "modtasks e2e driver",
      publisher: "modtasks",
      version: "0.0.0",
      license: "MIT",
      engines: { vscode: "^1.91.0" },
      main: "./extension.js",
      extensionDependencies: ["modtasks.modtasks"],
      activationEvents: [],
      contributes: { commands: [{ command: "modtasksE2e.runSuite", title: "Run Desktop Suite", category: "modtasks e2e" }] },
    }),
  );
  writeFileSync(join(ext, "README.md"), "Runs test/e2e/electron/suite.ts inside the extension host.\n");
  writeFileSync(
    join(ext, "extension.js"),
    `const vscode = require("vscode");
const fs = require("fs");
exports.activate = (context) => {
  context.subscriptions.push(vscode.commands.registerCommand("modtasksE2e.runSuite", async () => {
    try {
      const report = await require(${JSON.stringify("./" + suite.split("/").at(-1))}).run();
      fs.writeFileSync(${JSON.stringify(reportFile)}, report.join("\\n"));
      vscode.window.showInformationMessage("desktop suite passed: " + report.length + " scenarios");
    } catch (e) {
      fs.writeFileSync(${JSON.stringify(reportFile)}, String(e && e.message || e));
      vscode.window.showErrorMessage("desktop suite failed");
    }
  }));
};
`,
  );
  const out = join(dir, "driver.vsix");
  packageVsix(out, { quiet: true, cwd: ext });
  return out;
}

before(async () => {
  // @ts-expect-error: setup.mjs is plain JavaScript without declarations.
  const setup = (await import("./setup.mjs")) as { ensureE2eTools: () => { codeServer: string; chromium: string } };
  const tools = setup.ensureE2eTools();
  // @ts-expect-error: package-vsix.mjs is plain JavaScript without declarations.
  const pack = (await import("./package-vsix.mjs")) as { packageVsix: (out: string, o: { quiet: boolean; cwd?: string }) => number };
  runDir = makeRunDir();
  reportFile = join(runDir, "report.txt");
  const vsix = join(runDir, "modtasks.vsix");
  pack.packageVsix(vsix, { quiet: true });
  const driver = await driverVsix(runDir, pack.packageVsix);
  ws = prepareWorkspace(join(runDir, "host"));
  server = await CodeServer.start({ entry: tools.codeServer, vsix, extraVsix: [driver], dir: runDir, workspaceTrust: false, name: "cs-host" });
  const { chromium } = loadPlaywright(E2E_DIR);
  browser = await chromium.launch({ executablePath: tools.chromium, headless: true, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(30_000);
  wb = new Workbench(page, "host-suite");
  await wb.open(server.url(ws));
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
  if (runDir) cleanup(runDir);
});

describe("e2e: the desktop suite, inside code-server's extension host", { timeout: 300_000 }, () => {
  it("every scenario of test/e2e/electron/suite.ts passes", async () => {
    await wb.runCommand("modtasks e2e: Run Desktop Suite");
    const done = wb.page.locator(".notifications-toasts .notification-toast", { hasText: /desktop suite (passed|failed)/ }).first();
    await done.waitFor({ state: "visible", timeout: 240_000 });
    await wb.screenshot("done");
    const report = readFileSync(reportFile, "utf8");
    process.stderr.write(`${report}\n`);
    assert.match(await done.innerText(), /desktop suite passed/, report);
  });
});
