/**
 * `modtasks timeline`: the text output on a fixture with a DST night, the maintenance zone, a
 * collision and a crontab; `--json`; `--svg` writes a standalone picture with every run, which
 * headless Chromium renders (screenshot under test-results/timeline/), marks where the layout
 * puts them.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CliError } from "../../runtime/src/cli/command";
import { run } from "../../runtime/src/cli/timeline";
import { openStore } from "../../runtime/src/queue/open-store";
import type { Browser } from "../e2e/lib/playwright";
import { launchChromium, SHOTS_DIR, type DomDocument } from "./chromium";

const FIXTURES = join(__dirname, "fixtures");
const tmp = mkdtempSync(join(tmpdir(), "modtasks-timeline-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const FIXED = ["--from", "2026-03-28T12:00:00+01:00", "--tz", "Europe/Amsterdam", "--crontab-tz", "UTC"];

/**
 * Runs the command in-process with a fixed maintenance offset, a state dir of its own and no
 * MODTASKS_DB (the task database is found by the rule, or named with --db), at a fixed now.
 */
async function cli(args: string[], now = "2026-03-28T11:00:00Z"): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { o: process.env.WEBHARE_MAINTENANCE_OFFSET, s: process.env.MODTASKS_STATE_DIR, d: process.env.MODTASKS_DB };
  process.env.WEBHARE_MAINTENANCE_OFFSET = "60";
  process.env.MODTASKS_STATE_DIR = tmp;
  delete process.env.MODTASKS_DB;
  try {
    const code = await run(args, { out: (t) => out.push(t), err: (t) => err.push(t) }, () => Date.parse(now));
    return { code, out: out.join(""), err: err.join("") };
  } catch (e) {
    if (e instanceof CliError) return { code: e.exitCode, out: out.join(""), err: `${err.join("")}${e.message}\n` };
    throw e;
  } finally {
    for (const [k, v] of [["WEBHARE_MAINTENANCE_OFFSET", saved.o], ["MODTASKS_STATE_DIR", saved.s], ["MODTASKS_DB", saved.d]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const EXPECTED_TEXT = `Schedule 2026-03-28T12:00:00+01:00 → 2026-03-29T13:00:00+02:00 (24 h), times in Europe/Amsterdam
10 tasks, 13 runs, 1 DST change, 1 minute over the parallel limit of 4
maintenance zone: offset 60 min (its clock runs 1 h behind UTC)

2026-03-28T12:30:00+01:00  dstmod:sixhourly              Europe/Amsterdam         2026-03-28T12:30:00+01:00
2026-03-28T13:00:00+01:00  app/crontab:2 /tasks/report/  UTC                      2026-03-28T12:00:00+00:00
2026-03-28T18:30:00+01:00  dstmod:sixhourly              Europe/Amsterdam         2026-03-28T18:30:00+01:00
2026-03-29T00:30:00+01:00  dstmod:sixhourly              Europe/Amsterdam         2026-03-29T00:30:00+01:00
2026-03-29T03:00:00+02:00  ~~ DST Europe/Amsterdam: +01:00 → +02:00, clocks go forward 1 h (02:00 → 03:00)
2026-03-29T03:00:00+02:00  dstmod:nightly                Europe/Amsterdam         2026-03-29T03:00:00+02:00
2026-03-29T03:45:00+02:00  dstmod:maintenance            maintenance (UTC-01:00)  2026-03-29T00:45:00-01:00
2026-03-29T06:00:00+02:00  dstmod:export1                Europe/Amsterdam         2026-03-29T06:00:00+02:00  [parallel: 5 runs this minute, limit 4]
2026-03-29T06:00:00+02:00  dstmod:export2                Europe/Amsterdam         2026-03-29T06:00:00+02:00  [parallel: 5 runs this minute, limit 4]
2026-03-29T06:00:00+02:00  dstmod:export3                Europe/Amsterdam         2026-03-29T06:00:00+02:00  [parallel: 5 runs this minute, limit 4]
2026-03-29T06:00:00+02:00  dstmod:export4                UTC                      2026-03-29T04:00:00+00:00  [parallel: 5 runs this minute, limit 4]
2026-03-29T06:00:00+02:00  dstmod:export5                Europe/Amsterdam         2026-03-29T06:00:00+02:00  [parallel: 5 runs this minute, limit 4]
2026-03-29T06:30:00+02:00  dstmod:sixhourly              Europe/Amsterdam         2026-03-29T06:30:00+02:00
2026-03-29T12:30:00+02:00  dstmod:sixhourly              Europe/Amsterdam         2026-03-29T12:30:00+02:00

dstmod:bystartup: no schedule: runs only at startup or by hand
`;

describe("modtasks timeline (text)", () => {
  test("one line per run, sorted, in the display zone, with the task's zone and time, DST and collisions", async () => {
    const r = await cli([FIXTURES, ...FIXED]);
    assert.equal(r.err, "");
    assert.equal(r.code, 0);
    assert.equal(r.out, EXPECTED_TEXT);
  });

  test("--duration flags runs that overlap their previous run; --parallel changes the limit", async () => {
    const r = await cli([FIXTURES, ...FIXED, "--duration", "dstmod:sixhourly=400", "--parallel", "5"]);
    assert.equal(r.code, 0);
    assert.match(r.out, /10 tasks, 13 runs, 1 DST change, no minute over the parallel limit of 5, 5 runs overlapping the previous run/);
    assert.match(r.out, /2026-03-28T18:30:00\+01:00  dstmod:sixhourly .* \[overlaps its previous run: the last one took 6 h 40 min\]/);
  });

  test("--hours 168 and the default display zone and start (the injected clock)", async () => {
    const r = await cli([join(FIXTURES, "dstmod"), "--hours", "168", "--tz", "UTC"]);
    assert.equal(r.code, 0);
    const lines = r.out.split("\n");
    assert.equal(lines[0], "Schedule 2026-03-28T11:00:00+00:00 → 2026-04-04T11:00:00+00:00 (7 days), times in UTC");
    // 7 × (nightly, maintenance, 5 exports) + 29 six-hourly runs (Saturday noon to Saturday noon + 1 h).
    assert.match(lines[1]!, /^9 tasks, 78 runs, 1 DST change, 7 minutes over the parallel limit of 4$/);
  });

  test("--json: the layout", async () => {
    const r = await cli([FIXTURES, ...FIXED, "--json"]);
    const j = JSON.parse(r.out) as { runs: { display: string; flags: string[] }[]; dstMarks: { zone: string }[]; collisions: { kind: string }[]; displayZone: { name: string } };
    assert.equal(j.runs.length, 13);
    assert.deepEqual(j.dstMarks.map((m) => m.zone), ["Europe/Amsterdam"]);
    assert.deepEqual(j.collisions.map((c) => c.kind), ["parallel"]);
    assert.equal(j.displayZone.name, "Europe/Amsterdam");
  });

  test("the default start is now to the minute, as in the VS Code panel", async () => {
    const r = await cli([join(FIXTURES, "dstmod"), "--tz", "UTC"], "2026-03-28T11:22:06.663Z");
    assert.equal(r.code, 0);
    assert.equal(r.out.split("\n")[0], "Schedule 2026-03-28T11:22:00+00:00 → 2026-03-29T11:22:00+00:00 (24 h), times in UTC");
  });

  test("usage errors exit 2 with the reason", async () => {
    assert.deepEqual(await cli([FIXTURES, "--tz", "Mars/Base"]).then((r) => [r.code, /unknown time zone 'Mars\/Base'/.test(r.err)]), [2, true]);
    assert.deepEqual(await cli([FIXTURES, "--hours", "0"]).then((r) => [r.code, r.err]), [2, "option '--hours' needs a whole number 1-744, got '0'\n"]);
    assert.deepEqual(await cli([FIXTURES, "--from", "tomorrow"]).then((r) => r.code), 2);
    assert.deepEqual(await cli([join(FIXTURES, "nope")]).then((r) => [r.code, r.err]), [2, `no such folder: ${join(FIXTURES, "nope")}\n`]);
    assert.deepEqual(await cli([tmp]).then((r) => [r.code, r.err]), [2, `no moduledefinition.xml or crontab file under ${tmp}\n`]);
    assert.deepEqual(await cli([FIXTURES, "--db", "mysql://x"]).then((r) => r.code), 2);
    assert.deepEqual(await cli([FIXTURES, "--db", "sqlite:x.db", "--no-db"]).then((r) => r.code), 2);
  });
});

describe("modtasks timeline: last durations from the task database", () => {
  /** A copy of the fixtures with a task database where `modtasks run` would put it (beside the one module). */
  const ws = join(tmp, "ws");
  const dbFile = join(ws, "dstmod", ".modtasks", "tasks.db");
  const elsewhere = join(tmp, "other.db");
  const at = (iso: string) => Date.parse(iso);

  before(async () => {
    cpSync(FIXTURES, ws, { recursive: true });
    mkdirSync(join(ws, "dstmod", ".modtasks"));
    // The scheduler's own table (migrated by openStore): sixhourly's last run took 6 h 40 min;
    // nightly runs now (a start after its last end: nothing learned).
    for (const [file, rows] of [
      [dbFile, [["dstmod:sixhourly", at("2026-03-27T18:30:00Z"), at("2026-03-28T01:10:00Z")], ["dstmod:nightly", at("2026-03-28T02:00:00Z"), at("2026-03-27T02:30:00Z")]]],
      [elsewhere, [["dstmod:sixhourly", at("2026-03-27T18:30:00Z"), at("2026-03-27T18:35:00Z")]]],
    ] as const) {
      const store = await openStore({ kind: "sqlite", path: file });
      await store.transaction(async (tx) => {
        for (const [name, start, end] of rows) await tx.execute("INSERT INTO modtasks_timed (name, schedule, last_start, last_end) VALUES ($1, $2, $3, $4)", [name, "x", start, end]);
      });
      await store.close();
    }
  });

  test("found as `modtasks run` finds it (beside the modules): runs that overlap their previous one are flagged", async () => {
    const r = await cli([ws, ...FIXED]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, `note: last durations of 1 scheduled task(s) from sqlite:${dbFile}\n`);
    assert.match(r.out, /5 runs overlapping the previous run/);
    assert.match(r.out, /2026-03-28T18:30:00\+01:00  dstmod:sixhourly .* \[overlaps its previous run: the last one took 6 h 40 min\]/);
  });

  test("--db names another database; --duration wins over it; --no-db reads none", async () => {
    const other = await cli([ws, ...FIXED, "--db", `sqlite:${elsewhere}`]);
    assert.equal(other.err, `note: last durations of 1 scheduled task(s) from sqlite:${elsewhere}\n`);
    assert.doesNotMatch(other.out, /overlap/, "5 minutes do not reach the next run");
    const explicit = await cli([ws, ...FIXED, "--duration", "dstmod:sixhourly=1"]);
    assert.equal(explicit.err, `note: last durations of 0 scheduled task(s) from sqlite:${dbFile}\n`);
    assert.doesNotMatch(explicit.out, /overlap/);
    const none = await cli([ws, ...FIXED, "--no-db"]);
    assert.equal(none.err, "");
    assert.doesNotMatch(none.out, /overlap/);
  });

  test("no database where the rule looks: nothing is read and nothing is created; a --db that cannot be read exits 1", async () => {
    const r = await cli([FIXTURES, ...FIXED]);
    assert.deepEqual([r.code, r.err], [0, ""]);
    assert.equal(existsSync(join(FIXTURES, "dstmod", ".modtasks")), false);
    const missing = join(tmp, "missing.db");
    const bad = await cli([ws, ...FIXED, "--db", missing]);
    assert.deepEqual([bad.code, bad.err], [1, `cannot read last durations from sqlite:${missing}: no task database at ${missing}\n`]);
    assert.equal(existsSync(missing), false);
  });
});

describe("modtasks timeline --svg", () => {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  for (const hours of [24, 168]) {
    test(`${hours} h: every run is a mark with its tooltip; Chromium renders it (screenshot)`, async () => {
      const file = join(tmp, `timeline-${hours}.svg`);
      const r = await cli([FIXTURES, ...FIXED, "--hours", String(hours), "--svg", file, "--json"]);
      assert.equal(r.code, 0);
      const layout = JSON.parse(r.out) as { runs: { row: number; taskId: string; display: string; local: string; x: number }[]; rows: { name: string; zoneLabel: string }[] };
      const svg = readFileSync(file, "utf8");
      // Standalone: its own style, no external resources, no scripts.
      assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.match(svg, /<style>/);
      assert.doesNotMatch(svg, /https?:\/\/(?!www\.w3\.org\/2000\/svg)|<script|xlink:href|<image/);
      const marks = new Map([...svg.matchAll(/<rect class="run[^"]*" [^>]*data-task="([^"]+)" data-at="(\d+)"[^>]*><title>([^<]*)<\/title><\/rect>/g)].map((m) => [`${m[1]}@${m[2]}`, m[3]!]));
      assert.equal(marks.size, layout.runs.length);
      assert.equal(marks.size, hours === 24 ? 13 : 85);
      for (const run of layout.runs) {
        const title = marks.get(`${run.taskId}@${Date.parse(run.display)}`);
        assert.ok(title !== undefined, `a mark for ${run.taskId} at ${run.display}`);
        // The tooltip: task, exact time in the display zone, and in the task's own zone.
        assert.ok(title.startsWith(`${layout.rows[run.row]!.name}\n${run.display} (Europe/Amsterdam)`), title);
        if (run.local !== run.display) assert.ok(title.includes(run.local), title);
      }
      assert.equal((svg.match(/class="run parallel"[^>]*data-x/g) ?? []).length, hours === 24 ? 5 : 35);
      assert.match(svg, /<g class="dst" data-at="1774746000000"/);

      const size = /width="(\d+)" height="(\d+)"/.exec(svg)!;
      const page = await browser!.newPage({ viewport: { width: Number(size[1]), height: Number(size[2]) } });
      try {
        await page.goto(`file://${file}`);
        const rendered = await page.evaluate(() => {
          const document = (globalThis as unknown as { document: DomDocument }).document;
          const plot = document.querySelector("rect.plot")!.getBoundingClientRect();
          const runs = [...document.querySelectorAll("rect.run[data-x]")].map((el) => {
            const b = el.getBoundingClientRect();
            return { x: Number(el.getAttribute("data-x")), center: b.left + b.width / 2, w: b.width, h: b.height };
          });
          const labels = [...document.querySelectorAll("text.row-name")].map((t) => t.getBoundingClientRect().width);
          return { plot: { left: plot.left, width: plot.width }, runs, labels };
        }, null);
        assert.equal(rendered.runs.length, layout.runs.length);
        for (const m of rendered.runs) {
          assert.ok(m.w > 0 && m.h > 0);
          assert.ok(Math.abs(m.center - (rendered.plot.left + m.x * rendered.plot.width)) < 1, `mark at ${m.center}, expected ${rendered.plot.left + m.x * rendered.plot.width}`);
        }
        assert.ok(rendered.labels.every((w) => w > 10), "row names are rendered");
        const shot = join(SHOTS_DIR, `cli-timeline-${hours}h.png`);
        await page.screenshot({ path: shot });
        assert.ok(existsSync(shot) && statSync(shot).size > 10_000);
      } finally {
        await page.close();
      }
    });
  }
});
