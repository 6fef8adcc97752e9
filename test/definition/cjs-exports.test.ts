/**
 * CommonJS task code: `module.exports = { C, fn }`, `module.exports = Name`, `module.exports =
 * class …`, `exports.X = X`. The checker must see these exports (no false `export-not-found`,
 * which would also make the runtime register the declaration as unrunnable), and the runtime's
 * workers must really run them: the same module is checked, then run by a real runtime.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkModuleDefinition, memoryFs, nodeFs, parseModuleDefinition, scanFile } from "../../runtime/src/definition";
import { openRuntime, type RuntimeHandle } from "../../runtime/src/api/runtime-handle";
import { Runtime } from "../../runtime/src/engine/runtime";
import { tempDir } from "../helpers/tmp";

const NS = `xmlns="http://www.webhare.net/xmlns/system/moduledefinition"`;

/** A module whose task code is CommonJS in every common shape. */
const FILES: Record<string, string> = {
  "lib/cjs.js": `const { ManagedTaskBase: Base } = require("modtasks");
class C extends Base {
  async runTask(data) { this.resolveByCompletion({ c: data.n + 1 }); }
}
module.exports = {
  C,
  fn: async (req) => req.resolveByCompletion({ fn: true }),
  async method(req) { return req.resolveByCompletion({ method: true }); },
  "Quoted": class extends Base { async runTask() { this.resolveByCompletion({ quoted: true }); } },
  value: 42,
};
`,
  "lib/name.js": `const { ManagedTaskBase } = require("modtasks");
class MyTask extends ManagedTaskBase {
  async runTask() { this.resolveByCompletion({ my: true }); }
}
module.exports = MyTask
`,
  "lib/anon.cjs": `const { ManagedTaskBase } = require("modtasks");
module.exports = class Named extends ManagedTaskBase {
  async runTask() { this.resolveByCompletion({ named: true }); }
};
`,
  "lib/fn.js": `module.exports = async function run(req) { return req.resolveByCompletion({ run: true }); };\n`,
  "lib/props.js": `function go(req) { return req.resolveByCompletion({ go: true }); }\nexports.go = go;\nexports["also"] = async (req) => req.resolveByCompletion({ also: true });\n`,
  "lib/spread.js": `module.exports = { ...require("./fn.js"), extra: 1 };\n`,
};

const DEFINITION = `<?xml version="1.0" encoding="UTF-8"?>
<module ${NS}>
  <servicemanager>
    <managedtask type="shorthand" objectname="lib/cjs.js#C" />
    <ephemeraltask type="arrow" taskrunner="lib/cjs.js#fn" />
    <ephemeraltask type="method" taskrunner="lib/cjs.js#method" />
    <managedtask type="quoted" objectname="lib/cjs.js#Quoted" />
    <managedtask type="byname" objectname="lib/name.js#MyTask" />
    <managedtask type="bydefault" objectname="lib/name.js#default" />
    <managedtask type="classexpr" objectname="lib/anon.cjs#Named" />
    <ephemeraltask type="function" taskrunner="lib/fn.js#run" />
    <ephemeraltask type="props" taskrunner="lib/props.js#go" />
    <ephemeraltask type="bracket" taskrunner="lib/props.js#also" />
  </servicemanager>
</module>
`;

