import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nodeAt, parseXml, type XmlElement } from "../../runtime/src/xml";
import { PATHOLOGICAL_XML } from "../fixtures/pathological-xml";
import { assertFindings } from "./helpers";

/** The source text a span covers. */
const at = (text: string, s: { start: number; end: number }) => text.slice(s.start, s.end);

describe("xml parser: well-formed input", () => {
  const text = `<?xml version="1.0"?>\n<m:module xmlns:m="urn:x" a='1'>\n  <task tag="t1" script="s.ts"><arg>one</arg><arg>two &amp; three</arg></task>\n  <!-- c --><![CDATA[<raw>]]>\n</m:module>\n`;
  const doc = parseXml(text);

  it("reports nothing and finds the root", () => {
    assert.deepEqual(doc.findings, []);
    assert.equal(doc.root?.name, "m:module");
    assert.equal(doc.root?.localName, "module");
    assert.equal(doc.root?.prefix, "m");
  });

  it("gives exact spans for names, attributes, values, tags", () => {
    const root = doc.root!;
    assert.equal(at(text, root.nameSpan), "m:module");
    assert.equal(at(text, root.startTagSpan), `<m:module xmlns:m="urn:x" a='1'>`);
    assert.equal(at(text, root.endTagSpan!), "</m:module>");
    assert.ok(at(text, root.span).startsWith("<m:module") && at(text, root.span).endsWith("</m:module>"));
    const a = root.attr("a")!;
    assert.equal(at(text, a.nameSpan), "a");
    assert.equal(at(text, a.valueSpan), "1");
    assert.equal(at(text, a.span), "a='1'");
    assert.equal(a.quoted, true);
    assert.equal(a.closed, true);
    const task = root.elements("task")[0]!;
    assert.equal(task.parent, root);
    assert.equal(at(text, task.attr("script")!.valueSpan), "s.ts");
    assert.deepEqual(
      task.elements("arg").map((e) => e.textContent()),
      ["one", "two & three"],
    );
    assert.deepEqual(
      root.children.map((c) => c.type),
      ["text", "element", "text", "comment", "cdata", "text"],
    );
    const cdata = root.children[4]!;
    assert.equal(cdata.type === "cdata" && cdata.value, "<raw>");
  });

  it("keeps the XML declaration as a processing instruction", () => {
    assert.equal(doc.children[0]!.type, "pi");
  });
});

describe("xml parser: entities and the decoded-to-source map", () => {
  it("decodes all five entities and numeric references in values", () => {
    const text = `<a v="&amp;&lt;&gt;&quot;&apos;&#65;&#x42;&#x1F600;"/>`;
    const doc = parseXml(text);
    assert.deepEqual(doc.findings, []);
    assert.equal(doc.root!.attr("v")!.value, `&<>"'AB😀`);
  });

  it("maps each decoded character back to its source offset", () => {
    const text = `<a runat="&#32;5 &amp; 61"/>`;
    const v = parseXml(text).root!.attr("runat")!;
    assert.equal(v.value, " 5 & 61");
    // "61" starts at decoded index 5; in the source it is after two entities.
    assert.equal(at(text, v.sourceSpanOf({ start: 5, end: 7 })), "61");
    assert.equal(at(text, v.sourceSpanOf({ start: 3, end: 4 })), "&amp;");
    assert.equal(v.sourceOffsetOf(v.value.length), v.valueSpan.end);
    assert.equal(v.sourceOffsetOf(0), v.valueSpan.start);
  });

  it("normalises white space in attribute values as XML requires, keeping the map exact", () => {
    const text = `<a v="1\r\n2\t3\n4"/>`;
    const v = parseXml(text).root!.attr("v")!;
    assert.equal(v.value, "1 2 3 4");
    assert.equal(at(text, v.sourceSpanOf({ start: 2, end: 3 })), "2");
    assert.equal(at(text, v.sourceSpanOf({ start: 6, end: 7 })), "4");
  });

  it("normalises CR LF in text to LF and decodes references", () => {
    const text = `<a>x\r\ny&lt;z</a>`;
    const t = parseXml(text).root!.children[0]!;
    assert.equal(t.type, "text");
    if (t.type !== "text") return;
    assert.equal(t.value, "x\ny<z");
    assert.equal(text[t.sourceOffsetOf(4)], "z");
  });

  it("reports bad references at the reference, keeping the raw text", () => {
    const text = `<a v="a&b" w="&nbsp;" x="&#0;">&unknown; &</a>`;
    const doc = parseXml(text);
    assertFindings(text, doc.findings, [
      { code: "xml-syntax", at: "1:8-1:9", text: "&", message: "'&' must be written as '&amp;'" },
      { code: "xml-syntax", at: "1:15-1:21", text: "&nbsp;", message: "Unknown entity '&nbsp;'" },
      { code: "xml-syntax", at: "1:26-1:30", text: "&#0;", message: "not a character allowed" },
      { code: "xml-syntax", at: "1:32-1:41", text: "&unknown;" },
      { code: "xml-syntax", at: "1:42-1:43", text: "&" },
    ]);
    assert.equal(doc.root!.attr("v")!.value, "a&b");
    assert.equal(doc.root!.attr("w")!.value, "&nbsp;");
  });
});

