import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { defaultDb } from "../../runtime/src/config/default-db";
import { findModules, loadModules } from "../../runtime/src/engine/modules";

/**
 * Another tool's moduledefinition.xml (Nexacro's) at a repository's root, a WebHare module
 * below it: discovery passes over the foreign file and finds the module, so the runtime, the
 * default database location and the editor agree on one module.
 */
const root = mkdtempSync(join(tmpdir(), "mt-foreign-"));
after(() => rmSync(root, { recursive: true, force: true }));
const NEXACRO = `<?xml version="1.0" encoding="utf-8"?>\n<ModuleDefinition version="2.3">\n  <Modules><Module url="CompBase.json"/></Modules>\n</ModuleDefinition>\n`;
const MODULE = `<module xmlns="http://www.webhare.net/xmlns/system/moduledefinition"><servicemanager><managedtask type="t" objectname="t.ts#T"/></servicemanager></module>`;

describe("discovery and another tool's moduledefinition.xml", () => {
  writeFileSync(join(root, "moduledefinition.xml"), NEXACRO);
  mkdirSync(join(root, "webhare", "mymod"), { recursive: true });
  writeFileSync(join(root, "webhare", "mymod", "moduledefinition.xml"), MODULE);
  writeFileSync(join(root, "webhare", "mymod", "t.ts"), "export class T {}\n");

  it("the foreign file is no module, and its folder is searched for modules", () => {
    assert.deepEqual(findModules([root]).map((m) => m.name), ["mymod"]);
  });

  it("the runtime loads the one module", async () => {
    const loaded = await loadModules([root]);
    assert.deepEqual(loaded.modules.map((m) => m.name), ["mymod"]);
    assert.deepEqual(loaded.types.map((t) => t.name), ["mymod:t"]);
  });

  it("the default database sits beside the module, not at the foreign file", () => {
    const env = { ...process.env };
    delete env.MODTASKS_DB;
    assert.deepEqual(defaultDb(root, undefined, env), { kind: "sqlite", path: join(root, "webhare", "mymod", ".modtasks", "tasks.db") });
  });

  it("a broken WebHare module (a misspelt root) is still a module, so its error is reported", () => {
    const dir = join(root, "broken");
    mkdirSync(dir);
    writeFileSync(join(dir, "moduledefinition.xml"), `<modul xmlns="http://www.webhare.net/xmlns/system/moduledefinition"/>`);
    assert.deepEqual(findModules([dir]).map((m) => m.name), ["broken"]);
  });
});
