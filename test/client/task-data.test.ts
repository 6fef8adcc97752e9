import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseTaskData, validateTaskData } from "../../client/src/task-data";

describe("task data (Run Task… input box)", () => {
  it("accepts JSON of any kind; empty means null", () => {
    assert.deepEqual(parseTaskData('{"name": "World"}'), { ok: true, value: { name: "World" } });
    assert.deepEqual(parseTaskData("  [1, 2]  "), { ok: true, value: [1, 2] });
    assert.deepEqual(parseTaskData("42"), { ok: true, value: 42 });
    assert.deepEqual(parseTaskData(""), { ok: true, value: null });
    assert.deepEqual(parseTaskData("   "), { ok: true, value: null });
    assert.equal(validateTaskData('"text"'), undefined);
  });

  it("explains invalid JSON with a column and a hint", () => {
    const single = validateTaskData("{'name': 'World'}");
    assert.match(single!, /^Not valid JSON: .*\(column 2\) — JSON strings use double quotes$/);
    const bare = validateTaskData("{name: 1}");
    assert.match(bare!, /^Not valid JSON: .*\(column 2\) — JSON property names need double quotes$/);
    const cut = validateTaskData('{"a": 1');
    assert.match(cut!, /^Not valid JSON: /);
    assert.doesNotMatch(cut!, /in JSON at position/);
  });
});