describe("xml parser: recovery with exact findings", () => {
  it("attribute without a value", () => {
    const text = `<a flag x="1"/>`;
    const doc = parseXml(text);
    assertFindings(text, doc.findings, [{ code: "xml-syntax", at: "1:4-1:8", text: "flag", message: "has no value" }]);
    const flag = doc.root!.attr("flag")!;
    assert.equal(flag.value, "");
    assert.equal(flag.quoted, false);
    assert.deepEqual(flag.valueSpan, { start: 7, end: 7 });
    assert.equal(doc.root!.attr("x")!.value, "1");
  });

  it("attribute with '=' but no value", () => {
    const text = `<a x= y="2"/>`;
    const doc = parseXml(text);
    assertFindings(text, doc.findings, [{ code: "xml-syntax", at: "1:4-1:6", text: "x=", message: "no value after '='" }]);
    assert.equal(doc.root!.attr("y")!.value, "2");
  });

  it("missing closing quote before the next attribute: both attributes are read", () => {
    const text = `<s>\n  <task tag="a script="x.ts"/>\n  <task tag="b\n        script="y.ts"/>\n</s>`;
    const doc = parseXml(text);
    assertFindings(text, doc.findings, [
      { code: "xml-syntax", at: "2:13-2:15", text: `"a`, message: "has no closing quote" },
      { code: "xml-syntax", at: "3:13-3:15", text: `"b`, message: "has no closing quote" },
    ]);
    const tasks = doc.root!.elements("task");
    assert.deepEqual(
      tasks.map((t) => [t.attr("tag")!.value, t.attr("script")!.value]),
      [
        ["a", "x.ts"],
        ["b", "y.ts"],
      ],
    );
  });

  it("unterminated value at end of line", () => {
    const text = `<s>\n<task tag="abc\n/>\n<task tag="d"/>\n</s>`;
    const doc = parseXml(text);
    const first = doc.root!.elements("task")[0]!;
    assert.equal(first.attr("tag")!.value, "abc");
    assert.equal(first.attr("tag")!.closed, false);
    assert.equal(doc.root!.elements("task")[1]!.attr("tag")!.value, "d");
    assertFindings(text, doc.findings, [{ code: "xml-syntax", at: "2:11-2:15", text: `"abc`, message: "no closing quote" }]);
  });

  it("a '<' inside a value is reported but the value is kept when its quote follows on the line", () => {
    const text = `<a d="x < y" e="2"/>`;
    const doc = parseXml(text);
    assertFindings(text, doc.findings, [{ code: "xml-syntax", at: "1:9-1:10", text: "<", message: "not allowed in an attribute value" }]);
    assert.equal(doc.root!.attr("d")!.value, "x < y");
    assert.equal(doc.root!.attr("e")!.value, "2");
  });

  it("unquoted value", () => {
    const text = `<a x=12 y="2"/>`;
    const doc = parseXml(text);
    assertFindings(text, doc.findings, [{ code: "xml-syntax", at: "1:6-1:8", text: "12", message: "must be in quotes" }]);
    assert.equal(doc.root!.attr("x")!.value, "12");
  });

  it("duplicate attribute: reported at the second", () => {
    const text = `<a x="1" x="2"/>`;
    assertFindings(text, parseXml(text).findings, [{ code: "xml-syntax", at: "1:10-1:11", text: "x", message: "Duplicate attribute 'x'" }]);
  });

  it("unclosed element is closed by its parent's end tag", () => {
    const text = `<s><task tag="a"><arg>1</arg></s>`;
    const doc = parseXml(text);
    assertFindings(text, doc.findings, [{ code: "xml-syntax", at: "1:5-1:9", text: "task", message: "Element <task> is not closed" }]);
    const task = doc.root!.elements("task")[0]!;
    assert.equal(task.endTagSpan, undefined);
    assert.equal(task.span.end, text.indexOf("</s>"));
    assert.equal(doc.root!.endTagSpan !== undefined, true);
  });

  it("unclosed elements at the end of the file", () => {
    const text = `<s><t>`;
    const doc = parseXml(text);
    assertFindings(text, doc.findings, [
      { code: "xml-syntax", at: "1:2-1:3", text: "s" },
      { code: "xml-syntax", at: "1:5-1:6", text: "t" },
    ]);
    assert.equal(doc.root!.span.end, text.length);
  });

  it("a start tag without '>' that is being typed gets no children", () => {
    const text = `<s>\n  <task tag="a"\n  <task tag="b"/>\n</s>`;
    const doc = parseXml(text);
    assertFindings(text, doc.findings, [{ code: "xml-syntax", at: "2:4-2:8", text: "task", message: "Start tag <task> is not closed" }]);
    assert.deepEqual(
      doc.root!.elements().map((e) => e.attr("tag")!.value),
      ["a", "b"],
    );
    assert.equal(doc.root!.elements()[0]!.startTagClosed, false);
  });

  it("a container whose start tag lost its '>' still holds its children", () => {
    const text = `<module\n<servicemanager><task tag="a"/></servicemanager>\n</module>`;
    const doc = parseXml(text);
    assertFindings(text, doc.findings, [{ code: "xml-syntax", at: "1:2-1:8", text: "module" }]);
    assert.equal(doc.root!.elements("servicemanager").length, 1);
  });

  it("mismatched end tag of a renamed element closes it", () => {
    const text = `<s><tasks tag="a"></task><task tag="b"/></s>`;
    const doc = parseXml(text);
    assertFindings(text, doc.findings, [{ code: "xml-syntax", at: "1:21-1:25", text: "task", message: "does not match the start tag <tasks>" }]);
    assert.equal(doc.root!.elements().length, 2);
  });

  it("an end tag that matches nothing is reported and ignored", () => {
    const text = `<s><a/></zzz></s>`;
    const doc = parseXml(text);
    assertFindings(text, doc.findings, [{ code: "xml-syntax", at: "1:10-1:13", text: "zzz" }]);
    assert.ok(doc.root!.endTagSpan);
  });

  it("a stray '<' is text", () => {
    const text = `<s>a < b<t/></s>`;
    const doc = parseXml(text);
    assertFindings(text, doc.findings, [{ code: "xml-syntax", at: "1:6-1:7", text: "<", message: "'<' must start a tag name" }]);
    assert.equal(doc.root!.elements("t").length, 1);
    assert.equal(doc.root!.textContent(), "a < b");
  });

  it("comments: unclosed, and '--' inside", () => {
    let text = `<s><!-- a -- b --></s>`;
    assertFindings(text, parseXml(text).findings, [{ code: "xml-syntax", at: "1:11-1:13", text: "--" }]);
    text = `<s/><!-- open`;
    assertFindings(text, parseXml(text).findings, [{ code: "xml-syntax", at: "1:5-1:9", text: "<!--", message: "Comment is not closed" }]);
  });

  it("DOCTYPE is skipped, with its internal subset", () => {
    const text = `<!DOCTYPE module [ <!ENTITY x "a>b"> ]>\n<module/>`;
    const doc = parseXml(text);
    assert.deepEqual(doc.findings, []);
    assert.equal(doc.root!.name, "module");
  });

  it("XML declaration after the start, extra roots, text outside the root, empty documents", () => {
    let text = ` <?xml version="1.0"?><a/>`;
    assertFindings(text, parseXml(text).findings, [{ code: "xml-syntax", at: "1:2-1:7", text: "<?xml" }]);
    text = `<a/><b/>`;
    assertFindings(text, parseXml(text).findings, [{ code: "xml-syntax", at: "1:6-1:7", text: "b", message: "Only one root element" }]);
    text = `<a/> tail `;
    assertFindings(text, parseXml(text).findings, [{ code: "xml-syntax", at: "1:6-1:10", text: "tail" }]);
    text = ``;
    assertFindings(text, parseXml(text).findings, [{ code: "xml-syntax", at: "1:1-1:1", message: "no root element" }]);
  });

  it("a byte order mark is not text", () => {
    assert.deepEqual(parseXml(`\uFEFF<?xml version="1.0"?><a/>`).findings, []);
  });
});

