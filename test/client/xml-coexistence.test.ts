import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { diagnosticCode, dropDuplicates, XmlCoexistence } from "../../client/src/xml-coexistence";

type D = { message: string; code?: string | number | { value: string | number } };
const syntax: D = { message: "unclosed <task>", code: "xml-syntax" };
const syntaxObj: D = { message: "bad attribute", code: { value: "xml-syntax" } };
const runat: D = { message: "hour 25 out of range", code: "runat-invalid" };
const plain: D = { message: "no code" };

describe("Red Hat XML coexistence", () => {
  it("reads a diagnostic's code in each of VS Code's shapes", () => {
    assert.equal(diagnosticCode("xml-syntax"), "xml-syntax");
    assert.equal(diagnosticCode(12), "12");
    assert.equal(diagnosticCode({ value: "xml-syntax" }), "xml-syntax");
    assert.equal(diagnosticCode(undefined), "");
  });

  it("drops only our XML syntax errors, and only while Red Hat's extension is active", () => {
    const all = [syntax, syntaxObj, runat, plain];
    assert.deepEqual(dropDuplicates(all, true), [runat, plain]);
    assert.deepEqual(dropDuplicates(all, false), all);
  });

  it("re-filters remembered pushed reports when the extension is activated later, and restores them when it goes", () => {
    let active = false;
    const c = new XmlCoexistence<string, D>(() => active);
    assert.deepEqual(c.push("file:///m/moduledefinition.xml", [syntax, runat]), [syntax, runat]);
    assert.deepEqual(c.push("file:///m/crontab", [runat]), [runat]);
    assert.deepEqual(c.recheck(), { changed: false, republish: [] });

    active = true; // Red Hat's extension activated after our diagnostics arrived
    const after = c.recheck();
    assert.equal(after.changed, true);
    assert.equal(c.redHatActive, true);
    // Only the report with something to drop is shown again.
    assert.deepEqual(after.republish, [{ uri: "file:///m/moduledefinition.xml", diagnostics: [runat] }]);
    assert.deepEqual(c.filter([syntax, runat]), [runat]);
    assert.deepEqual(c.push("file:///m/other/moduledefinition.xml", [syntaxObj]), []);

    active = false; // disabled or uninstalled: ours come back
    const back = c.recheck();
    assert.deepEqual(back.republish, [
      { uri: "file:///m/moduledefinition.xml", diagnostics: [syntax, runat] },
      { uri: "file:///m/other/moduledefinition.xml", diagnostics: [syntaxObj] },
    ]);
  });

  it("forgets documents whose diagnostics were cleared or that were closed", () => {
    let active = false;
    const c = new XmlCoexistence<string, D>(() => active);
    c.push("a", [syntax]);
    c.push("b", [syntax]);
    c.push("a", []);
    c.forget("b");
    active = true;
    assert.deepEqual(c.recheck(), { changed: true, republish: [] });
  });

  it("starts in the state the editor reports", () => {
    const c = new XmlCoexistence<string, D>(() => true);
    assert.equal(c.redHatActive, true);
    assert.deepEqual(c.push("a", [syntax, runat]), [runat]);
  });
});
