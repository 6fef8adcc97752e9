import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { checkModuleDefinition, memoryFs, nodeFs, parseModuleDefinition, resolveTarget, scanExports } from "../../runtime/src/definition";
import { assertFindings, fixtures } from "./helpers";

const NS = `xmlns="http://www.webhare.net/xmlns/system/moduledefinition"`;

describe("cross-file checks on a real tree", () => {
  const file = join(fixtures, "targets", "mymod", "moduledefinition.xml");
  const text = readFileSync(file, "utf8");
  const def = parseModuleDefinition(text, { file });
  const findings = checkModuleDefinition(def, { fs: nodeFs });

  it("reports missing files, escapes, wrong exports and HareScript, at the path or export", () => {
    const hs = "HareScript tasks need a WebHare server";
    assertFindings(text, findings, [
      { code: "target-not-found", severity: "error", at: "4:33-4:51", text: "scripts/missing.ts", message: "Unable to find 'scripts/missing.ts'" },
      { code: "target-outside-module", severity: "error", at: "5:32-5:56", text: "../othermod/scripts/x.ts" },
      { code: "harescript-needs-webhare", severity: "info", at: "6:28-6:48", text: "scripts/legacy.whscr", message: hs },
      { code: "export-not-task-class", severity: "error", at: "10:57-10:65", text: "NotATask", message: "does not extend ManagedTaskBase" },
      { code: "export-not-task-class", severity: "error", at: "11:60-11:65", text: "runIt", message: `for a function use taskrunner="lib/tasks.ts#runIt"` },
      { code: "export-not-found", severity: "error", at: "12:55-12:62", text: "GodTask", message: "did you mean 'GoodTask'?" },
      { code: "target-unverified", severity: "info", at: "14:63-14:79", text: "ExternalBaseTask", message: "'Something' (from 'some-package')" },
      { code: "export-not-function", severity: "error", at: "17:64-17:72", text: "GoodTask" },
      { code: "target-syntax", severity: "error", at: "18:46-18:58", text: "lib/tasks.ts", message: "objectname must name an export" },
      { code: "harescript-needs-webhare", severity: "info", at: "19:43-19:58", text: "lib/tasks.whlib" },
      { code: "harescript-needs-webhare", severity: "info", at: "20:46-20:61", text: "lib/tasks.whlib" },
      { code: "export-not-task-class", severity: "error", at: "20:62-20:73", text: "NotATaskObj", message: "Objecttype 'NotATaskObj' does not extend from ManagedTaskBase" },
      { code: "harescript-needs-webhare", severity: "info", at: "21:50-21:65", text: "lib/tasks.whlib" },
      { code: "export-not-found", severity: "error", at: "21:66-21:70", text: "Nope", message: "Object 'Nope' not found in 'lib/tasks.whlib'" },
      { code: "module-not-in-workspace", severity: "info", at: "24:44-24:67", text: "mod::absentmod/lib/x.ts" },
      // The export name is written with an entity: the range still covers exactly its source text.
      { code: "export-not-found", severity: "error", at: "25:61-25:73", text: "G&#111;dTask", message: "'GodTask'" },
    ]);
  });

  it("resolves targets for go-to-definition", () => {
    const cross = def.queuedTasks.find((d) => d.type === "cross")!;
    const r = resolveTarget(def, cross.objectname!, { fs: nodeFs });
    assert.ok(r.ok);
    assert.equal(r.file, join(fixtures, "targets", "othermod", "lib", "shared.ts"));
    const rooted = def.queuedTasks.find((d) => d.type === "rooted")!;
    assert.equal(rooted.objectname!.path, "lib/tasks.ts");
  });

  it("checks paths for form without file access", () => {
    const noFs = checkModuleDefinition(def);
    assert.deepEqual(
      noFs.map((f) => f.code),
      ["target-outside-module", "target-syntax"],
    );
  });
});

describe("cross-file checks through an in-memory file system (as the language server feeds buffers)", () => {
  const text = `<module ${NS}><servicemanager>
  <managedtask type="a" objectname="lib/a.ts#A" />
  <ephemeraltask type="b" taskrunner="lib/a.ts#b" />
  <task tag="c" script="scripts/c.ts" />
</servicemanager></module>`;
  const def = parseModuleDefinition(text, { file: "/ws/mymod/moduledefinition.xml" });

  it("is clean when the buffers define what is declared", () => {
    const fs = memoryFs({
      "/ws/mymod/lib/a.ts": `import { ManagedTaskBase as Base } from "modtasks";\nexport class A extends Base {}\nexport function b() {}`,
      "/ws/mymod/scripts/c.ts": ``,
    });
    assert.deepEqual(checkModuleDefinition(def, { fs }), []);
  });

  it("follows a base class to another file, and re-exports", () => {
    const fs = memoryFs({
      "/ws/mymod/lib/a.ts": `export { A } from "./impl.js";\nexport { run as b } from "./impl.js";`,
      "/ws/mymod/lib/impl.ts": `import { Base } from "./base";\nexport class A extends Base {}\nexport const run = async (r: unknown) => r;`,
      "/ws/mymod/lib/base.ts": `import { ManagedTaskBase } from "modtasks";\nexport abstract class Base extends ManagedTaskBase {}`,
      "/ws/mymod/scripts/c.ts": ``,
    });
    assert.deepEqual(checkModuleDefinition(def, { fs }), []);
  });

  it("reports a base class chain that never reaches ManagedTaskBase", () => {
    const fs = memoryFs({
      "/ws/mymod/lib/a.ts": `class Base {}\nexport class A extends Base {}\nexport const b = 42;`,
      "/ws/mymod/scripts/c.ts": ``,
    });
    assertFindings(text, checkModuleDefinition(def, { fs }), [
      { code: "export-not-task-class", at: "2:46-2:47", text: "A" },
      { code: "target-unverified", severity: "info", at: "3:48-3:49", text: "b", message: "Cannot tell whether 'b' is a function" },
    ]);
  });
});

