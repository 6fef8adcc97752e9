/**
 * The maintenance zone in a cluster: without WEBHARE_MAINTENANCE_OFFSET or --maintenance-offset,
 * a runtime uses the offset stored in its database (the first node's), not its own machine's,
 * so every node computes the same next times.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Runtime } from "../../runtime/src/engine/runtime";
import { TimedStore } from "../../runtime/src/scheduler/timed-store";
import { tempDir } from "../helpers/tmp";
import { FakeClock } from "./fake-clock";

const MMOD = join(__dirname, "..", "fixtures", "scheduler", "mmod");
const MIN = 60_000;

describe("the maintenance offset of a database", { timeout: 60_000 }, () => {
  let dir: { path: string; cleanup: () => void };
  const saved = { state: process.env.MODTASKS_STATE_DIR, env: process.env.WEBHARE_MAINTENANCE_OFFSET };
  before(() => {
    dir = tempDir("mtmaint");
    delete process.env.WEBHARE_MAINTENANCE_OFFSET;
  });
  after(() => {
    for (const [k, v] of [["MODTASKS_STATE_DIR", saved.state], ["WEBHARE_MAINTENANCE_OFFSET", saved.env]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    dir.cleanup();
  });

  /** A machine whose per-installation offset file holds `offset`. */
  function machine(name: string, offset: number): string {
    const state = join(dir.path, name);
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, "maintenance-offset"), `${offset}\n`);
    return state;
  }

  it("is the first node's offset for every later node without an explicit one", async () => {
    const db = join(dir.path, "tasks.db");
    const clock = new FakeClock(Date.parse("2026-06-01T12:00:00Z"));
    const nextOnMachine = async (state: string): Promise<number | null> => {
      process.env.MODTASKS_STATE_DIR = state;
      const rt = await Runtime.start({ db: { kind: "sqlite", path: db }, moduleDirs: [MMOD], workers: 1, watch: false, noControlSocket: true, clock, log: () => {} });
      try {
        return (await new TimedStore(rt.store).get("mmod:nightly"))!.next;
      } finally {
        await rt.stop();
      }
    };
    // 00:45 in the maintenance zone is 00:45 + offset UTC.
    assert.equal(await nextOnMachine(machine("a", 83)), Date.parse("2026-06-02T00:45:00Z") + 83 * MIN);
    assert.equal(await nextOnMachine(machine("b", 200)), Date.parse("2026-06-02T00:45:00Z") + 83 * MIN, "machine b follows the database");
  });
});