describe("nodeAt: what the cursor is on", () => {
  const text = `<s>\n  <task tag="abc" script="x.ts">\n    <arg>1</arg>\n  </task>\n  <managedtask type="t" \n</s>`;
  const doc = parseXml(text);
  const off = (needle: string, delta = 0) => text.indexOf(needle) + delta;

  it("element names, attribute names and values, tag bodies, end tags, content", () => {
    assert.equal(nodeAt(doc, off("<task") + 1).in, "name");
    assert.equal(nodeAt(doc, off("<task") + 5).in, "name"); // just after the name
    const an = nodeAt(doc, off("tag=") + 1);
    assert.equal(an.in, "attrName");
    assert.equal(an.attribute?.name, "tag");
    const av = nodeAt(doc, off(`"abc"`) + 2);
    assert.equal(av.in, "attrValue");
    assert.equal(av.attribute?.name, "tag");
    assert.equal(nodeAt(doc, off(`"abc"`) + 4).in, "attrValue"); // before the closing quote
    assert.equal(nodeAt(doc, off(`script=`) - 1).in, "tagBody");
    const end = nodeAt(doc, off("</task>") + 3);
    assert.equal(end.in, "endTag");
    assert.equal(end.element?.name, "task");
    const content = nodeAt(doc, off("<arg>") - 1);
    assert.equal(content.in, "text");
    assert.equal(content.element?.name, "task");
    assert.equal(nodeAt(doc, off("1</arg>")).element?.name, "arg");
  });

  it("inside a half-typed start tag", () => {
    const p = nodeAt(doc, off(`type="t" `) + 9);
    assert.equal(p.in, "tagBody");
    assert.equal(p.element?.name, "managedtask");
    const v = nodeAt(doc, off(`"t"`) + 1);
    assert.equal(v.in, "attrValue");
  });

  it("typing a new element name at the end of a file", () => {
    const t = `<s>\n  <ta`;
    const d = parseXml(t);
    const p = nodeAt(d, t.length);
    assert.equal(p.in, "name");
    assert.equal(p.element?.name, "ta");
    assert.equal((p.element as XmlElement).parent?.name, "s");
  });

  it("outside the root", () => {
    assert.deepEqual(nodeAt(parseXml(`<a/>  `), 5), { in: "text" });
  });
});

