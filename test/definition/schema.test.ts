import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { XMLValidator } from "fast-xml-parser";
import { CODE_INFO, ELEMENTS, elementSchema } from "../../runtime/src/definition";
import { generateServicemanagerXsd } from "../../runtime/src/definition/xsd";
import { parseXml } from "../../runtime/src/xml";
import { corpus, fixtures, repoRoot } from "./helpers";

const xsdFile = join(repoRoot, "schemas", "servicemanager.xsd");

describe("schema table", () => {
  it("documents every element, attribute and enum value", () => {
    for (const el of ELEMENTS) {
      assert.ok(el.doc.length > 20, `<${el.name}> needs documentation`);
      for (const a of el.attributes) {
        assert.ok(a.doc.length > 10, `${el.name}@${a.name} needs documentation`);
        if (a.type.kind === "enum") for (const v of a.type.values) assert.ok(v.doc.length > 3, `${el.name}@${a.name}=${v.value}`);
      }
      for (const c of el.children) assert.ok(elementSchema(c), `<${el.name}> lists unknown child <${c}>`);
    }
  });

  it("states the units of timeouts in their documentation", () => {
    assert.match(elementSchema("task")!.attributes.find((a) => a.name === "timeout")!.doc, /\*\*minutes\*\*/);
    assert.match(elementSchema("managedtask")!.attributes.find((a) => a.name === "timeout")!.doc, /\*\*milliseconds\*\*/);
  });
});

describe("schemas/servicemanager.xsd", () => {
  const committed = readFileSync(xsdFile, "utf8");

  it("is exactly what scripts/gen-schema.ts generates (run it after editing schema.ts)", () => {
    assert.equal(committed, generateServicemanagerXsd());
  });

  it("is well-formed XML", () => {
    assert.deepEqual(parseXml(committed).findings, []);
    assert.equal(XMLValidator.validate(committed), true);
  });

  it("has documentation for every element and attribute", () => {
    const doc = parseXml(committed);
    const missing: string[] = [];
    const visit = (el: NonNullable<typeof doc.root>) => {
      if ((el.localName === "element" && el.attr("name")) || el.localName === "attribute" || el.localName === "enumeration") {
        const ann = el.elements("annotation")[0]?.elements("documentation")[0];
        if (!ann || ann.textContent().trim() === "") missing.push(`${el.localName} ${el.attr("name")?.value ?? el.attr("value")?.value}`);
      }
      for (const c of el.elements()) visit(c);
    };
    visit(doc.root!);
    assert.deepEqual(missing, []);
  });

  const dir = mkdtempSync(join(tmpdir(), "modtasks-xsd-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const files = [join(corpus, "system", "moduledefinition.xml"), join(corpus, "publisher", "moduledefinition.xml")];
  const broken = join(fixtures, "structure", "mymod", "moduledefinition.xml");
  const validator = findValidator(dir);

  it(`validates the corpus with ${validator?.name ?? "a schema validator"} (and rejects a broken file)`, (t) => {
    if (!validator) {
      t.skip("neither xmllint nor java is installed: XSD validation of the corpus skipped");
      return;
    }
    for (const f of files) {
      const r = validator.validate(f);
      assert.equal(r.ok, true, `${f}: ${r.output}`);
    }
    const r = validator.validate(broken);
    assert.equal(r.ok, false, "the structure fixture must not validate");
  });
});

describe("README", () => {
  it("lists every diagnostic code", () => {
    const readme = readFileSync(join(repoRoot, "runtime", "src", "definition", "README.md"), "utf8");
    for (const code of Object.keys(CODE_INFO)) assert.ok(readme.includes(`\`${code}\``), `README lacks ${code}`);
  });
});

/** xmllint if present, else the JDK's built-in XSD validator (Xerces) through a one-file Java program. */
function findValidator(dir: string): { name: string; validate(file: string): { ok: boolean; output: string } } | undefined {
  const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;
  if (has("xmllint")) {
    return {
      name: "xmllint",
      validate(file) {
        const r = spawnSync("xmllint", ["--noout", "--schema", xsdFile, file], { encoding: "utf8" });
        return { ok: r.status === 0, output: r.stderr };
      },
    };
  }
  if (has("java")) {
    const src = join(dir, "Validate.java");
    writeFileSync(
      src,
      `import javax.xml.XMLConstants; import javax.xml.transform.stream.StreamSource; import javax.xml.validation.*; import java.io.File;
public class Validate { public static void main(String[] a) throws Exception {
  Schema s = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(new File(a[0]));
  try { s.newValidator().validate(new StreamSource(new File(a[1]))); } catch (org.xml.sax.SAXParseException e) { System.out.println(e.getLineNumber() + ":" + e.getColumnNumber() + ": " + e.getMessage()); System.exit(1); }
} }`,
    );
    return {
      name: "java (Xerces)",
      validate(file) {
        const r = spawnSync("java", [src, xsdFile, file], { encoding: "utf8", timeout: 60_000 });
        return { ok: r.status === 0, output: r.stdout + r.stderr };
      },
    };
  }
  return undefined;
}
