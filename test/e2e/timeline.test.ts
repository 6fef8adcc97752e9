/**
 * End to end, the schedule timeline (issue #9) in a real VS Code (code-server + Debian's Chromium,
 * the harness of test/e2e/lib): "modtasks: Show Schedule Timeline" on a workspace holding the
 * example module, the suite's module and a module whose Europe/Amsterdam tasks cross the DST
 * change (test/timeline/fixtures/dstmod). Reads the marks' positions from the webview's DOM and
 * checks them against instants written out by hand, checks the flagged collision, reveals
 * declarations by mouse and keyboard, and saves screenshots (test-results/e2e/timeline-*.png).
 *
 *   node test/run.mjs timeline            (the unit tests too)   MODTASKS_E2E_KEEP=1 keeps the temp folder
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CodeServer, cleanup, E2E_DIR, makeRunDir, prepareWorkspace, REPO_ROOT } from "./lib/code-server";
import { CHROMIUM_ARGS, loadPlaywright, type Browser, type Locator, type Page } from "./lib/playwright";
import { Workbench } from "./lib/workbench";

/** The members of a playwright Frame the suite uses (the webview lives in nested iframes). */
interface Frame {
  url(): string;
  locator(selector: string, o?: { hasText?: string | RegExp }): Locator;
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
}
type FramedPage = Page & { frames(): Frame[] };

/** DOM shapes read inside the webview (the repository typechecks without lib.dom). */
interface Box {
  left: number;
  width: number;
}
interface El {
  getBoundingClientRect(): Box;
  getAttribute(n: string): string | null;
  focus(): void;
  value: string;
  dispatchEvent(e: unknown): boolean;
}
interface Doc {
  querySelector(s: string): El | null;
  querySelectorAll(s: string): Iterable<El>;
}
type WebviewGlobals = { document: Doc; Event: new (type: string, init?: { bubbles?: boolean }) => unknown };

const controlOps = readFileSync(join(REPO_ROOT, "runtime", "src", "engine", "control-ops.ts"), "utf8");
const hasInsightsOp = /handle\(\s*["']insights["']/.test(controlOps);
const hasServer = existsSync(join(REPO_ROOT, "dist", "server", "server.js"));

let runDir: string;
let browser: Browser | undefined;
let server: CodeServer | undefined;
let page: FramedPage;
let wb: Workbench;
let ws: string;

const at = (iso: string) => Date.parse(iso);

/** The first instant ≥ from whose wall clock in `zone` reads hh:mm, found with Intl alone (not the cron engine). */
function nextWall(from: number, zone: string, hh: number, mm: number): number {
  const f = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  for (let t = Math.ceil(from / 60_000) * 60_000; t < from + 49 * 3_600_000; t += 60_000) {
    if (f.format(t) === `${String(hh).padStart(2, "0")}:${String(mm).padStart(2, "0")}`) return t;
  }
  throw new Error("no such wall time");
}

/** The timeline webview's frame (code-server nests it two iframes deep). */
async function timelineFrame(): Promise<Frame> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    for (const f of page.frames()) {
      const found = await f.evaluate(() => !!(globalThis as unknown as WebviewGlobals).document.querySelector("#timeline svg"), null).catch(() => false);
      if (found) return f;
    }
    if (Date.now() > deadline) throw new Error("the timeline webview did not appear");
    await page.locator(".webview").first().waitFor({ state: "attached", timeout: 1000 }).catch(() => {});
  }
}

/** Waits until the webview's heading says `text` (the host re-rendered). */
async function waitForHeading(frame: Frame, text: string): Promise<void> {
  await frame.locator("#heading", { hasText: text }).waitFor({ state: "visible", timeout: 20_000 });
}

/** Where each mark is drawn, as a fraction of the plot's width, read from the DOM. */
async function markPositions(frame: Frame): Promise<{ task: string; at: number; x: number; flags: string }[]> {
  return frame.evaluate(() => {
    const document = (globalThis as unknown as WebviewGlobals).document;
    const plot = document.querySelector("#timeline rect.plot")!.getBoundingClientRect();
    return [...document.querySelectorAll("#timeline rect.run[data-at]")].map((el) => {
      const b = el.getBoundingClientRect();
      return { task: el.getAttribute("data-task")!, at: Number(el.getAttribute("data-at")), x: (b.left + b.width / 2 - plot.left) / plot.width, flags: el.getAttribute("class")! };
    });
  }, null);
}

