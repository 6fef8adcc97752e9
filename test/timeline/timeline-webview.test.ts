/**
 * The timeline panel without VS Code: its HTML (strict CSP with a nonce), the webview script
 * (type-checked against lib.dom, bundled by esbuild) running in headless Chromium against a fake
 * host that records the messages, the insights HTML, and the pure helpers. The real panel in a
 * real VS Code is test/e2e/timeline.test.ts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { contentSecurityPolicy, panelHtml } from "../../client/src/timeline/html";
import { durationsFromScheduled } from "../../client/src/timeline/durations";
import { formatMs, renderInsights, renderInsightsUnavailable } from "../../client/src/timeline/insights-view";
import { showTimelineOptions } from "../../client/src/timeline/options";
import type { HostMessage, WebviewMessage } from "../../client/src/timeline/protocol";
import { QueueInsights } from "../../runtime/src/insights";
import { computeTimeline, renderSvg, type TimelineTask } from "../../runtime/src/timeline";
import type { Browser, Page } from "../e2e/lib/playwright";
import { launchChromium, REPO_ROOT, SHOTS_DIR, type DomDocument } from "./chromium";

const MEDIA = join(REPO_ROOT, "client", "media", "timeline");

describe("timeline panel: pure parts", () => {
  test("the CSP allows no inline script or style; the one script carries the nonce", () => {
    const html = panelHtml({ cspSource: "vscode-webview://abc", nonce: "N0nce", scriptUri: "vscode-webview://abc/timeline.js", styleUri: "vscode-webview://abc/timeline.css", allZones: ["Europe/Amsterdam", "UTC"] });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!.replace(/&#39;/g, "'");
    assert.equal(csp, "default-src 'none'; style-src vscode-webview://abc; script-src 'nonce-N0nce'; img-src vscode-webview://abc data:; font-src vscode-webview://abc");
    assert.equal(contentSecurityPolicy("x", "n"), "default-src 'none'; style-src x; script-src 'nonce-n'; img-src x data:; font-src x");
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval|https?:\/\//);
    assert.deepEqual([...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]), [' nonce="N0nce" src="vscode-webview://abc/timeline.js"']);
    assert.doesNotMatch(html, / style="/);
    assert.match(html, /<option value="Europe\/Amsterdam"><\/option>/);
  });

  test("the interactive SVG has no style element, no style attribute and no <title>; rows and runs are focusable", () => {
    const tasks: TimelineTask[] = [{ id: "app:a", name: "app:a", source: "moduledefinition", mask: "0 * * * *", dialect: "webhare", runtz: "Europe/Amsterdam" }];
    const svg = renderSvg(computeTimeline(tasks, { from: Date.parse("2026-03-28T12:00:00Z"), hours: 24, maintenanceOffsetMinutes: 0, displayZone: "UTC", localZone: "UTC" }), { interactive: true });
    assert.doesNotMatch(svg, /<style|style="|<title>|<script/);
    assert.equal((svg.match(/<g class="row"[^>]*tabindex="0"/g) ?? []).length, 1);
    assert.equal((svg.match(/class="run"[^>]*tabindex="0"/g) ?? []).length, 1);
    assert.equal((svg.match(/class="run"[^>]*tabindex="-1"/g) ?? []).length, 23);
    assert.match(svg, /aria-label="app:a, Europe\/Amsterdam, 24 runs\. Enter reveals the declaration\."/);
  });

  test("the command's argument: a CodeLens's ShowTimelineArgs highlights the task; view options", () => {
    assert.deepEqual(showTimelineOptions(undefined), {});
    assert.deepEqual(showTimelineOptions({ name: "app:nightly", uri: "file:///x", range: {}, runat: "0 3 * * *", runtz: "Europe/Amsterdam", zone: "Europe/Amsterdam", runs: [] }), { name: "app:nightly" });
    assert.deepEqual(showTimelineOptions({ from: "2027-03-26T00:00", hours: 168, zone: "UTC", tab: "insights" }), { from: "2027-03-26T00:00", hours: 168, zone: "UTC", tab: "insights" });
  });

  test("last durations from the runtime's `scheduled` answer", () => {
    const m = durationsFromScheduled([
      { name: "app:a", lastRun: 1000, lastEnd: 61_000 },
      { name: "app:running", lastRun: 5000, lastEnd: 1000 },
      { name: "app:never", lastRun: null, lastEnd: null },
      { name: "app:explicit", lastDurationMs: 42 },
      null,
    ]);
    assert.deepEqual([...m!], [["app:a", 60_000], ["app:explicit", 42]]);
    assert.equal(durationsFromScheduled("nope"), undefined);
  });

  test("insights HTML: numbers, tables, escaping; the messages without a snapshot", () => {
    const q = new QueueInsights();
    const now = Date.parse("2026-06-01T12:00:00Z");
    q.record({ event: "queue-counts", at: now - 120_000, counts: { pending: 2, running: 1, retrying: 1, failed: 3 } });
    q.record({ event: "task-started", id: 1, type: "app:<b>", at: now - 90_000, runAt: now - 95_000 });
    q.record({ event: "task-finished", id: 1, type: "app:<b>", state: "finished", outcome: "completed", at: now - 30_000 });
    const html = renderInsights(q.snapshot(now, { retries: [{ id: 9, type: "app:x", failures: 2, runAt: now + 180_000, lastError: "boom <here>" }] }), "Runtime pid 1");
    assert.match(html, /<b>3<\/b> queued/);
    assert.match(html, /app:&lt;b&gt;/);
    assert.doesNotMatch(html, /app:<b>/);
    assert.match(html, /wait p50.*5\.00 s/s);
    assert.match(html, /<td>#9<\/td><th scope="row">app:x<\/th><td>3<\/td><td title="2026-06-01T12:03:00.000Z">in 3 min<\/td><td class="ins-error">boom &lt;here&gt;<\/td>/);
    assert.match(html, /<polyline class="ins-queued"/);
    assert.doesNotMatch(html, / style="/);
    assert.match(renderInsightsUnavailable("no-runtime"), /data-command="modtasks.startRuntime"/);
    assert.match(renderInsightsUnavailable("unsupported"), /no <code>insights<\/code> control operation/);
    assert.deepEqual([formatMs(850), formatMs(12_340), formatMs(250_000), formatMs(3_900_000), formatMs(null)], ["850 ms", "12.3 s", "4 min 10 s", "1 h 5 min", "–"]);
  });

  test("the webview script type-checks against lib.dom", () => {
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", join(MEDIA, "tsconfig.json")], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});

/** The page's own view of the fake host. */
interface FakeHostWindow {
  __sent: WebviewMessage[];
  postMessage(m: unknown, target: string): void;
}