describe("xml parser: robustness", () => {
  it("never throws on garbage", () => {
    const pieces = ["<", ">", "/", "=", '"', "'", "&", "#", ";", "!", "?", "[", "]", "-", "a", " ", "\n", "<!--", "<![CDATA[", "<!DOCTYPE", "]]>", "-->", "?>"];
    let seed = 7;
    for (let i = 0; i < 3000; i++) {
      let s = "";
      const len = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 60;
      for (let j = 0; j < len; j++) s += pieces[(seed = (seed * 1103515245 + 12345) & 0x7fffffff) % pieces.length];
      const doc = parseXml(s);
      for (const f of doc.findings) assert.ok(f.span.start >= 0 && f.span.end <= s.length && f.span.start <= f.span.end, JSON.stringify(s));
      for (let o = 0; o <= s.length; o++) nodeAt(doc, o);
    }
  });

  it("reports pathological input within its bounds (its linear cost is measured by npm run bench)", () => {
    // A timed assertion would be flaky next to parallel tests; the 4x-input ratio for these same
    // patterns is printed by test/bench/definition.bench.ts. Here: each parses, says what is wrong
    // with spans inside the text, and does not repeat itself once per repetition of the problem.
    for (const make of PATHOLOGICAL_XML) {
      const text = make(80_000);
      const doc = parseXml(text);
      assert.ok(doc.findings.length > 0, `${make(1)}: reported`);
      for (const f of doc.findings) assert.ok(f.span.start >= 0 && f.span.end <= text.length && f.span.start <= f.span.end, `${make(1)}: span inside the text`);
      assert.ok(doc.findings.length <= 101, `${make(1)}: ${doc.findings.length} findings; an editor gets the first 100 and a count`);
    }
    const many = parseXml("<a ".repeat(1000)).findings;
    assert.equal(many.length, 101);
    assert.match(many[100]!.message, /^\d+ more XML errors from here on are not listed/);
  });
});
