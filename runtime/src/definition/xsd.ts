import { type AttributeSchema, type AttributeType, ELEMENTS, type ElementSchema, type EnumValue, MODULE_DOC, MODULEDEFINITION_NAMESPACE, elementSchema } from "./schema";

/**
 * The XSD for the `<servicemanager>` section, generated from the schema table (schema.ts), so
 * generic XML tooling (Red Hat XML / LemMinX, xmllint) validates and documents the same rules.
 *
 * How it fits real module definitions: `<module>` takes any content with lax processing, and
 * `<servicemanager>` is the only global element besides `<module>`. A lax wildcard validates an
 * element when a global declaration exists for it, so `<servicemanager>` is validated strictly and
 * every other section (`<meta>`, `<portal>`, `<databaseschema>`, ...) is left alone. XSD 1.0
 * cannot say "exactly one of objectname and taskrunner" or compare types case-insensitively; the
 * modtasks checker does, and the documentation says so.
 */
export function generateServicemanagerXsd(): string {
  const w = new Writer();
  w.line(`<?xml version="1.0" encoding="UTF-8"?>`);
  // (No double hyphen in this comment: XML forbids it, so the tsx flag is not spelled out.)
  w.line(`<!-- Generated from runtime/src/definition/schema.ts by scripts/gen-schema.ts (run it with tsx). Do not edit. -->`);
  w.open(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="${MODULEDEFINITION_NAMESPACE}" xmlns:m="${MODULEDEFINITION_NAMESPACE}" targetNamespace="${MODULEDEFINITION_NAMESPACE}" elementFormDefault="qualified">`);
  doc(
    w,
    "The <servicemanager> section of a WebHare-style moduledefinition.xml, as checked by modtasks. Other sections of <module> are accepted without validation. " +
      "modtasks checks more than this schema can express (a task target is required, types are unique case-insensitively, clusters exist, cron masks and time zones are valid, files and exports exist): run `modtasks check` or use the modtasks language server.",
  );

  w.open(`<xs:element name="module">`);
  doc(w, MODULE_DOC);
  w.open(`<xs:complexType>`);
  w.open(`<xs:sequence>`);
  w.line(`<xs:any processContents="lax" minOccurs="0" maxOccurs="unbounded" />`);
  w.close(`</xs:sequence>`);
  w.line(`<xs:anyAttribute processContents="lax" />`);
  w.close(`</xs:complexType>`);
  w.close(`</xs:element>`);

  const sm = elementSchema("servicemanager")!;
  w.open(`<xs:element name="servicemanager">`);
  doc(w, sm.doc);
  w.open(`<xs:complexType>`);
  w.open(`<xs:choice minOccurs="0" maxOccurs="unbounded">`);
  for (const child of sm.children) {
    // Documented here as well as on the type: some tools show only the element's annotation.
    w.open(`<xs:element name="${child}" type="${typeName(child)}">`);
    doc(w, elementSchema(child)!.doc);
    w.close(`</xs:element>`);
  }
  w.close(`</xs:choice>`);
  w.close(`</xs:complexType>`);
  for (const [name, selector, field] of [
    ["uniqueTaskTags", "task", "tag"],
    ["uniqueRunOnceTags", "runonce", "tag"],
    ["uniqueClusterTags", "taskcluster", "tag"],
    ["uniqueTaskTypes", "managedtask|m:ephemeraltask", "type"],
  ] as const) {
    w.open(`<xs:unique name="${name}">`);
    w.line(`<xs:selector xpath="m:${selector}" />`);
    w.line(`<xs:field xpath="@${field}" />`);
    w.close(`</xs:unique>`);
  }
  w.close(`</xs:element>`);

  for (const el of ELEMENTS) {
    if (el.name === "servicemanager" || el.name === "arg") continue; // arg is declared inline in TaskType
    complexType(w, el);
  }
  simpleTypes(w);
  w.close(`</xs:schema>`);
  return w.text();
}

function typeName(element: string): string {
  return element[0]!.toUpperCase() + element.slice(1) + "Type";
}

function complexType(w: Writer, el: ElementSchema): void {
  w.open(`<xs:complexType name="${typeName(el.name)}">`);
  let d = el.doc;
  if (el.exactlyOneOf) d += `\n\nExactly one of ${el.exactlyOneOf.map((a) => `\`${a}\``).join(" and ")} is required (checked by modtasks; XSD 1.0 cannot express it).`;
  if (el.deprecated) d += `\n\nDeprecated: ${el.deprecated}.`;
  d += `\n\nExample: ${el.example}`;
  doc(w, d);
  if (el.children.length > 0) {
    w.open(`<xs:sequence>`);
    for (const c of el.children) {
      const cs = elementSchema(c)!;
      w.open(`<xs:element name="${c}" type="xs:string" minOccurs="0" maxOccurs="unbounded">`);
      doc(w, cs.doc);
      w.close(`</xs:element>`);
    }
    w.close(`</xs:sequence>`);
  }
  for (const a of el.attributes) attribute(w, a);
  w.close(`</xs:complexType>`);
}

function attribute(w: Writer, a: AttributeSchema): void {
  const type = xsdType(a.type);
  const attrs = [`name="${a.name}"`];
  if (type.ref) attrs.push(`type="${type.ref}"`);
  if (a.required) attrs.push(`use="required"`);
  w.open(`<xs:attribute ${attrs.join(" ")}>`);
  let d = a.doc;
  if (a.default !== undefined && a.default !== "") d += `\n\nDefault: \`${a.default}\`.`;
  if (a.deprecated) d += `\n\nDeprecated: ${a.deprecated}.`;
  doc(w, d);
  if (type.enumValues) {
    w.open(`<xs:simpleType>`);
    w.open(`<xs:restriction base="xs:string">`);
    for (const v of type.enumValues) enumeration(w, v);
    w.close(`</xs:restriction>`);
    w.close(`</xs:simpleType>`);
  }
  w.close(`</xs:attribute>`);
}

function enumeration(w: Writer, v: EnumValue): void {
  w.open(`<xs:enumeration value="${esc(v.value)}">`);
  doc(w, v.number !== undefined ? `${v.doc} (${v.number})` : v.doc);
  w.close(`</xs:enumeration>`);
}

function xsdType(t: AttributeType): { ref?: string; enumValues?: readonly EnumValue[] } {
  switch (t.kind) {
    case "name":
      return { ref: "Name" };
    case "qualifiedName":
      return { ref: "QualifiedName" };
    case "integer":
      return { ref: t.min >= 1 ? "xs:positiveInteger" : t.min >= 0 ? "xs:nonNegativeInteger" : "xs:integer" };
    case "boolean":
      return { ref: "xs:boolean" };
    case "enum":
      return { enumValues: t.values };
    case "time":
      return { ref: "TimeOfDay" };
    default:
      return { ref: "xs:string" };
  }
}

function simpleTypes(w: Writer): void {
  const pattern = (name: string, p: string, d: string) => {
    w.open(`<xs:simpleType name="${name}">`);
    doc(w, d);
    w.open(`<xs:restriction base="xs:string">`);
    w.line(`<xs:pattern value="${esc(p)}" />`);
    w.close(`</xs:restriction>`);
    w.close(`</xs:simpleType>`);
  };
  pattern("Name", "[\\p{L}_$][\\p{L}\\p{N}_$]*", "A name: a letter, _ or $ first, then letters, digits, _ or $.");
  pattern("QualifiedName", "([\\p{L}_$][\\p{L}\\p{N}_$]*:)?[\\p{L}_$][\\p{L}\\p{N}_$]*", "A name, optionally prefixed by a module name and a colon (module:name).");
  pattern("TimeOfDay", "[012]?[0-9]:[0-5][0-9]", "A time of day as H:MM.");
}

function doc(w: Writer, text: string): void {
  w.open(`<xs:annotation>`);
  w.line(`<xs:documentation>${esc(text)}</xs:documentation>`);
  w.close(`</xs:annotation>`);
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

class Writer {
  private readonly lines: string[] = [];
  private depth = 0;
  line(s: string): void {
    // Multi-line documentation keeps its own line breaks, unindented after the first line.
    this.lines.push("  ".repeat(this.depth) + s);
  }
  open(s: string): void {
    this.line(s);
    this.depth++;
  }
  close(s: string): void {
    this.depth--;
    this.line(s);
  }
  text(): string {
    return this.lines.join("\n") + "\n";
  }
}