async function svgWindow(frame: Frame): Promise<{ from: number; to: number }> {
  return frame.evaluate(() => {
    const svg = (globalThis as unknown as WebviewGlobals).document.querySelector("#timeline svg")!;
    return { from: Number(svg.getAttribute("data-from")), to: Number(svg.getAttribute("data-to")) };
  }, null);
}

/** Sets a form control inside the webview as a user does (value + change event). */
async function setControl(frame: Frame, selector: string, value: string): Promise<void> {
  await frame.evaluate(
    ([sel, v]) => {
      const g = globalThis as unknown as WebviewGlobals;
      const el = g.document.querySelector(sel!)!;
      el.value = v!;
      el.dispatchEvent(new g.Event("change", { bubbles: true }));
    },
    [selector, value],
  );
}

/** The panel's script is a build output (scripts/build.mjs); the VSIX must not ship a missing or stale one. */
async function ensureWebviewBundle(): Promise<void> {
  const media = join(REPO_ROOT, "client", "media", "timeline");
  const out = join(media, "timeline.js");
  const newest = Math.max(...["main.ts"].map((f) => statSync(join(media, "src", f)).mtimeMs), statSync(join(REPO_ROOT, "client", "src", "timeline", "protocol.ts")).mtimeMs);
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return;
  const { build } = await import("esbuild");
  await build({ entryPoints: [join(media, "src", "main.ts")], outfile: out, bundle: true, platform: "browser", target: "es2022", format: "iife", sourcemap: true, logLevel: "warning" });
}

before(async () => {
  // @ts-expect-error: setup.mjs is plain JavaScript without declarations.
  const setup = (await import("./setup.mjs")) as { ensureE2eTools: () => { codeServer: string; chromium: string } };
  const tools = setup.ensureE2eTools();
  // @ts-expect-error: package-vsix.mjs is plain JavaScript without declarations.
  const pack = (await import("./package-vsix.mjs")) as { packageVsix: (out: string, o: { quiet: boolean }) => number };
  await ensureWebviewBundle();
  runDir = makeRunDir();
  const vsix = join(runDir, "modtasks.vsix");
  pack.packageVsix(vsix, { quiet: true });
  ws = prepareWorkspace(join(runDir, "timeline"));
  // The example's crontab runs every 15 minutes on this machine's clock: it would add a sixth run
  // to the five-run collision this suite places by hand. The crontab rows have tests of their own.
  rmSync(join(ws, "hello", "crontab"), { force: true });
  cpSync(join(REPO_ROOT, "test", "timeline", "fixtures", "dstmod"), join(ws, "dstmod"), { recursive: true });
  cpSync(join(REPO_ROOT, "test", "timeline", "fixtures", "app"), join(ws, "app"), { recursive: true });
  const { chromium } = loadPlaywright(E2E_DIR);
  browser = await chromium.launch({ executablePath: tools.chromium, headless: true, args: CHROMIUM_ARGS });
  server = await CodeServer.start({ entry: tools.codeServer, vsix, dir: runDir, workspaceTrust: false, name: "cs-timeline" });
  page = (await browser.newPage({ viewport: { width: 1500, height: 950 } })) as FramedPage;
  page.setDefaultTimeout(30_000);
  wb = new Workbench(page, "timeline");
  await wb.open(server.url(ws));
});

after(async () => {
  await page?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.stop();
  if (runDir) cleanup(runDir);
});