describe("paths that leave the module", () => {
  const dir = mkdtempSync(join(tmpdir(), "modtasks-targets-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("catches a symbolic link that points out of the module", () => {
    mkdirSync(join(dir, "mymod", "lib"), { recursive: true });
    mkdirSync(join(dir, "outside"), { recursive: true });
    writeFileSync(join(dir, "outside", "evil.ts"), "export function run() {}");
    symlinkSync(join(dir, "outside", "evil.ts"), join(dir, "mymod", "lib", "link.ts"));
    const text = `<module ${NS}><servicemanager><ephemeraltask type="x" taskrunner="lib/link.ts#run" /><task tag="y" script="C:/win/x.ts" /></servicemanager></module>`;
    const file = join(dir, "mymod", "moduledefinition.xml");
    writeFileSync(file, text);
    const findings = checkModuleDefinition(parseModuleDefinition(text, { file }), { fs: nodeFs });
    assertFindings(text, findings, [
      { code: "target-outside-module", at: `1:${text.indexOf("lib/link.ts") + 1}-1:${text.indexOf("lib/link.ts") + 12}`, text: "lib/link.ts", message: "symbolic link" },
      { code: "target-outside-module", at: `1:${text.indexOf("C:/") + 1}-1:${text.indexOf("C:/") + 12}`, text: "C:/win/x.ts", message: "absolute path" },
    ]);
  });
});

describe("scanExports", () => {
  it("finds classes with their base, functions, arrow functions, values, and export lists", () => {
    const src = [
      `import { ManagedTaskBase } from "modtasks";`,
      `export class A extends ManagedTaskBase<{ x: number }> {}`,
      `export default class extends ns.Base {}`,
      `export abstract class B<T> extends A {}`,
      `export async function run(req: unknown): Promise<void> {}`,
      `export function* gen() {}`,
      `export const arrow = (a: number): number => a;`,
      `export const typed: (r: unknown) => void = (r) => {};`,
      `export const single = x => x;`,
      `export const value = { a: 1 };`,
      `export let counter = 0;`,
      `export enum Color { Red }`,
      `export interface I { a: string }`,
      `export type T = string;`,
      `class Hidden extends ManagedTaskBase {}`,
      `function helper() {}`,
      `export { Hidden as Visible, helper };`,
      `export { Other } from "./other";`,
      `export * from "./all";`,
      `export type { I as J };`,
    ].join("\n");
    const got = scanExports(src, "typescript").map((e) => [e.name, e.kind, e.extends ?? "", e.from ?? ""]);
    assert.deepEqual(got, [
      ["A", "class", "ManagedTaskBase", ""],
      ["default", "class", "ns.Base", ""],
      ["B", "class", "A", ""],
      ["run", "function", "", ""],
      ["gen", "function", "", ""],
      ["arrow", "function", "", ""],
      ["typed", "function", "", ""],
      ["single", "function", "", ""],
      ["value", "const", "", ""],
      ["counter", "const", "", ""],
      ["Color", "const", "", ""],
      ["Other", "reexport", "", "./other"],
      ["*", "reexport", "", "./all"],
      ["Visible", "class", "ManagedTaskBase", ""],
      ["helper", "function", "", ""],
    ]);
  });

  it("gives the span of the exported name", () => {
    const src = `export class MyTask extends ManagedTaskBase {}`;
    const [e] = scanExports(src, "typescript");
    assert.equal(src.slice(e!.span.start, e!.span.end), "MyTask");
  });

  it("is not fooled by comments, strings, templates and regular expressions", () => {
    const src = [
      `// export class C1 extends X {}`,
      `/* export class C2 extends X {} */`,
      `const s = "export class C3 {}";`,
      "const t = `${1} export class C4 {} ${`nested ${2}`}`;",
      `const r = /export class C5 {}/g;`,
      `const d = 4 / 2; export class Real {}`,
      `function f() { export class NotTopLevel {} }`,
    ].join("\n");
    assert.deepEqual(
      scanExports(src, "typescript").map((e) => e.name),
      ["Real"],
    );
  });

  it("reads CommonJS exports in JavaScript", () => {
    const src = `exports.run = function (req) {};\nmodule.exports.Task = class extends ManagedTaskBase {};`;
    assert.deepEqual(
      scanExports(src, "javascript").map((e) => [e.name, e.kind, e.extends ?? ""]),
      [
        ["run", "function", ""],
        ["Task", "class", "ManagedTaskBase"],
      ],
    );
  });

  it("reads public HareScript object types and functions, case as written", () => {
    const src = `<?wh\n// PUBLIC OBJECTTYPE Commented EXTEND ManagedTaskBase\nPUBLIC OBJECTTYPE MyTask EXTEND ManagedTaskBase\n<\n>;\nOBJECTTYPE Private\n<\n>;\nPUBLIC STRING FUNCTION Hello(STRING x)\n{ RETURN x; }\nPUBLIC MACRO Run()\n{\n}`;
    assert.deepEqual(
      scanExports(src, "harescript").map((e) => [e.name, e.kind, e.extends ?? ""]),
      [
        ["MyTask", "objecttype", "ManagedTaskBase"],
        ["Hello", "function", ""],
        ["Run", "function", ""],
      ],
    );
  });
});
