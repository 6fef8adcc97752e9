import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { dbArgument, defaultDbLocation, describeDbLocation, parseDbSetting, socketFor, workspaceDb } from "../../client/src/db-location";
import { defaultDb } from "../../runtime/src/config/default-db";
import { controlSocketPath } from "../../runtime/src/control/protocol";
import { parseDbUrl } from "../../runtime/src/queue/open-store";

const root = mkdtempSync(join(tmpdir(), "mt-dbloc-"));
after(() => rmSync(root, { recursive: true, force: true }));

function layout(name: string, files: string[]): string {
  const dir = join(root, name);
  for (const f of files) {
    mkdirSync(join(dir, f, ".."), { recursive: true });
    writeFileSync(join(dir, f), f.endsWith(".xml") ? "<module/>" : "");
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe("db location: the same answer as the runtime", () => {
  const env = { ...process.env };
  delete env.MODTASKS_DB;
  const saved = process.env.MODTASKS_DB;
  delete process.env.MODTASKS_DB;
  after(() => {
    if (saved !== undefined) process.env.MODTASKS_DB = saved;
  });

  const cases: [string, string[], string?][] = [
    ["one module at the root", ["moduledefinition.xml"]],
    ["two modules below", ["a/moduledefinition.xml", "b/moduledefinition.xml"]],
    ["an existing database", ["a/moduledefinition.xml", "data/.modtasks/tasks.db"], "data"],
    ["nothing", ["readme.txt"]],
    ["modules in node_modules are not the workspace's", ["node_modules/x/moduledefinition.xml", "m/moduledefinition.xml"]],
  ];
  for (const [name, files, cwdSub] of cases) {
    it(name, () => {
      const dir = layout(name.replace(/\W+/g, "-"), files);
      const cwd = cwdSub ? join(dir, cwdSub) : dir;
      assert.deepEqual(defaultDbLocation(cwd, env), defaultDb(cwd));
    });
  }

  it("parses settings as --db does", () => {
    for (const v of ["sqlite:rel/x.db", "sqlite:///abs/x.db", "/abs/y.db", "postgres://u:p@h/db", "postgresql://h/db", "sqlite::memory:"]) {
      assert.deepEqual(parseDbSetting(v, "/w"), parseDbUrl(v, "/w"), v);
    }
    assert.throws(() => parseDbSetting("mysql://x", "/w"), /unsupported database URL/);
    assert.throws(() => parseDbSetting("  ", "/w"), /empty/);
  });

  it("socket path, --db argument and description", () => {
    const db = workspaceDb("/w", "sqlite:x.db");
    assert.equal(socketFor(db), controlSocketPath({ kind: "sqlite", path: "/w/x.db" }, "local"));
    assert.equal(socketFor(db), "/w/x.db.sock");
    // Two databases in one folder: a socket (so a runtime) each.
    assert.equal(socketFor(workspaceDb("/w", "sqlite:y.db")), "/w/y.db.sock");
    // Too long for a socket address: a hashed name in the temp folder, the same for everyone.
    const deep = workspaceDb("/w", `sqlite:${"d/".repeat(60)}x.db`);
    assert.match(socketFor(deep), /modtasks-[0-9a-f]{16}\.sock$/);
    assert.equal(socketFor(deep), controlSocketPath(deep));
    assert.equal(dbArgument(db), "sqlite:/w/x.db");
    assert.equal(describeDbLocation({ kind: "postgres", url: "postgres://u:secret@h/db" }), "postgres://u:***@h/db");
    assert.equal(dbArgument(workspaceDb("/w", "postgres://h/db")), "postgres://h/db");
  });
});