describe("e2e: the schedule timeline", { timeout: 600_000 }, () => {
  let frame: Frame;

  it("opens from the palette for the workspace's modules: every task a row, marks where their instants are", async () => {
    await wb.runCommand("modtasks: Show Schedule Timeline");
    await page.locator(".tab.active", { hasText: "Schedule Timeline" }).first().waitFor({ state: "visible" });
    frame = await timelineFrame();
    const rows = await frame.evaluate(() => [...(globalThis as unknown as WebviewGlobals).document.querySelectorAll("#timeline .row")].map((r) => r.getAttribute("data-task")), null);
    for (const t of ["e2emod:nightly", "dstmod:nightly", "dstmod:sixhourly", "dstmod:maintenance", "dstmod:export1", "dstmod:export5"]) assert.ok(rows.includes(t), `row ${t} in ${rows.join(", ")}`);
    // The example module's own <task>s, if it declares any, are rows too.
    const hello = readFileSync(join(REPO_ROOT, "examples", "hello", "moduledefinition.xml"), "utf8");
    for (const m of hello.matchAll(/<task\s[^>]*tag="([^"]+)"/g)) assert.ok(rows.includes(`hello:${m[1]}`), `row hello:${m[1]}`);

    // Following the real clock: e2emod:nightly ("0 3 * * *", Europe/Amsterdam) runs at the next 03:00 there.
    const win = await svgWindow(frame);
    assert.equal(win.to - win.from, 24 * 3_600_000);
    const marks = await markPositions(frame);
    const nightly = marks.filter((m) => m.task === "e2emod:nightly");
    assert.deepEqual(
      nightly.map((m) => m.at),
      [nextWall(win.from, "Europe/Amsterdam", 3, 0)],
    );
    for (const m of marks) assert.ok(Math.abs(m.x - (m.at - win.from) / (win.to - win.from)) < 0.002, `${m.task} at ${new Date(m.at).toISOString()} drawn at ${m.x}`);
    await wb.screenshot("now-24h");
  });

  it("a start and zone with a DST change inside: the gap run, the DST mark and the collision at their positions", async () => {
    await setControl(frame, "#zone-select", "Europe/Amsterdam");
    await waitForHeading(frame, "Times in Europe/Amsterdam");
    await setControl(frame, "#from-input", "2027-03-27T12:00");
    await waitForHeading(frame, "2027-03-27T12:00:00+01:00 → 2027-03-28T13:00:00+02:00");
    const win = await svgWindow(frame);
    assert.equal(win.from, at("2027-03-27T11:00:00Z"));
    const H = 3_600_000;
    // Written out by hand: the instant of each run, and its place on the 24-hour axis.
    const expected: [string, string][] = [
      ["dstmod:sixhourly", "2027-03-27T11:30:00Z"], // 12:30+01:00
      ["dstmod:sixhourly", "2027-03-27T17:30:00Z"], // 18:30+01:00
      ["dstmod:sixhourly", "2027-03-27T23:30:00Z"], // 00:30+01:00
      ["dstmod:nightly", "2027-03-28T01:00:00Z"], // 02:30 does not exist: 03:00+02:00
      ["e2emod:nightly", "2027-03-28T01:00:00Z"], // 03:00+02:00
      ["dstmod:maintenance", "2027-03-28T01:45:00Z"], // 00:45 on the maintenance clock (offset 60)
      ["dstmod:export1", "2027-03-28T04:00:00Z"], // 06:00+02:00
      ["dstmod:export2", "2027-03-28T04:00:00Z"],
      ["dstmod:export3", "2027-03-28T04:00:00Z"],
      ["dstmod:export4", "2027-03-28T04:00:00Z"], // 04:00 UTC
      ["dstmod:export5", "2027-03-28T04:00:00Z"],
      ["dstmod:sixhourly", "2027-03-28T04:30:00Z"], // 06:30+02:00
      ["dstmod:sixhourly", "2027-03-28T10:30:00Z"], // 12:30+02:00
    ];
    const marks = await markPositions(frame);
    for (const [task, iso] of expected) {
      const m = marks.find((k) => k.task === task && k.at === at(iso));
      assert.ok(m, `a mark for ${task} at ${iso}`);
      assert.ok(Math.abs(m.x - (at(iso) - win.from) / (24 * H)) < 0.002, `${task} at ${iso}: drawn at ${m.x}`);
    }
    assert.equal(marks.filter((m) => m.task.startsWith("dstmod:") || m.task === "e2emod:nightly").length, expected.length);

    // The DST change: one mark, Europe/Amsterdam, at 01:00 UTC = 14/24 of the axis.
    const dst = await frame.evaluate(() => {
      const document = (globalThis as unknown as WebviewGlobals).document;
      const plot = document.querySelector("#timeline rect.plot")!.getBoundingClientRect();
      return [...document.querySelectorAll("#timeline g.dst")].map((g) => {
        const line = (g as unknown as { querySelector(s: string): El }).querySelector("line").getBoundingClientRect();
        return { zone: g.getAttribute("data-zone"), at: Number(g.getAttribute("data-at")), x: (line.left + line.width / 2 - plot.left) / plot.width };
      });
    }, null);
    assert.deepEqual(
      dst.map((d) => [d.zone, d.at]),
      [["Europe/Amsterdam", at("2027-03-28T01:00:00Z")]],
    );
    assert.ok(Math.abs(dst[0]!.x - 14 / 24) < 0.002, `DST line at ${dst[0]!.x}`);

    // The collision: five runs in one minute (limit 4) are flagged, with a band and a note.
    const flagged = marks.filter((m) => m.flags.split(" ").includes("parallel"));
    assert.deepEqual([...new Set(flagged.map((m) => m.at))], [at("2027-03-28T04:00:00Z")]);
    assert.equal(flagged.length, 5);
    assert.equal(await frame.locator("#timeline .collision-band").count(), 1);
    await frame.locator("#notes li.parallel", { hasText: "5 runs start at 06:00, more than the 4 the runtime starts at once" }).waitFor({ state: "visible" });
    await frame.locator("#notes li.dst", { hasText: "Europe/Amsterdam: +01:00 → +02:00" }).waitFor({ state: "visible" });
    // Hover: the details of a run.
    await frame.locator('#timeline .run[data-task="dstmod:nightly"]').hover();
    const tip = frame.locator("#tooltip");
    await tip.waitFor({ state: "visible" });
    assert.match(await tip.innerText(), /^dstmod:nightly\n2027-03-28T03:00:00\+02:00 \(Europe\/Amsterdam\)/);
    await wb.screenshot("dst-collision");
  });

  it("7 days: the daily task runs seven times, each at its place", async () => {
    await frame.locator('[data-hours="168"]').click();
    await waitForHeading(frame, "→ 2027-04-03T13:00:00+02:00");
    const win = await svgWindow(frame);
    const runs = (await markPositions(frame)).filter((m) => m.task === "dstmod:export1");
    // 06:00 in Amsterdam, 28 March to 3 April (all after the change: +02:00).
    assert.deepEqual(
      runs.map((m) => new Date(m.at).toISOString()),
      ["28", "29", "30", "31"].map((d) => `2027-03-${d}T04:00:00.000Z`).concat(["01", "02", "03"].map((d) => `2027-04-${d}T04:00:00.000Z`)),
    );
    for (const m of runs) assert.ok(Math.abs(m.x - (m.at - win.from) / (win.to - win.from)) < 0.002);
    await wb.screenshot("dst-7-days");
    await frame.locator('[data-hours="24"]').click();
    await waitForHeading(frame, "→ 2027-03-28T13:00:00+02:00");
  });

  it("clicking a task reveals its declaration; so does Enter on a focused row", async () => {
    await frame.locator('#timeline .row[data-task="dstmod:nightly"]').click();
    // The element name of the first <task> (line 6 of the fixture) is selected.
    await page.locator(".statusbar-item", { hasText: /Ln 6, Col 10 \(4 selected\)/ }).first().waitFor({ state: "visible" });
    await page.locator(".tab.active", { hasText: "moduledefinition.xml" }).first().waitFor({ state: "visible" });
    await wb.screenshot("revealed-by-click");
    // Back in the panel, by keyboard: focus export3's row and press Enter.
    await frame.evaluate(() => (globalThis as unknown as WebviewGlobals).document.querySelector('#timeline .row[data-task="dstmod:export3"]')!.focus(), null);
    await page.keyboard.press("Enter");
    await page.locator(".statusbar-item", { hasText: /Ln 11, Col 10 \(4 selected\)/ }).first().waitFor({ state: "visible" });
  });

  it("the language server's “next: …” CodeLens on a <task> opens the timeline on that task", { skip: hasServer ? false : "the language server bundle is not built" }, async () => {
    // dstmod's moduledefinition.xml is open beside the panel (revealed above); its third <task> is "maintenance".
    await page.locator(".tab.active", { hasText: "moduledefinition.xml" }).first().waitFor({ state: "visible" });
    const lens = page.locator(".monaco-editor .codelens-decoration a", { hasText: /^next: / }).nth(2);
    await lens.waitFor({ state: "visible", timeout: 60_000 });
    await lens.click();
    frame = await timelineFrame();
    await frame.locator('#timeline .row.selected[data-task="dstmod:maintenance"]').waitFor({ state: "attached" });
    // Its row has the focus, so Enter goes straight back to the declaration.
    assert.equal(await frame.evaluate(() => (globalThis as unknown as { document: { activeElement: El } }).document.activeElement.getAttribute("data-task"), null), "dstmod:maintenance");
    await wb.screenshot("from-codelens");
  });

  it("Queue insights: without a runtime it says so and offers to start one", async (t) => {
    await frame.locator("#tab-insights").click();
    await frame.locator("#insights", { hasText: "none is running for this workspace" }).waitFor({ state: "visible" });
    await frame.locator("#insights button", { hasText: "Start Runtime" }).waitFor({ state: "visible" });
    await wb.screenshot("insights-no-runtime");
    if (!hasInsightsOp) {
      t.todo("the runtime has no `insights` control op yet: the live chart is checked once it is wired (see runtime/src/timeline/README.md)");
      return;
    }
    await frame.locator("#insights button", { hasText: "Start Runtime" }).click();
    await frame.locator("#insights .ins-chart").waitFor({ state: "visible", timeout: 90_000 });
    // Counts at once: the runtime samples at start and the op answers with the counts of now.
    await frame.locator("#insights .ins-now b").first().waitFor({ state: "visible" });
    assert.equal(await frame.locator("#insights", { hasText: "No queue counts yet" }).count(), 0);
    assert.match(await frame.locator("#insights .ins-legend").innerText(), /queued.*running.*failed/s);
    await wb.screenshot("insights-live");

    // A task queued from outside (a terminal): the tab follows the runtime's events, no click here.
    const queued = spawnSync(process.execPath, [join(REPO_ROOT, "runtime", "bin", "modtasks.js"), "schedule", "e2emod:slow", '{"seconds": 0}'], { cwd: ws, encoding: "utf8" });
    assert.equal(queued.status, 0, queued.stderr);
    const row = frame.locator("#insights .ins-table:has(caption) tbody tr", { hasText: "e2emod:slow" });
    await row.waitFor({ state: "visible", timeout: 60_000 });
    assert.match(await row.innerText(), /^e2emod:slow\s+1\s+0\s/);
    // The chart, the throughput and the table come from one snapshot: they agree on the runs.
    const seen = await frame.evaluate(() => {
      const document = (globalThis as unknown as WebviewGlobals).document;
      const minutes = [...document.querySelectorAll("#insights .ins-chart .ins-minute")].map((g) => Number(g.getAttribute("data-finished")));
      // The per-type table is the one with a caption (the next retries' table has none).
      const perType = [...document.querySelectorAll("#insights .ins-table:has(caption) tbody tr td:first-of-type")].map((td) => Number((td as unknown as { textContent: string }).textContent));
      return { chart: minutes.reduce((a, b) => a + b, 0), table: perType.reduce((a, b) => a + b, 0) };
    }, null);
    assert.ok(seen.chart >= 1, "the chart shows the runs that ended");
    assert.equal(seen.chart, seen.table);
    const finished = frame.locator("#insights .ins-stats div", { hasText: /^finished/ });
    assert.equal(Number(await finished.locator("dd").innerText()), seen.chart);
    for (const series of ["queued", "running", "failed"]) assert.ok((await frame.locator(`#insights .ins-chart [data-series="${series}"]`).count()) >= 1, `${series} is drawn`);
    await wb.screenshot("insights-after-a-task");
  });
});
