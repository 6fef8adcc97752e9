/**
 * End to end, in a real VS Code: code-server 4.100.3 (VS Code 1.100.3) with the extension
 * installed from its VSIX, driven by Debian's Chromium through playwright-core, on a copy of the
 * example module plus the suite's own module (test/e2e/workspace-template). Each step saves a
 * screenshot under test-results/e2e/. Setup (apt + npm, cached) is in setup.mjs.
 *
 *   node test/run.mjs e2e            MODTASKS_E2E_KEEP=1 keeps the temp folder (logs, databases)
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CodeServer, cleanup, E2E_DIR, makeRunDir, prepareWorkspace, REPO_ROOT } from "./lib/code-server";
import { CHROMIUM_ARGS, loadPlaywright, type Browser, type Page } from "./lib/playwright";
import { Workbench } from "./lib/workbench";

const SERVER_BUNDLE = join(REPO_ROOT, "dist", "server", "server.js");
const hasServer = existsSync(SERVER_BUNDLE);
const NO_SERVER = "the language server bundle (dist/server/server.js) does not exist yet: its scenarios run once server/ is built";
const controlOps = readFileSync(join(REPO_ROOT, "runtime", "src", "engine", "control-ops.ts"), "utf8");
const hasEphemeralOp = /handle\(\s*["']ephemeral["']/.test(controlOps);
const NO_EPHEMERAL = "the runtime has no `ephemeral` control op yet (issue #6): this scenario runs once it exists";
const hasScheduledOps = ["scheduled", "trigger", "set-enabled"].every((op) => new RegExp(`handle\\(\\s*["']${op}["']`).test(controlOps));
const NO_SCHEDULED = "the runtime has no `scheduled`/`trigger`/`set-enabled` control ops yet (issue #6): this scenario runs once they exist";
const serviceOps = existsSync(join(REPO_ROOT, "runtime", "src", "services", "control-ops.ts")) ? readFileSync(join(REPO_ROOT, "runtime", "src", "services", "control-ops.ts"), "utf8") : "";
const hasServiceOps = ["services", "service-start", "service-restart"].every((op) => new RegExp(`handle\\(\\s*["']${op}["']`).test(serviceOps));
const NO_SERVICES = "the runtime has no `services`/`service-start`/`service-restart` control ops yet (issue #10): this scenario runs once they exist";

interface Tools {
  codeServer: string;
  chromium: string;
  setupMs: number;
}

let tools: Tools;
let runDir: string;
let vsix: string;
let vsixSize = 0;
let vsixFiles: string[] = [];
let browser: Browser | undefined;
/** The id of the hello:greet task the Run Task scenario queued (Show Task Details opens it). */
let greetId = 0;
const servers: CodeServer[] = [];
const label = `e2e-${process.pid}-${Date.now().toString(36)}`;

