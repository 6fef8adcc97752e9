import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { XMLValidator } from "fast-xml-parser";
import { parseXml } from "../../runtime/src/xml";
import { corpus, mutate, prng } from "./helpers";

/**
 * Our verdict "well-formed or not" against fast-xml-parser's validator, on thousands of mutated
 * documents. The two must agree, except where fast-xml-parser is knowingly more lenient than
 * XML 1.0 (which libxml2, and so WebHare, enforces). Every disagreement must be one of these,
 * recognised by our own finding's message; we must never accept what fast-xml-parser rejects.
 */
const FXP_LENIENT: { why: string; message: RegExp }[] = [
  { why: "it does not check attribute values for '<' or '&'", message: /is not allowed in an attribute value|must be written as '&amp;'/ },
  { why: "it accepts undeclared entities and invalid character references", message: /Unknown entity|Character reference|Invalid character reference/ },
  { why: "it accepts '--' inside comments and '--->'", message: /not allowed inside a comment|must not end with '--->'/ },
  { why: "it accepts unknown '<!' markup and processing instructions without a target", message: /Unknown markup|processing instruction must start with a name/ },
  { why: "it accepts an XML declaration that is not at the start", message: /XML declaration/ },
  { why: "it accepts several root elements, CDATA and (after leading space) text outside the root", message: /Only one root element|CDATA sections are only allowed|Text is not allowed (after|before) the root/ },
  { why: "it accepts junk after an attribute (`a=\"1\"=`) and in end tags (`</b/>`)", message: /Unexpected '.*' in (start|end) tag|does not match the start tag|has no matching start tag/ },
];

it("agrees with fast-xml-parser's XMLValidator on mutated documents (except documented leniencies)", () => {
  const seeds = [
    readFileSync(join(corpus, "publisher", "moduledefinition.xml"), "utf8").slice(0, 3000),
    `<?xml version="1.0"?>\n<module xmlns="urn:x"><servicemanager><task tag="a" runat="1 2 * * *" script="x.whscr"><arg>1 &amp; 2</arg></task>` +
      `<managedtask type="b" objectname="x.ts#B"/><!-- note --></servicemanager></module>`,
    `<a x='1' y="2&lt;3"><b>text &#65; more</b><![CDATA[ <x> ]]><c/></a>`,
  ];
  const rnd = prng(20260101);
  let agree = 0;
  let lenient = 0;
  const byWhy = new Map<string, number>();
  const N = 4000;
  for (let i = 0; i < N; i++) {
    let s = seeds[i % seeds.length]!;
    const n = 1 + Math.floor(rnd() * 3);
    for (let k = 0; k < n; k++) s = mutate(s, rnd);
    const theirs = XMLValidator.validate(s) === true;
    const findings = parseXml(s).findings;
    const ours = findings.length === 0;
    if (ours === theirs) {
      agree++;
      continue;
    }
    assert.ok(!ours, `we accept a document fast-xml-parser rejects: ${JSON.stringify(s)} (${JSON.stringify(XMLValidator.validate(s))})`);
    const reason = FXP_LENIENT.find((l) => findings.some((f) => l.message.test(f.message)));
    assert.ok(reason, `undocumented disagreement: fast-xml-parser accepts ${JSON.stringify(s)}; we say ${findings.map((f) => f.message).join(" | ")}`);
    lenient++;
    byWhy.set(reason.why, (byWhy.get(reason.why) ?? 0) + 1);
  }
  // Most mutations must be judged the same way, or the comparison says little.
  assert.ok(agree > N * 0.8, `only ${agree}/${N} agreed`);
  assert.equal(agree + lenient, N);
  if (process.env.XML_CROSSCHECK_VERBOSE) console.log({ agree, lenient, byWhy });
});
