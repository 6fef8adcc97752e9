import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { defaultStateDir, resolveMaintenanceOffset } from "../../runtime/src/cron";

const root = mkdtempSync(join(tmpdir(), "modtasks-cron-maint-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `state-${n++}`);

describe("resolveMaintenanceOffset", () => {
  test("an explicit override wins over WEBHARE_MAINTENANCE_OFFSET, which wins over the stored value", () => {
    const stateDir = freshDir();
    assert.deepEqual(resolveMaintenanceOffset({ env: { WEBHARE_MAINTENANCE_OFFSET: "83" }, override: 5, stateDir }), {
      offsetMinutes: 5,
      source: "override",
      envNote: "WEBHARE_MAINTENANCE_OFFSET=83 is overridden by the explicit offset 5",
    });
    assert.deepEqual(resolveMaintenanceOffset({ env: { WEBHARE_MAINTENANCE_OFFSET: "83" }, override: 83, stateDir }), { offsetMinutes: 83, source: "override" });
    assert.deepEqual(resolveMaintenanceOffset({ env: { WEBHARE_MAINTENANCE_OFFSET: "83" }, stateDir }), { offsetMinutes: 83, source: "env" });
    assert.deepEqual(resolveMaintenanceOffset({ env: { WEBHARE_MAINTENANCE_OFFSET: "0" }, stateDir }), { offsetMinutes: 0, source: "env" });
    assert.deepEqual(resolveMaintenanceOffset({ env: { WEBHARE_MAINTENANCE_OFFSET: "1439" }, stateDir }), { offsetMinutes: 1439, source: "env" });
    // An invalid override (out of range, not an integer) is no override.
    assert.deepEqual(resolveMaintenanceOffset({ env: { WEBHARE_MAINTENANCE_OFFSET: "83" }, override: 1440, stateDir }), { offsetMinutes: 83, source: "env" });
    // Out of range or not an integer: not used, and said so (then the override).
    for (const bad of ["1440", "-5", "12.5", "abc"]) {
      assert.deepEqual(
        resolveMaintenanceOffset({ env: { WEBHARE_MAINTENANCE_OFFSET: bad }, override: 7, stateDir }),
        { offsetMinutes: 7, source: "override", envNote: `WEBHARE_MAINTENANCE_OFFSET='${bad}' is ignored: it must be a whole number of minutes from 0 to 1439` },
        bad,
      );
    }
    // Empty counts as unset: nothing to say.
    assert.deepEqual(resolveMaintenanceOffset({ env: { WEBHARE_MAINTENANCE_OFFSET: "" }, override: 7, stateDir }), { offsetMinutes: 7, source: "override" });
    assert.equal(existsSync(stateDir), false, "env and override never touch the state dir");
  });

  test("an invalid WEBHARE_MAINTENANCE_OFFSET falls back to the stored value, with a note", () => {
    const stateDir = freshDir();
    const stored = resolveMaintenanceOffset({ env: {}, stateDir });
    const r = resolveMaintenanceOffset({ env: { WEBHARE_MAINTENANCE_OFFSET: "90m" }, stateDir });
    assert.equal(r.offsetMinutes, stored.offsetMinutes);
    assert.equal(r.source, "stored");
    assert.equal(r.envNote, "WEBHARE_MAINTENANCE_OFFSET='90m' is ignored: it must be a whole number of minutes from 0 to 1439");
  });

  test("creates a random 1..240 once, stores it, and reads it back", () => {
    const stateDir = freshDir();
    const first = resolveMaintenanceOffset({ env: {}, stateDir });
    assert.equal(first.source, "created");
    assert.equal(first.file, join(stateDir, "maintenance-offset"));
    assert.ok(first.offsetMinutes >= 1 && first.offsetMinutes <= 240);
    assert.equal(readFileSync(first.file!, "utf8"), `${first.offsetMinutes}\n`);
    const second = resolveMaintenanceOffset({ env: {}, stateDir });
    assert.deepEqual(second, { offsetMinutes: first.offsetMinutes, source: "stored", file: first.file });
    // No temp files left behind.
    assert.deepEqual(readdirSync(stateDir), ["maintenance-offset"]);
  });

  test("a hand-edited value in [0,1440) is used; a corrupt file is replaced", () => {
    const stateDir = freshDir();
    resolveMaintenanceOffset({ env: {}, stateDir });
    const file = join(stateDir, "maintenance-offset");
    writeFileSync(file, " 1000 \n");
    assert.deepEqual(resolveMaintenanceOffset({ env: {}, stateDir }), { offsetMinutes: 1000, source: "stored", file });
    writeFileSync(file, "garbage");
    const repaired = resolveMaintenanceOffset({ env: {}, stateDir });
    assert.equal(repaired.source, "created");
    assert.equal(readFileSync(file, "utf8"), `${repaired.offsetMinutes}\n`);
    assert.deepEqual(readdirSync(stateDir), ["maintenance-offset"]);
  });

  test("create: false never writes", () => {
    const stateDir = freshDir();
    const r = resolveMaintenanceOffset({ env: {}, stateDir, create: false });
    assert.equal(r.source, "created");
    assert.equal(r.file, undefined);
    assert.equal(existsSync(stateDir), false);
  });

  test("never throws: an unwritable state dir gives a value without a file", { skip: process.getuid?.() === 0 ? "root can write anywhere" : false }, () => {
    const parent = freshDir();
    resolveMaintenanceOffset({ env: {}, stateDir: parent });
    chmodSync(parent, 0o500);
    try {
      const r = resolveMaintenanceOffset({ env: {}, stateDir: join(parent, "sub") });
      assert.equal(r.source, "created");
      assert.equal(r.file, undefined);
      assert.ok(r.offsetMinutes >= 1 && r.offsetMinutes <= 240);
    } finally {
      chmodSync(parent, 0o700);
    }
  });

  test("never throws: a file where the state dir should be gives a value without a file", () => {
    const blocker = join(root, `blocker-${n++}`);
    writeFileSync(blocker, "x");
    assert.equal(resolveMaintenanceOffset({ env: {}, stateDir: join(blocker, "state") }).file, undefined);
  });

  test("racing creators agree on one value", async () => {
    // Twelve processes released together (each says it is ready, then spins until the go file
    // appears), so their reads and creates really interleave rather than run one after another.
    const stateDir = freshDir();
    const go = join(stateDir, "..", `go-${n++}`);
    const { spawn } = await import("node:child_process");
    const script = `const { existsSync } = require("node:fs"); const { resolveMaintenanceOffset } = require(${JSON.stringify(join(process.cwd(), "runtime/src/cron/maintenance.ts"))}); process.stdout.write("ready\\n"); const until = Date.now() + 30000; while (!existsSync(${JSON.stringify(go)}) && Date.now() < until); process.stdout.write("value " + resolveMaintenanceOffset({ env: {}, stateDir: ${JSON.stringify(stateDir)} }).offsetMinutes + "\\n");`;
    let ready = 0;
    let release!: () => void;
    const allReady = new Promise<void>((r) => (release = r));
    const count = 12;
    const runs = Array.from({ length: count }, () =>
      new Promise<string>((resolve, reject) => {
        const p = spawn(process.execPath, ["--import", "tsx", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        let saidReady = false;
        p.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (!saidReady && out.includes("ready\n")) {
            saidReady = true;
            if (++ready === count) release();
          }
        });
        p.on("error", reject);
        p.on("close", () => resolve(/value (\d+)/.exec(out)?.[1] ?? `no value (${out.trim()})`));
      }),
    );
    await allReady;
    writeFileSync(go, "");
    const results = await Promise.all(runs);
    assert.equal(new Set(results).size, 1, `values: ${results.join(", ")}`);
    assert.equal(readFileSync(join(stateDir, "maintenance-offset"), "utf8").trim(), results[0]);
  });

  test("default state dir: MODTASKS_STATE_DIR, XDG_STATE_HOME/modtasks, ~/.local/state/modtasks", () => {
    assert.equal(defaultStateDir({ MODTASKS_STATE_DIR: "/a", XDG_STATE_HOME: "/b", HOME: "/h" }), "/a");
    assert.equal(defaultStateDir({ XDG_STATE_HOME: "/b", HOME: "/h" }), "/b/modtasks");
    assert.equal(defaultStateDir({ HOME: "/h" }), "/h/.local/state/modtasks");
    const stateDir = freshDir();
    const r = resolveMaintenanceOffset({ env: { MODTASKS_STATE_DIR: stateDir } });
    assert.equal(r.file, join(stateDir, "maintenance-offset"));
  });
});
