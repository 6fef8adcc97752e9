/** Code tasks (only when the runtime allows them) and crontab.system programs with their options. */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openRuntime, type RuntimeHandle } from "../../runtime/src/api/runtime-handle";
import { parseSystemCrontab } from "../../runtime/src/crontab/parse";
import { Runtime } from "../../runtime/src/engine/runtime";
import { runSystemCommand } from "../../runtime/src/prudence/system-command";
import { tempDir } from "../helpers/tmp";

const PMOD = join(__dirname, "..", "fixtures", "prudence", "pmod");

describe("code tasks in a runtime that allows them", { timeout: 60_000 }, () => {
  let rt: Runtime;
  let api: RuntimeHandle;
  let dir: { path: string; cleanup: () => void };
  before(async () => {
    dir = tempDir("mtcode");
    const db = join(dir.path, "tasks.db");
    rt = await Runtime.start({ db: { kind: "sqlite", path: db }, moduleDirs: [PMOD], allowCodeTasks: true, backgroundWorkers: 1, log: () => {} });
    api = await openRuntime({ db: `sqlite:${db}` });
  });
  after(async () => {
    await api.close();
    await rt.stop();
    dir.cleanup();
  });

  it("runs literal source code as a program, with document.context", async () => {
    const out = join(dir.path, "code.txt");
    const code = `import { writeFileSync } from "node:fs";\ndeclare const document: { context: { out: string; n: number } };\nwriteFileSync(document.context.out, String(document.context.n * 2));\n`;
    const h = await api.codeTask({ module: "pmod", code, context: { out, n: 21 } });
    assert.equal(await h.result(20_000), null);
    assert.equal(readFileSync(out, "utf8"), "42");
  });
});

describe("crontab.system programs", () => {
  let dir: { path: string; cleanup: () => void };
  before(() => {
    dir = tempDir("mtsys");
    mkdirSync(join(dir.path, "work"));
  });
  after(() => dir.cleanup());

  it("start with ENV: variables, in DIR:, with OUT: appended to a file", async () => {
    const { entries, findings } = parseSystemCrontab(`0 5 * * * ENV:GREETING=hello DIR:work "OUT:log file.txt" sh -c "echo $GREETING from $(basename $(pwd))"\n`);
    assert.deepEqual(findings, []);
    const r1 = await runSystemCommand(entries[0]!, dir.path, process.env);
    const r2 = await runSystemCommand(entries[0]!, dir.path, process.env);
    assert.deepEqual([r1.ok, r2.ok], [true, true]);
    assert.equal(readFileSync(join(dir.path, "log file.txt"), "utf8"), "hello from work\nhello from work\n");
  });

  it("report a program that fails or cannot start", async () => {
    const { entries } = parseSystemCrontab(`* * * * * sh -c "exit 4"\n* * * * * /nonexistent/program\n`);
    assert.deepEqual(await runSystemCommand(entries[0]!, dir.path, process.env), { ok: false, error: "exited with code 4" });
    assert.match((await runSystemCommand(entries[1]!, dir.path, process.env)).error ?? "", /cannot start '\/nonexistent\/program'/);
  });
});
