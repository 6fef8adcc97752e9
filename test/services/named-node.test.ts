/**
 * Backend services of a PostgreSQL node that is not called "local" (`modtasks run --node-name
 * web1`): clients on the same machine that know only the database find that node (by asking the
 * control sockets on this machine), or the node MODTASKS_NODE / --node-name names. Clients run
 * as separate processes without the MODTASKS_SOCKET / MODTASKS_SERVICE_DIR a runtime gives its
 * children: they are application code and shell users.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Runtime } from "../../runtime/src/engine/runtime";
import { freshPgDatabase } from "../helpers/pg";
import { listening, REPO, SVCMOD, waitForStatus } from "./harness";

const MAIN = join(REPO, "runtime", "src", "cli", "main.ts");

describe("services of a named PostgreSQL node", { timeout: 120_000 }, () => {
  let pg: { url: string; drop: () => Promise<void> };
  let rt: Runtime;
  before(async () => {
    pg = await freshPgDatabase();
    rt = await Runtime.start({ db: { kind: "postgres", url: pg.url }, moduleDirs: [SVCMOD], nodeName: "web1", workers: 1, watch: false });
    await waitForStatus(rt.services!, listening("svcmod:counter"));
  });
  after(async () => {
    await rt?.stop();
    await pg?.drop();
  });

  function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env = { ...process.env, ...extra };
    for (const k of ["MODTASKS_SOCKET", "MODTASKS_SERVICE_DIR", "MODTASKS_NODE", "MODTASKS_DB"]) if (!(k in extra)) delete env[k];
    return env;
  }

  function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, ["--import", "tsx", ...args], { cwd: REPO, env }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout, err: stderr });
      });
    });
  }
  const cli = (args: string[], env = cleanEnv()) => run([MAIN, ...args], env);

  /** Application code: openBackendService with only MODTASKS_DB (and maybe MODTASKS_NODE) set. */
  const client = (env: NodeJS.ProcessEnv) =>
    run(
      [
        "--eval",
        `const { openBackendService } = require(${JSON.stringify(join(REPO, "runtime", "src", "api", "index.ts"))});
         openBackendService("svcmod:greeter", ["Hi"], { timeout: 20000 })
           .then(async (g) => { console.log(await g.greet("web1")); g.close(); })
           .catch((e) => { console.log("ERROR " + e.message); });`,
      ],
      env,
    );

  it("`modtasks services --db URL` lists the services of this machine's node, whatever its name", async () => {
    const r = await cli(["services", "--json", "--db", pg.url]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { runtime: boolean; services: { name: string; state: string }[] };
    assert.equal(j.runtime, true);
    assert.equal(j.services.find((s) => s.name === "svcmod:counter")?.state, "running");
  });

  it("`modtasks call --db URL` calls the node's service", async () => {
    const r = await cli(["call", "svcmod:counter", "add", "2", "40", "--db", pg.url]);
    assert.deepEqual([r.code, r.out, r.err], [0, "42\n", ""]);
  });

  it("openBackendService finds the node from MODTASKS_DB alone, and starts an on-demand service there", async () => {
    const r = await client(cleanEnv({ MODTASKS_DB: pg.url }));
    assert.equal(r.out.trim(), "Hi, web1!", r.err);
  });

  it("MODTASKS_NODE and --node-name pick the node by name", async () => {
    assert.equal((await client(cleanEnv({ MODTASKS_DB: pg.url, MODTASKS_NODE: "web1" }))).out.trim(), "Hi, web1!");
    const other = await cli(["call", "svcmod:counter", "add", "1", "1", "--db", pg.url, "--node-name", "web2", "--timeout", "200", "--not-on-demand"]);
    assert.deepEqual([other.code, other.err], [1, "modtasks call: Service 'svcmod:counter' is unavailable\n"]);
  });
});