describe("timeline panel: the webview script in Chromium", () => {
  let browser: Browser | undefined;
  let page: Page & { addInitScript(script: string): Promise<void> };
  const dir = mkdtempSync(join(tmpdir(), "modtasks-webview-"));
  const errors: string[] = [];
  let timelineMessage: HostMessage | undefined;

  /** The page's globals the tests touch (the repository typechecks without lib.dom). */
  type PageGlobals = { document: { querySelector(s: string): { value: string; focus(): void; dispatchEvent(e: unknown): void } }; Event: new (type: string) => unknown };
  const valueOf = (sel: string) => page.evaluate((s) => (globalThis as unknown as PageGlobals).document.querySelector(s).value, sel);
  /** Picks an option of a <select> as a user does (its change event). */
  const choose = (sel: string, value: string) =>
    page.evaluate(
      ([s, v]) => {
        const g = globalThis as unknown as PageGlobals;
        const el = g.document.querySelector(s!);
        el.value = v!;
        el.dispatchEvent(new g.Event("change"));
      },
      [sel, value],
    );
  const sent = () => page.evaluate(() => (globalThis as unknown as FakeHostWindow).__sent.splice(0), null);
  const send = (m: HostMessage) => page.evaluate((msg) => (globalThis as unknown as FakeHostWindow).postMessage(msg, "*"), m);
  async function waitForSent(type: WebviewMessage["type"]): Promise<WebviewMessage[]> {
    await page.waitForFunction((t) => (globalThis as unknown as FakeHostWindow).__sent.some((m) => m.type === t), type, { timeout: 5000 });
    return sent();
  }

  before(async () => {
    // Bundle the current source the way scripts/build.mjs does, so the test never runs a stale build.
    const { build } = await import("esbuild");
    await build({ entryPoints: [join(MEDIA, "src", "main.ts")], outfile: join(dir, "timeline.js"), bundle: true, platform: "browser", target: "es2022", format: "iife", logLevel: "warning" });
    // The page as VS Code would load it, with file: as the webview's resource origin, plus a
    // stand-in for VS Code's theme variables (a stylesheet, as the CSP allows).
    writeFileSync(
      join(dir, "theme.css"),
      `:root { --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-editor-background: #1f1f1f; --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px;
        --vscode-charts-blue: #3794ff; --vscode-charts-red: #f14c4c; --vscode-charts-orange: #d18616; --vscode-charts-purple: #b180d7; --vscode-charts-green: #89d185;
        --vscode-panel-border: #2b2b2b; --vscode-focusBorder: #0078d4; --vscode-button-background: #0078d4; --vscode-button-foreground: #fff;
        --vscode-button-secondaryBackground: #313131; --vscode-button-secondaryForeground: #ccc; --vscode-input-background: #313131; --vscode-list-hoverBackground: #2a2d2e;
        --vscode-editorHoverWidget-background: #202020; --vscode-editorHoverWidget-border: #454545; --vscode-textLink-foreground: #4daafc; --vscode-editorIndentGuide-background1: #303030; }`,
    );
    const html = panelHtml({ cspSource: "file:", nonce: "testnonce", scriptUri: pathToFileURL(join(dir, "timeline.js")).href, styleUri: pathToFileURL(join(MEDIA, "timeline.css")).href, allZones: ["Asia/Tokyo", "Europe/Amsterdam", "UTC"] }).replace(
      "</head>",
      `<link rel="stylesheet" href="${pathToFileURL(join(dir, "theme.css")).href}">\n</head>`,
    );
    writeFileSync(join(dir, "panel.html"), html);
    browser = await launchChromium();
    page = (await browser.newPage({ viewport: { width: 1100, height: 760 } })) as typeof page;
    page.on("console", (m) => {
      if ("type" in m && m.type?.() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.addInitScript(`
      window.__sent = [];
      window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__sent.push(m), getState: () => undefined, setState: () => {} });
      document.addEventListener("securitypolicyviolation", (e) => console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI));
    `);
    await page.goto(pathToFileURL(join(dir, "panel.html")).href);
  });

  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("says it is ready with its width; shows the timeline it is sent; no CSP violation, no error", async () => {
    const ready = (await waitForSent("ready")).find((m) => m.type === "ready");
    assert.ok(ready && ready.type === "ready" && ready.width > 900, JSON.stringify(ready));
    const fixtures = join(__dirname, "fixtures", "dstmod", "moduledefinition.xml");
    const { parseModuleDefinition } = await import("../../runtime/src/definition");
    const { tasksFromModuleDefinition } = await import("../../runtime/src/timeline");
    const tasks = tasksFromModuleDefinition(parseModuleDefinition(readFileSync(fixtures, "utf8"), { file: fixtures, moduleName: "dstmod" })).tasks;
    const t = computeTimeline(tasks, { from: Date.parse("2026-03-28T12:00:00+01:00"), hours: 24, maintenanceOffsetMinutes: 60, displayZone: "Europe/Amsterdam", localZone: "Europe/Amsterdam" });
    await send((timelineMessage = {
      type: "timeline",
      state: { tab: "schedule", hours: 24, zone: "Europe/Amsterdam", from: "2026-03-28T12:00" },
      svg: renderSvg(t, { interactive: true, width: ready.width }),
      heading: "Times in Europe/Amsterdam",
      summary: "9 tasks",
      notes: [{ kind: "parallel", text: "5 runs start at 06:00", taskId: "dstmod:export1" }],
      zones: [
        { value: "local", label: "Local (Europe/Amsterdam)" },
        { value: "UTC", label: "UTC" },
        { value: "Europe/Amsterdam", label: "Europe/Amsterdam" },
      ],
      followsNow: false,
      runCount: t.runs.length,
      durations: "none",
    }));
    await page.locator("#timeline svg .run").first().waitFor();
    assert.equal(await page.locator("#timeline svg .run[data-x]").count(), t.runs.length);
    assert.equal(await valueOf("#from-input"), "2026-03-28T12:00");
    assert.equal(await page.locator('[data-hours="24"]').getAttribute("aria-pressed"), "true");
    assert.equal(await page.locator("#timeline .run.parallel[data-x]").count(), 5);
    // Marks where the layout says: centre = plot left + x × plot width.
    const pos = await page.evaluate(() => {
      const document = (globalThis as unknown as { document: DomDocument }).document;
      const plot = document.querySelector("#timeline rect.plot")!.getBoundingClientRect();
      return [...document.querySelectorAll("#timeline rect.run[data-x]")].map((el) => {
        const b = el.getBoundingClientRect();
        return Math.abs(b.left + b.width / 2 - (plot.left + Number(el.getAttribute("data-x")) * plot.width));
      });
    }, null);
    assert.ok(pos.every((d) => d < 1), JSON.stringify(pos));
    await page.screenshot({ path: join(SHOTS_DIR, "webview-schedule.png") });
    assert.deepEqual(errors, []);
  });

  test("keyboard: Tab reaches a row, Enter reveals it, → walks its runs with a tooltip, Escape hides it", async () => {
    await sent();
    await page.locator('#timeline .row[data-task="dstmod:sixhourly"]').first().waitFor();
    await page.evaluate((s) => (globalThis as unknown as PageGlobals).document.querySelector(s).focus(), '#timeline .row[data-task="dstmod:sixhourly"]');
    await page.keyboard.press("Enter");
    assert.deepEqual(await sent(), [{ type: "reveal", taskId: "dstmod:sixhourly" }]);
    await page.keyboard.press("ArrowRight");
    const tip = page.locator("#tooltip");
    await tip.waitFor({ state: "visible" });
    assert.match(await tip.innerText(), /^dstmod:sixhourly\n2026-03-28T12:30:00\+01:00 \(Europe\/Amsterdam\)/);
    await page.keyboard.press("ArrowRight");
    assert.match(await tip.innerText(), /2026-03-28T18:30:00\+01:00/);
    // Roving focus: exactly one run of the row is in the tab order.
    assert.equal(await page.locator('#timeline .run[data-task="dstmod:sixhourly"][tabindex="0"]').count(), 1);
    await page.keyboard.press("End");
    assert.match(await tip.innerText(), /2026-03-29T12:30:00\+02:00/);
    await page.keyboard.press("Enter");
    assert.deepEqual(await sent(), [{ type: "reveal", taskId: "dstmod:sixhourly" }]);
    await page.keyboard.press("ArrowDown");
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } } }).document.activeElement.getAttribute("data-task"), null), "dstmod:maintenance");
    await page.keyboard.press("Escape");
    await tip.waitFor({ state: "hidden" });
    // Clicking a collision note reveals the task it names.
    await page.locator("#notes button", { hasText: "5 runs start at 06:00" }).click();
    assert.deepEqual(await sent(), [{ type: "reveal", taskId: "dstmod:export1" }]);
  });

  test("hover shows the details; the toolbar sends hours, zone (also one typed in) and start", async () => {
    await page.locator('#timeline .run[data-task="dstmod:nightly"]').hover();
    assert.match(await page.locator("#tooltip").innerText(), /^dstmod:nightly\n2026-03-29T03:00:00\+02:00 \(Europe\/Amsterdam\)\nAt 02:30 every day, Europe\/Amsterdam/);
    await page.locator('[data-hours="168"]').click();
    await choose("#zone-select", "UTC");
    await choose("#zone-select", "__other__");
    await page.locator("#zone-input").fill("Asia/Tokyo");
    await page.locator("#zone-input").press("Enter");
    await page.locator("#now-button").click();
    assert.deepEqual(await sent(), [
      { type: "setHours", hours: 168 },
      { type: "setZone", zone: "UTC" },
      { type: "setZone", zone: "Asia/Tokyo" },
      { type: "setFrom", from: null },
    ]);
    await send({ type: "error", field: "zone", message: "unknown time zone 'Asia/Tokio'" });
    await page.locator("#field-error", { hasText: "unknown time zone 'Asia/Tokio'" }).waitFor();
  });

  test("a task chosen from a CodeLens: its row is highlighted and focused, and stays highlighted across renders", async () => {
    await send({ ...(timelineMessage as Extract<HostMessage, { type: "timeline" }>), selectedTask: "dstmod:export3", focusSelected: true });
    await page.locator('#timeline .row.selected[data-task="dstmod:export3"]').waitFor({ state: "attached" });
    assert.equal(await page.locator("#timeline .run.selected[data-x]").count(), 1);
    const focused = () => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } } }).document.activeElement.getAttribute("data-task"), null);
    assert.equal(await focused(), "dstmod:export3");
    // A re-render (say, after a resize) keeps the highlight and the focus.
    await send({ ...(timelineMessage as Extract<HostMessage, { type: "timeline" }>), heading: "re-rendered", selectedTask: "dstmod:export3" });
    await page.locator("#heading", { hasText: "re-rendered" }).waitFor();
    assert.equal(await page.locator('#timeline .row.selected[data-task="dstmod:export3"]').count(), 1);
    assert.equal(await focused(), "dstmod:export3");
    await sent();
  });

  test("the Queue insights tab: arrow keys switch tabs; the snapshot shows; its buttons run allowed commands", async () => {
    await page.evaluate((s) => (globalThis as unknown as PageGlobals).document.querySelector(s).focus(), "#tab-schedule");
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.locator("#tab-insights").getAttribute("aria-selected"), "true");
    assert.equal(await page.locator("#panel-schedule").isVisible(), false);
    assert.deepEqual(await sent(), [{ type: "setTab", tab: "insights" }]);
    await send({ type: "insights", state: "no-runtime", html: renderInsightsUnavailable("no-runtime") });
    await page.locator("#insights button", { hasText: "Start Runtime" }).click();
    assert.deepEqual(await sent(), [{ type: "command", command: "modtasks.startRuntime" }]);
    const q = new QueueInsights();
    const now = Date.now();
    for (let i = 0; i < 40; i++) {
      q.record({ event: "queue-counts", at: now - (50 - i) * 60_000, counts: { pending: (i * 7) % 11, running: i % 4, retrying: i % 3, failed: Math.floor(i / 10) } });
      q.record({ event: "task-started", id: i, type: i % 3 ? "app:mail" : "app:report", at: now - (50 - i) * 60_000, runAt: now - (50 - i) * 60_000 - 2000 });
      q.record({ event: "task-finished", id: i, type: i % 3 ? "app:mail" : "app:report", state: i % 7 ? "finished" : "pending", outcome: i % 7 ? "completed" : null, at: now - (50 - i) * 60_000 + (i % 3 ? 1500 : 95_000) });
    }
    await send({ type: "insights", state: "ok", html: renderInsights(q.snapshot(now, { retries: [{ id: 7, type: "app:report", failures: 1, runAt: now + 120_000, lastError: "timeout" }] }), "Runtime pid 4242 on sqlite:.modtasks/tasks.db") });
    await page.locator("#insights .ins-chart").waitFor();
    assert.equal(await page.locator("#insights .ins-table").count(), 2);
    await page.screenshot({ path: join(SHOTS_DIR, "webview-insights.png") });
    assert.deepEqual(errors, []);
  });
});