/** Processes whose command line mentions `dir` and whose last argument so far matches `script` (from /proc). */
function processesOf(dir: string, script: RegExp): { pid: number; argv: string[]; rssKiB: number }[] {
  const out: { pid: number; argv: string[]; rssKiB: number }[] = [];
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      if (!argv.some((a) => a.startsWith(dir) && script.test(a))) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
      out.push({ pid: Number(pid), argv, rssKiB: Number(rss ?? 0) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The pid in a service row's aria-label ("service m:n, running, pid 123, 0 connections"). */
function pidOf(label: string | null): number {
  return Number(/pid (\d+)/.exec(label ?? "")?.[1] ?? 0);
}

/**
 * A scenario step: on failure, a screenshot of the workbench and one of the runtime's output
 * (test-results/e2e/<prefix>-NN-FAILED-…png) before the error is reported.
 */
function scenario(getWb: () => Workbench | undefined, name: string, fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (e) {
      const wb = getWb();
      if (wb) {
        await wb.screenshot(`FAILED-${name}`).catch(() => {});
        await wb.runCommand("modtasks: Show Runtime Output").catch(() => {});
        await wb.page.locator(".output-view, .panel .monaco-editor").first().waitFor({ state: "visible", timeout: 5000 }).catch(() => {});
        await wb.screenshot(`FAILED-${name}-runtime-output`).catch(() => {});
      }
      throw e;
    }
  };
}

async function newWorkbench(prefix: string): Promise<{ page: Page; wb: Workbench }> {
  const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(30_000);
  return { page, wb: new Workbench(page, prefix) };
}

before(async () => {
  const started = Date.now();
  // @ts-expect-error: setup.mjs is plain JavaScript without declarations.
  const setup = (await import("./setup.mjs")) as { ensureE2eTools: () => Tools };
  tools = setup.ensureE2eTools();
  // @ts-expect-error: package-vsix.mjs is plain JavaScript without declarations.
  const pack = (await import("./package-vsix.mjs")) as { packageVsix: (out: string, o: { quiet: boolean }) => number; listVsixFiles: () => string[] };
  runDir = makeRunDir();
  vsix = join(runDir, "modtasks.vsix");
  const size = pack.packageVsix(vsix, { quiet: true });
  vsixSize = size;
  vsixFiles = pack.listVsixFiles();
  const { chromium } = loadPlaywright(E2E_DIR);
  browser = await chromium.launch({ executablePath: tools.chromium, headless: true, args: CHROMIUM_ARGS });
  process.stderr.write(`e2e: setup ${tools.setupMs} ms, VSIX ${(size / 1024).toFixed(1)} KiB, ready after ${Date.now() - started} ms\n`);
});

after(async () => {
  await browser?.close().catch(() => {});
  for (const s of servers) await s.stop();
  if (runDir) cleanup(runDir);
});

describe("e2e: the VSIX", () => {
  it("is small and self-contained: bundles only, no node_modules, no native modules, no sources", () => {
    assert.ok(vsixSize < 1024 * 1024, `VSIX is ${vsixSize} bytes`);
    for (const f of ["package.json", "dist/client/extension.js", "syntaxes/crontab.tmLanguage.json", "syntaxes/runat.injection.tmLanguage.json", "schemas/servicemanager.xsd"]) {
      assert.ok(vsixFiles.includes(f), `${f} is missing from the VSIX: ${vsixFiles.join(", ")}`);
    }
    if (hasServer) assert.ok(vsixFiles.includes("dist/server/server.js"));
    const bad = vsixFiles.filter((f) => /node_modules|\.node$|^runtime\/|^client\/src|^server\/src|^test\/|\.map$|\.ts$/.test(f));
    assert.deepEqual(bad, []);
  });
});

describe("e2e: trusted workspace", { timeout: 600_000 }, () => {
  let ws: string;
  let page: Page;
  let wb: Workbench;
  let server: CodeServer;

  before(async () => {
    ws = prepareWorkspace(join(runDir, "trusted"));
    server = await CodeServer.start({ entry: tools.codeServer, vsix, dir: runDir, workspaceTrust: false, name: "cs-trusted" });
    servers.push(server);
    ({ page, wb } = await newWorkbench("trusted"));
    await wb.open(server.url(ws));
  });

  after(async () => {
    await page?.close().catch(() => {});
    await server?.stop();
  });

  it("activates: the Task Queue offers to start the runtime, the status bar says stopped", scenario(() => wb, "activates-the-task-queue-offers-to-start", async () => {
    await wb.runCommand("modtasks: Show Task Queue");
    const pane = wb.pane("Task Queue");
    await pane.locator(".monaco-button", { hasText: "Start Runtime" }).first().waitFor({ state: "visible" });
    await page.locator(".statusbar-item", { hasText: "modtasks: stopped" }).first().waitFor({ state: "visible" });
    await wb.screenshot("welcome-start-runtime");
  }));

  it("starts the runtime from the welcome view", scenario(() => wb, "starts-the-runtime-from-the-welcome-view", async () => {
    const pane = wb.pane("Task Queue");
    await pane.locator(".monaco-button", { hasText: "Start Runtime" }).first().click();
    await page.locator(".statusbar-item", { hasText: /\d+ running/ }).first().waitFor({ state: "visible", timeout: 60_000 });
    // The welcome view gives way to the queue (or to "the queue is empty").
    await pane.locator(".monaco-button", { hasText: "Start Runtime" }).first().waitFor({ state: "hidden" });
    await wb.screenshot("runtime-running");
  }));

  it("backend services: e2emod:echo runs (pid, uptime, connections); Restart from its context menu gives it a new pid; Start starts the on-demand one", { todo: hasServiceOps ? false : NO_SERVICES }, async () => {
    if (!hasServiceOps) return;
    await scenario(() => wb, "services", async () => {
      // modtasks.json of e2emod: echo always on, greeter on demand (test/e2e/workspace-template).
      const echo = wb.treeRow("Task Queue", "service e2emod:echo, running, pid ");
      await echo.waitFor({ state: "visible" });
      const before = pidOf(await echo.getAttribute("aria-label"));
      assert.ok(before > 0, "the row names the service's pid");
      assert.match(await echo.innerText(), /pid \d+ · up \d+ (ms|s|min) · 0 connections/);
      await wb.treeRow("Task Queue", "service e2emod:greeter, stopped").waitFor({ state: "visible" });
      await wb.pane("Task Queue").locator(".monaco-list-row", { hasText: "Services" }).first().waitFor({ state: "visible" });
      await wb.screenshot("services-running");
      // The tooltip: pid, uptime, connections, restarts, where it is declared. (Rows above may
      // still move while the example's startup tasks finish: hover again until it is echo's.)
      const tip = page.locator(".monaco-hover:not(.hidden), .workbench-hover", { hasText: "e2emod:echo — backend service" }).first();
      for (let i = 0; ; i++) {
        await page.mouse.move(0, 0);
        await echo.hover();
        try {
          await tip.waitFor({ state: "visible", timeout: 3000 });
          break;
        } catch (e) {
          if (i >= 4) throw e;
        }
      }
      assert.match(await tip.innerText(), /State: running · pid \d+[\s\S]*Connections: 0[\s\S]*Restarts: 0[\s\S]*modtasks\.json of e2emod · always on/);
      await wb.screenshot("services-tooltip");
      await page.mouse.move(0, 0);

      await wb.contextMenu(echo, "Restart Service");
      // The same row (same id), a new process: its pid changes, and it counts the restart.
      const restarted = page.locator(`.monaco-list-row[aria-label^="service e2emod:echo, running, pid "]:not([aria-label*="pid ${before},"])`).first();
      await restarted.waitFor({ state: "visible" });
      assert.notEqual(pidOf(await restarted.getAttribute("aria-label")), before);
      await wb.screenshot("services-restarted");

      const greeter = wb.treeRow("Task Queue", "service e2emod:greeter, stopped");
      await wb.inlineAction(greeter, "Start Service");
      await wb.treeRow("Task Queue", "service e2emod:greeter, running, pid ").waitFor({ state: "visible" });
      await wb.screenshot("services-greeter-started");
    })();
  });

  it("scheduled tasks: listed with their next run; Run Now, Disable and Enable", { todo: hasScheduledOps ? false : NO_SCHEDULED }, async () => {
    if (!hasScheduledOps) return;
    await scenario(() => wb, "scheduled", async () => {
      const row = wb.treeRow("Task Queue", "scheduled task e2emod:nightly, next: ");
      await row.waitFor({ state: "visible" });
      assert.match((await row.getAttribute("aria-label")) ?? "", /next: \w{3} \d{4}-\d{2}-\d{2} 03:00 Europe\/Amsterdam/);
      await wb.screenshot("scheduled-group");
      await wb.inlineAction(row, "Run Now");
      await wb.notification(/e2emod:nightly ran successfully/).waitFor({ state: "visible" });
      await wb.screenshot("scheduled-ran");
      await wb.clearNotifications();
      await wb.contextMenu(wb.treeRow("Task Queue", "scheduled task e2emod:nightly"), "Disable Scheduled Task");
      await wb.treeRow("Task Queue", "scheduled task e2emod:nightly, disabled").waitFor({ state: "visible" });
      await wb.screenshot("scheduled-disabled");
      await wb.contextMenu(wb.treeRow("Task Queue", "scheduled task e2emod:nightly"), "Enable Scheduled Task");
      await wb.treeRow("Task Queue", "scheduled task e2emod:nightly, next: ").waitFor({ state: "visible" });
    })();
  });

  it("Run Task… queues a managed task with JSON data; the tree shows it completed", scenario(() => wb, "run-task-queues-a-managed-task-with-json", async () => {
    await wb.runCommand("modtasks: Run Task…");
    await wb.pick("hello:greet");
    // Invalid JSON is refused while typing, with the reason.
    await wb.typeInput("{name: 'World'}");
    await wb.inputMessage(/Not valid JSON/).waitFor({ state: "visible" });
    await wb.screenshot("run-task-invalid-json");
    await wb.typeInput('{"name": "World"}');
    await page.keyboard.press("Enter");
    const toast = wb.notification(/queued hello:greet as task #\d+/);
    await toast.waitFor({ state: "visible" });
    const id = Number(/task #(\d+)/.exec((await toast.innerText()) ?? "")?.[1]);
    assert.ok(id > 0, "the notification names the new task's id");
    greetId = id;
    await wb.screenshot("run-task-queued");
    await wb.clickNotificationButton(/queued hello:greet/, "Reveal in Queue");
    await wb.treeRow("Task Queue", `hello:greet, task ${id}, completed`).waitFor({ state: "visible" });
    await wb.screenshot("greet-completed");
  }));

  it("Run Task… for a managed task: the tree shows it running, then completed (a task that waits for a file the suite creates)", scenario(() => wb, "run-task-running-then-completed", async () => {
    await wb.clearNotifications();
    const gate = join(runDir, `gate-${label}`);
    await wb.runCommand("modtasks: Run Task…");
    await wb.pick("e2emod:gated");
    await wb.typeInput(JSON.stringify({ gate }));
    await page.keyboard.press("Enter");
    const toast = wb.notification(/queued e2emod:gated as task #\d+/);
    await toast.waitFor({ state: "visible" });
    const id = Number(/task #(\d+)/.exec(await toast.innerText())?.[1]);
    assert.ok(id > 0);
    await wb.clickNotificationButton(/queued e2emod:gated/, "Reveal in Queue");
    // It cannot finish before the gate file exists: "running" is certain to be seen.
    const running = wb.treeRow("Task Queue", `e2emod:gated, task ${id}, running`);
    await running.waitFor({ state: "visible" });
    await page.locator(".statusbar-item", { hasText: /\b1 running/ }).first().waitFor({ state: "visible" });
    await wb.screenshot("gated-running");

    // Reveal Declaration from its context menu: the <managedtask> opens with its start tag selected.
    await wb.contextMenu(running, "Reveal Declaration");
    const decl = readFileSync(join(ws, "e2emod", "moduledefinition.xml"), "utf8").split("\n");
    const line = decl.findIndex((l) => l.includes('<managedtask type="gated"'));
    const from = decl[line]!.indexOf("<managedtask");
    const to = decl[line]!.indexOf("/>") + 2;
    await page.locator(".tab.active", { hasText: "moduledefinition.xml" }).first().waitFor({ state: "visible" });
    await page.locator(".statusbar-item", { hasText: `Ln ${line + 1}, Col ${to + 1} (${to - from} selected)` }).first().waitFor({ state: "visible" });
    await page.locator(".monaco-editor .view-lines", { hasText: 'type="gated"' }).first().waitFor({ state: "visible" });
    await wb.screenshot("gated-reveal-declaration");

    writeFileSync(gate, "open\n");
    await wb.treeRow("Task Queue", `e2emod:gated, task ${id}, completed`).waitFor({ state: "visible" });
    await page.locator(".statusbar-item", { hasText: /\b0 running/ }).first().waitFor({ state: "visible" });
    await wb.screenshot("gated-completed");
  }));

  it("clicking the status bar item shows the Task Queue", scenario(() => wb, "status-bar-shows-the-queue", async () => {
    await wb.runCommand("View: Show Explorer");
    // (The view's own header stays hidden: it is the only view of its container.) Its rows go.
    const row = wb.treeRow("Task Queue", "e2emod:gated, task ");
    await row.waitFor({ state: "hidden" });
    await wb.screenshot("queue-hidden");
    // While a runtime runs the item shows its counts ("1 running · 0 queued"), not "modtasks: …".
    await page.locator(".statusbar-item", { hasText: /\d+ running · \d+ queued/ }).first().click();
    await row.waitFor({ state: "visible" });
    await wb.screenshot("queue-shown-from-status-bar");
  }));

  it("a failing task appears under Failed; Retry from its context menu runs it again", scenario(() => wb, "a-failing-task-appears-under-failed-retr", async () => {
    await wb.clearNotifications();
    await wb.runCommand("modtasks: Run Task…");
    await wb.pick("e2emod:failonce");
    await wb.typeInput(JSON.stringify({ label: `${label}-failonce` }));
    await page.keyboard.press("Enter");
    const toast = wb.notification(/queued e2emod:failonce as task #\d+/);
    await toast.waitFor({ state: "visible" });
    const id = Number(/task #(\d+)/.exec(await toast.innerText())?.[1]);
    const failed = wb.treeRow("Task Queue", `e2emod:failonce, task ${id}, failed`);
    await failed.waitFor({ state: "visible" });
    // The view's badge counts failed tasks.
    await page.locator('.activitybar .action-item:has([aria-label*="modtasks"]) .badge-content', { hasText: "1" }).first().waitFor({ state: "visible" });
    await wb.screenshot("failonce-failed");
    await wb.contextMenu(failed, "Retry");
    // A finished task runs again as a new task with the same data; this time it completes.
    await wb.treeRow("Task Queue", "e2emod:failonce, task").waitFor({ state: "visible" });
    await page.locator('.monaco-list-row[aria-label*="e2emod:failonce, task"][aria-label*=", completed"]').first().waitFor({ state: "visible" });
    await wb.screenshot("failonce-retried-completed");
  }));

  it("a retrying task: Retry (inline) runs it now instead of in an hour", scenario(() => wb, "a-retrying-task-retry-inline-runs-it-now", async () => {
    await wb.clearNotifications();
    await wb.runCommand("modtasks: Run Task…");
    await wb.pick("e2emod:retrylater");
    await wb.typeInput(JSON.stringify({ label: `${label}-retrylater` }));
    await page.keyboard.press("Enter");
    const toast = wb.notification(/queued e2emod:retrylater as task #\d+/);
    await toast.waitFor({ state: "visible" });
    const id = Number(/task #(\d+)/.exec(await toast.innerText())?.[1]);
    const retrying = wb.treeRow("Task Queue", `e2emod:retrylater, task ${id}, retrying`);
    await retrying.waitFor({ state: "visible" });
    await wb.screenshot("retrylater-retrying");
    await wb.clearNotifications();
    await wb.inlineAction(retrying, "Retry");
    await wb.treeRow("Task Queue", `e2emod:retrylater, task ${id}, completed`).waitFor({ state: "visible" });
    await wb.screenshot("retrylater-completed");
  }));

  it("Cancel on a long task stops it", scenario(() => wb, "cancel-on-a-long-task-stops-it", async () => {
    await wb.clearNotifications();
    await wb.runCommand("modtasks: Run Task…");
    await wb.pick("e2emod:slow");
    await wb.typeInput('{"seconds": 300}');
    await page.keyboard.press("Enter");
    const toast = wb.notification(/queued e2emod:slow as task #\d+/);
    await toast.waitFor({ state: "visible" });
    const id = Number(/task #(\d+)/.exec(await toast.innerText())?.[1]);
    const running = wb.treeRow("Task Queue", `e2emod:slow, task ${id}, running`);
    await running.waitFor({ state: "visible" });
    await page.locator(".statusbar-item", { hasText: "1 running" }).first().waitFor({ state: "visible" });
    await wb.screenshot("slow-running");
    await wb.clearNotifications();
    await wb.contextMenu(running, "Cancel");
    await wb.treeRow("Task Queue", `e2emod:slow, task ${id}, cancelled`).waitFor({ state: "visible" });
    await page.locator(".statusbar-item", { hasText: "0 running" }).first().waitFor({ state: "visible" });
    await wb.screenshot("slow-cancelled");
  }));

  it("Show Task Details opens the task as read-only JSON", scenario(() => wb, "show-task-details-opens-the-task-as-read", async () => {
    const row = wb.treeRow("Task Queue", `hello:greet, task ${greetId}, completed`);
    await row.click();
    const editor = page.locator(".editor-instance .monaco-editor .view-lines").last();
    await editor.waitFor({ state: "visible" });
    await page.locator(".tab.active", { hasText: /task-\d+\.json/ }).first().waitFor({ state: "visible" });
    await page.locator(".view-lines", { hasText: "Hello, World!" }).first().waitFor({ state: "visible" });
    await wb.screenshot("task-details");
  }));

  it("an ephemeral task's result appears in a notification", { todo: hasEphemeralOp ? false : NO_EPHEMERAL }, async () => {
    if (!hasEphemeralOp) return;
    await wb.clearNotifications();
    await wb.runCommand("modtasks: Run Task…");
    await wb.pick("e2emod:double");
    await wb.typeInput('{"n": 21}');
    await page.keyboard.press("Enter");
    await wb.notification(/e2emod:double returned \{"doubled":42\}/).waitFor({ state: "visible" });
    await wb.screenshot("ephemeral-result");
  });

  it("the language server's CodeLens ▷ Run runs the task through the same command", { skip: hasServer ? false : NO_SERVER }, async () => {
    await wb.clearNotifications();
    await wb.runCommand("View: Close All Editors");
    await wb.openFile("e2emod/moduledefinition.xml");
    // Lenses in document order: slow, failonce, retrylater, double (ephemeral), nightly (next, Run).
    const lenses = page.locator(".monaco-editor .codelens-decoration a", { hasText: "Run" });
    await lenses.nth(4).waitFor({ state: "visible" });
    await page.locator(".monaco-editor .codelens-decoration a", { hasText: /^next: / }).first().waitFor({ state: "visible" });
    await wb.screenshot("codelenses");
    await lenses.nth(hasEphemeralOp ? 3 : 0).click();
    await wb.typeInput(hasEphemeralOp ? '{"n": 5}' : '{"seconds": 0}');
    await page.keyboard.press("Enter");
    if (hasEphemeralOp) await wb.notification(/e2emod:double returned \{"doubled":10\}/).waitFor({ state: "visible" });
    else await wb.notification(/queued e2emod:slow as task #\d+/).waitFor({ state: "visible" });
    await wb.screenshot("codelens-run");
  });

  it("the example module: a broken runat shows a squiggle at the exact field and a Problems entry; hover shows next runs; the outline lists the tasks", { skip: hasServer ? false : NO_SERVER }, async () => {
    await scenario(() => wb, "example-module-broken-runat", async () => {
      await wb.clearNotifications();
      await wb.runCommand("View: Close All Editors");
      // examples/hello, copied into the workspace by prepareWorkspace (test/e2e/lib/code-server.ts).
      await wb.openFile("hello/moduledefinition.xml");
      const text = readFileSync(join(ws, "hello", "moduledefinition.xml"), "utf8");
      const lines = text.split("\n");
      const line = lines.findIndex((l) => l.includes('runat="0 15 * * 1"'));
      assert.ok(line >= 0, "the example's weekly report runs at 0 15 * * 1");
      const hourCol = lines[line]!.indexOf('runat="0 15') + 'runat="0 '.length; // 0-based column of the hour field
      // Hover on the mask: the next runs (Show Hover at the cursor, as the keyboard user does).
      await wb.goTo(line + 1, hourCol + 1);
      await wb.runCommand("Show or Focus Hover");
      const hover = page.locator(".monaco-hover:not(.hidden)").first();
      await hover.waitFor({ state: "visible" });
      await hover.locator("text=/Next \\d+ runs?/").first().waitFor({ state: "visible" });
      const hoverText = await hover.innerText();
      assert.match(hoverText, /15:00/, `hover shows the Monday 15:00 runs:\n${hoverText}`);
      assert.match(hoverText, /Europe\/Amsterdam/);
      await wb.screenshot("hover-runat");
      await page.keyboard.press("Escape");
      // Outline: the example's tasks. The pane shows a few rows at a time (the tree renders only
      // those): the first ones from the top, then the last ones from the end.
      await wb.runCommand("Explorer: Focus on Outline View");
      const outline = wb.pane("Outline");
      await outline.locator(".monaco-list-row", { hasText: "servicemanager" }).first().waitFor({ state: "visible" });
      await page.keyboard.press("Home");
      for (const name of ["managedtask greet", "managedtask add", "managedtask flaky"]) await outline.locator(".monaco-list-row", { hasText: name }).first().waitFor({ state: "visible" });
      await wb.screenshot("outline");
      await page.keyboard.press("End");
      for (const name of ["ephemeraltask render", "task seed", "task report", "task cleanup"]) await outline.locator(".monaco-list-row", { hasText: name }).first().waitFor({ state: "visible" });
      await wb.screenshot("outline-end");
      // Break the hour field: "15" → "25" (typed, unsaved).
      await wb.openFile("hello/moduledefinition.xml");
      await wb.goTo(line + 1, hourCol + 3);
      await page.keyboard.press("Backspace");
      await page.keyboard.press("Backspace");
      await page.keyboard.type("25");
      await page.locator(".monaco-editor .squiggly-error").first().waitFor({ state: "visible" });
      await wb.screenshot("broken-runat-squiggle");
      await wb.runCommand("View: Focus Problems");
      const problem = page.locator(".markers-panel .monaco-list-row", { hasText: `[Ln ${line + 1}, Col ${hourCol + 1}]` }).first();
      await problem.waitFor({ state: "visible" });
      assert.match(await problem.innerText(), /hour 25 is out of range/);
      await wb.screenshot("broken-runat-problems");
    })();
  });
  it("the language server runs with --max-semi-space-size=8 (a smaller idle heap)", { skip: hasServer ? false : NO_SERVER }, () => {
    const servers = processesOf(join(runDir, "cs-trusted"), /dist\/server\/server\.js$/);
    assert.ok(servers.length >= 1, "the language server process of this code-server");
    for (const p of servers) assert.ok(p.argv.includes("--max-semi-space-size=8"), p.argv.join(" "));
    process.stderr.write(`e2e: language server pid ${servers[0]!.pid}, RSS ${(servers[0]!.rssKiB / 1024).toFixed(0)} MB after the scenarios\n`);
  });

  it("without a runtime the queue stays visible, read-only from the database; details open; Refresh reads it again; Start Runtime from the tree", scenario(() => wb, "stored-queue", async () => {
    await wb.clearNotifications();
    await wb.runCommand("View: Close All Editors");
    // A dirty editor (the broken runat above) asks to be saved: don't.
    await page.locator(".monaco-dialog-box .monaco-button", { hasText: "Don't Save" }).first().click({ timeout: 5000 }).catch(() => {});
    await wb.runCommand("modtasks: Stop Runtime");
    await page.locator(".statusbar-item", { hasText: "modtasks: stopped" }).first().waitFor({ state: "visible" });
    await wb.runCommand("modtasks: Show Task Queue");
    // The queue as the runtime left it, with a row that says so and starts the runtime.
    const banner = wb.treeRow("Task Queue", "Start Runtime: read-only view · ");
    await banner.waitFor({ state: "visible" });
    await wb.treeRow("Task Queue", `hello:greet, task ${greetId}, completed`).waitFor({ state: "visible" });
    // The view's description says so too (shown in the header, or in the container's title when it is the only view).
    await page.locator('.pane-header[aria-label*="Task Queue - read-only"]').first().waitFor({ state: "attached" });
    await wb.pane("Task Queue").locator(".message", { hasText: "No runtime is running" }).first().waitFor({ state: "visible" });
    // Read-only: a failed task offers details, not Retry.
    const failed = page.locator('.monaco-list-row[aria-label*="e2emod:failonce, task"][aria-label$=", failed"]').first();
    await failed.click({ button: "right" });
    await page.locator(".context-view .monaco-menu .action-item", { hasText: "Show Task Details" }).first().waitFor({ state: "visible" });
    assert.equal(await page.locator(".context-view .monaco-menu .action-item", { hasText: /^Retry$/ }).count(), 0, "no Retry without a runtime");
    await page.keyboard.press("Escape");
    await wb.screenshot("stored-queue");
    // Details come from the database too.
    await wb.treeRow("Task Queue", `hello:greet, task ${greetId}, completed`).click();
    await page.locator(".tab.active", { hasText: `task-${greetId}.json` }).first().waitFor({ state: "visible" });
    await page.locator(".view-lines", { hasText: "Hello, World!" }).first().waitFor({ state: "visible" });
    await wb.screenshot("stored-task-details");
    // Nothing watches the database: a task queued from a terminal shows after Refresh.
    const queued = spawnSync(process.execPath, [join(REPO_ROOT, "runtime", "bin", "modtasks.js"), "schedule", "hello:greet", '{"name": "Stored"}'], { cwd: ws, encoding: "utf8" });
    assert.equal(queued.status, 0, queued.stderr);
    const newId = Number(queued.stdout.trim());
    await wb.runCommand("modtasks: Refresh Task Queue");
    await wb.treeRow("Task Queue", `hello:greet, task ${newId}, queued`).waitFor({ state: "visible" });
    await wb.screenshot("stored-queue-refreshed");
    // Start Runtime from the tree: the queued task runs; the view is live again.
    await wb.treeRow("Task Queue", "Start Runtime: read-only view").click();
    await wb.treeRow("Task Queue", `hello:greet, task ${newId}, completed`).waitFor({ state: "visible", timeout: 60_000 });
    await wb.treeRow("Task Queue", "Start Runtime: read-only view").waitFor({ state: "hidden" });
    await page.locator('.pane-header[aria-label*="Task Queue - read-only"]').first().waitFor({ state: "detached" });
    await wb.screenshot("runtime-started-from-tree");
  }));

  it("a runtime started in a terminal: Attach, and its log (task lines) shows in the modtasks Runtime channel", scenario(() => wb, "attached-runtime-log", async () => {
    await wb.clearNotifications();
    await wb.runCommand("modtasks: Stop Runtime");
    await page.locator(".statusbar-item", { hasText: "modtasks: stopped" }).first().waitFor({ state: "visible" });
    // `modtasks run` in the workspace, as in a terminal: the same database by the same rule.
    const env = { ...process.env };
    delete env.MODTASKS_DB;
    delete env.MODTASKS_SOCKET;
    let out = "";
    const terminal: ChildProcess = spawn(process.execPath, [join(REPO_ROOT, "runtime", "bin", "modtasks.js"), "run"], { cwd: ws, env, stdio: ["ignore", "pipe", "pipe"] });
    try {
      await new Promise<void>((resolve, reject) => {
        terminal.once("exit", (code) => reject(new Error(`modtasks run exited with ${code}:\n${out}`)));
        terminal.stderr!.setEncoding("utf8").on("data", (t: string) => (out += t));
        terminal.stdout!.setEncoding("utf8").on("data", (t: string) => {
          out += t;
          if (/runtime 'local' started/.test(out)) resolve();
        });
      });
      await wb.runCommand("modtasks: Attach to Running Runtime");
      await page.locator(".statusbar-item", { hasText: /\d+ running · \d+ queued/ }).first().waitFor({ state: "visible" });
      const queued = spawnSync(process.execPath, [join(REPO_ROOT, "runtime", "bin", "modtasks.js"), "schedule", "hello:greet", '{"name": "Attached"}'], { cwd: ws, env, encoding: "utf8" });
      assert.equal(queued.status, 0, queued.stderr);
      const id = Number(queued.stdout.trim());
      await wb.treeRow("Task Queue", `hello:greet, task ${id}, completed`).waitFor({ state: "visible" });
      // The line its terminal printed, in the channel of this window (which did not start it).
      assert.match(out, new RegExp(`✓ hello:greet #${id} completed`));
      await wb.runCommand("modtasks: Show Runtime Output");
      await page.locator(".output-view .view-lines, .panel .monaco-editor .view-lines", { hasText: `✓ hello:greet #${id} completed` }).first().waitFor({ state: "visible" });
      await wb.screenshot("attached-runtime-log");
    } finally {
      if (terminal.exitCode === null) {
        const exited = new Promise((r) => terminal.once("exit", r));
        terminal.kill("SIGTERM");
        await exited;
      }
    }
  }));
});

describe("e2e: restricted mode (untrusted folder)", { timeout: 300_000 }, () => {
  let ws: string;
  let page: Page;
  let wb: Workbench;
  let server: CodeServer;

  before(async () => {
    ws = prepareWorkspace(join(runDir, "restricted"));
    server = await CodeServer.start({ entry: tools.codeServer, vsix, dir: runDir, workspaceTrust: true, name: "cs-restricted" });
    servers.push(server);
    ({ page, wb } = await newWorkbench("restricted"));
    await wb.open(server.url(ws));
  });

  after(async () => {
    await page?.close().catch(() => {});
    await server?.stop();
  });

  it("Run Task is refused with the explanation; the Task Queue explains Restricted Mode", scenario(() => wb, "run-task-is-refused-with-the-explanation", async () => {
    await wb.runCommand("modtasks: Show Task Queue");
    await wb.pane("Task Queue").locator(".welcome-view-content", { hasText: "Restricted Mode" }).first().waitFor({ state: "visible" });
    await wb.runCommand("modtasks: Run Task…");
    const toast = wb.notification(/Run Task is not available/);
    await toast.waitFor({ state: "visible" });
    assert.match(await toast.innerText(), /Restricted Mode.*executes the workspace's own code/s);
    await wb.screenshot("run-task-refused");
    // Nothing was started.
    await page.locator(".statusbar-item", { hasText: "modtasks: stopped" }).first().waitFor({ state: "visible" });
  }));

  it("diagnostics still work in Restricted Mode", { skip: hasServer ? false : NO_SERVER }, async () => {
    await wb.clearNotifications();
    await wb.openFile("e2emod/moduledefinition.xml");
    const text = readFileSync(join(ws, "e2emod", "moduledefinition.xml"), "utf8");
    const lines = text.split("\n");
    const line = lines.findIndex((l) => l.includes('runat="0 3 * * *"'));
    const hourCol = lines[line]!.indexOf('runat="0 3') + 'runat="0 '.length;
    await wb.goTo(line + 1, hourCol + 2);
    await page.keyboard.press("Backspace");
    await page.keyboard.type("25");
    await page.locator(".monaco-editor .squiggly-error").first().waitFor({ state: "visible" });
    await wb.runCommand("View: Focus Problems");
    await page.locator(".markers-panel .monaco-list-row", { hasText: `[Ln ${line + 1}, Col ${hourCol + 1}]` }).first().waitFor({ state: "visible" });
    // Still nothing runs.
    await page.locator(".statusbar-item", { hasText: "modtasks: stopped" }).first().waitFor({ state: "visible" });
    await wb.screenshot("restricted-diagnostics");
  });
});