describe("CommonJS exports in the checker", () => {
  it("reads shorthand, key: value, methods, class and function values, module.exports = Name / class", () => {
    const kinds = (file: string) => scanFile(FILES[file]!, "javascript").exports.map((e) => [e.name, e.kind, e.extends ?? null]);
    assert.deepEqual(kinds("lib/cjs.js"), [
      ["fn", "function", null],
      ["method", "function", null],
      ["Quoted", "class", "Base"],
      ["value", "const", null],
      ["C", "class", "Base"],
    ]);
    assert.deepEqual(kinds("lib/name.js"), [
      ["default", "class", "ManagedTaskBase"],
      ["MyTask", "class", "ManagedTaskBase"],
    ]);
    assert.deepEqual(kinds("lib/anon.cjs"), [
      ["default", "class", "ManagedTaskBase"],
      ["Named", "class", "ManagedTaskBase"],
    ]);
    assert.deepEqual(kinds("lib/fn.js"), [
      ["default", "function", null],
      ["run", "function", null],
    ]);
    assert.deepEqual(kinds("lib/props.js"), [
      ["also", "function", null],
      ["go", "function", null],
    ]);
    assert.equal(scanFile(FILES["lib/spread.js"]!, "javascript").opaque, true);
  });

  it("gives no false export errors; a missing name is still an error; a spread makes it unverified", () => {
    const extra = `<module ${NS}><servicemanager>
  <ephemeraltask type="missing" taskrunner="lib/cjs.js#nope" />
  <managedtask type="value" objectname="lib/cjs.js#value" />
  <ephemeraltask type="spread" taskrunner="lib/spread.js#run" />
  <ephemeraltask type="spreadown" taskrunner="lib/spread.js#extra" />
</servicemanager></module>`;
    const fs = memoryFs(Object.fromEntries(Object.entries(FILES).map(([k, v]) => [`/ws/cjsmod/${k}`, v])));
    const clean = checkModuleDefinition(parseModuleDefinition(DEFINITION, { file: "/ws/cjsmod/moduledefinition.xml" }), { fs });
    assert.deepEqual(clean, []);
    const other = checkModuleDefinition(parseModuleDefinition(extra, { file: "/ws/cjsmod/moduledefinition.xml" }), { fs });
    const at = (f: { span: { start: number; end: number } }) => extra.slice(f.span.start, f.span.end);
    assert.deepEqual(
      other.map((f) => [f.code, f.severity, at(f)]),
      [
        ["export-not-found", "error", "nope"],
        ["export-not-task-class", "error", "value"],
        ["target-unverified", "info", "run"],
        ["target-unverified", "info", "extra"],
      ],
    );
  });
});

describe("CommonJS task code in a real runtime", { timeout: 90_000 }, () => {
  const tmp = tempDir("mtcjs");
  const mod = join(tmp.path, "cjsmod");
  let rt: Runtime;
  let api: RuntimeHandle;
  const logs: string[] = [];

  before(async () => {
    mkdirSync(join(mod, "lib"), { recursive: true });
    writeFileSync(join(mod, "moduledefinition.xml"), DEFINITION);
    for (const [file, text] of Object.entries(FILES)) writeFileSync(join(mod, file), text);
    const db = join(tmp.path, "tasks.db");
    rt = await Runtime.start({ db: { kind: "sqlite", path: db }, moduleDirs: [mod], workers: 1, watch: false, log: (level, text) => logs.push(`${level}: ${text}`) });
    api = await openRuntime({ db: `sqlite:${db}`, modules: [mod] });
  });
  after(async () => {
    await api?.close();
    await rt?.stop();
    tmp.cleanup();
  });

  it("loads the module as runnable: the checker finds nothing", () => {
    assert.deepEqual(checkModuleDefinition(parseModuleDefinition(DEFINITION, { file: join(mod, "moduledefinition.xml") }), { fs: nodeFs }), []);
  });

  it("runs every form: classes by name, by default and from object members; functions from members, properties and module.exports", async () => {
    const managed: [string, unknown, unknown][] = [
      ["cjsmod:shorthand", { n: 1 }, { c: 2 }],
      ["cjsmod:quoted", {}, { quoted: true }],
      ["cjsmod:byname", {}, { my: true }],
      ["cjsmod:bydefault", {}, { my: true }],
      ["cjsmod:classexpr", {}, { named: true }],
    ];
    const ids = await api.transaction(async (tx) => Promise.all(managed.map(([type, data]) => tx.scheduleManagedTask(type, data))));
    for (const [i, [type, , expected]] of managed.entries()) {
      const id = ids[i]!;
      assert.deepEqual(await api.retrieveTaskResult(id, { timeout: 30_000, acceptTempFailure: true }), expected, `${type}: ${(await api.describeTask(id))?.lastError ?? ""} ${logs.join("\n")}`);
    }
    const ephemeral: [string, unknown][] = [
      ["cjsmod:arrow", { fn: true }],
      ["cjsmod:method", { method: true }],
      ["cjsmod:function", { run: true }],
      ["cjsmod:props", { go: true }],
      ["cjsmod:bracket", { also: true }],
    ];
    for (const [type, expected] of ephemeral) assert.deepEqual(await api.scheduleEphemeralTask(type, {}), expected, type);
  });
});
