/**
 * The background pool's default size (Prudence: 2 × cores + 1) as `modtasks status --json`
 * reports it. Uses the build (dist/): run `npm run build` first.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { Runtime } from "../../runtime/src/engine/runtime";
import { tempDir } from "../helpers/tmp";

const PMOD = join(__dirname, "..", "fixtures", "prudence", "pmod");
const CLI = join(__dirname, "..", "..", "runtime", "bin", "modtasks.js");

describe("background pool size", { timeout: 60_000 }, () => {
  let rt: Runtime;
  let dir: { path: string; cleanup: () => void };
  let db: string;
  before(async () => {
    dir = tempDir("mtpool");
    db = join(dir.path, "tasks.db");
    rt = await Runtime.start({ db: { kind: "sqlite", path: db }, moduleDirs: [PMOD], workers: 1, watch: false, log: () => {} });
  });
  after(async () => {
    await rt.stop();
    dir.cleanup();
  });

  it("defaults to 2 × cores + 1, shown by `modtasks status --json`", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, "status", "--json", "--db", `sqlite:${db}`], { env: { ...process.env, MODTASKS_SOCKET: "" } });
    const status = JSON.parse(stdout) as { runtime: boolean; background: { workers: number } };
    assert.equal(status.runtime, true);
    assert.equal(status.background.workers, 2 * cpus().length + 1);
  });
});
