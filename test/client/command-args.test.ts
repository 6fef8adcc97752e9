import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isTaskName, parseRunTaskArgs, scheduledNameFromArg, serviceNameFromArg, taskIdFromArg } from "../../client/src/command-args";
import { COMMANDS, type RunTaskArgs as ServerRunTaskArgs } from "../../server/src/protocol";

describe("command arguments", () => {
  it("reads the language server's CodeLens argument (server/src/protocol.ts)", () => {
    assert.equal(COMMANDS.runTask, "modtasks.runTask");
    const range = { start: { line: 4, character: 4 }, end: { line: 4, character: 70 } };
    const fromServer: ServerRunTaskArgs = { kind: "managed", name: "hello:greet", uri: "file:///w/hello/moduledefinition.xml", range };
    assert.deepEqual(parseRunTaskArgs(fromServer), {
      kind: "managed",
      name: "hello:greet",
      uri: "file:///w/hello/moduledefinition.xml",
      range,
      hasData: false,
    });
    // As an LSP Command's arguments array, too.
    assert.equal(parseRunTaskArgs([{ kind: "scheduled", name: "hello:nightly" }])?.kind, "scheduled");
  });

  it("keeps data given by the caller, null included", () => {
    assert.deepEqual(parseRunTaskArgs({ kind: "ephemeral", name: "m:t", data: null }), { kind: "ephemeral", name: "m:t", hasData: true, data: null });
    assert.deepEqual(parseRunTaskArgs({ kind: "managed", name: "m:t", data: { a: 1 } })?.data, { a: 1 });
  });

  it("refuses what is not a task", () => {
    for (const bad of [undefined, null, 42, "hello:greet", {}, { kind: "managed" }, { kind: "other", name: "m:t" }, { kind: "managed", name: "no-colon" }, { kind: "managed", name: "m:1bad" }]) {
      assert.equal(parseRunTaskArgs(bad), undefined, JSON.stringify(bad));
    }
  });

  it("task ids from tree nodes, numbers and strings", () => {
    assert.equal(taskIdFromArg({ kind: "task", taskId: 12, task: { id: 12 } }), 12);
    assert.equal(taskIdFromArg({ task: { id: 7 } }), 7);
    assert.equal(taskIdFromArg(5), 5);
    assert.equal(taskIdFromArg("#42"), 42);
    assert.equal(taskIdFromArg(" 9 "), 9);
    assert.equal(taskIdFromArg([3]), 3);
    for (const bad of [0, -1, 1.5, "abc", {}, { taskId: "x" }, undefined]) assert.equal(taskIdFromArg(bad), undefined, JSON.stringify(bad));
  });

  it("scheduled task names from tree nodes and strings", () => {
    assert.equal(scheduledNameFromArg({ kind: "scheduled", name: "hello:nightly", scheduled: { name: "hello:nightly" } }), "hello:nightly");
    assert.equal(scheduledNameFromArg("hello:nightly"), "hello:nightly");
    assert.equal(scheduledNameFromArg({ kind: "scheduled", name: "hello:nightly", uri: "file:///x" }), "hello:nightly");
    assert.equal(scheduledNameFromArg({ kind: "managed", name: "hello:greet" }), undefined);
    assert.equal(scheduledNameFromArg("nope"), undefined);
  });

  it("task names look like module:type", () => {
    assert.ok(isTaskName("hello:greet"));
    assert.ok(isTaskName("my_module:$type2"));
    assert.ok(!isTaskName("hello"));
    assert.ok(!isTaskName("hello:"));
    assert.ok(!isTaskName("a:b:c"));
  });

  it("service commands take a tree node, a service name or a <runatstartup> script's key", () => {
    assert.equal(serviceNameFromArg({ kind: "service", name: "e2emod:echo", service: { name: "e2emod:echo", key: "e2emod:echo" } }), "e2emod:echo");
    assert.equal(serviceNameFromArg({ service: { name: null, key: "hello:lib/startup.ts" } }), "hello:lib/startup.ts");
    assert.equal(serviceNameFromArg("my-mod:basket.v2"), "my-mod:basket.v2");
    assert.equal(serviceNameFromArg(["e2emod:echo"]), "e2emod:echo");
    for (const bad of [undefined, null, 42, "nocolon", "a:b c", {}, { kind: "task", name: "m:t" }]) assert.equal(serviceNameFromArg(bad), undefined, JSON.stringify(bad));
  });
});
