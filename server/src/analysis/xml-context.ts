/**
 * Small questions about the XML tree at a cursor that several features ask: is this element
 * part of the `<servicemanager>` section, which attribute value index is under the cursor, and
 * which declaration an element is.
 */
import type { Declaration, ModuleDefinition } from "../../../runtime/src/definition/model";
import type { XmlAttribute, XmlElement } from "../../../runtime/src/xml/types";

/** The element is `<servicemanager>` (a child of the root `<module>`) or inside it. */
export function inServicemanager(el: XmlElement | undefined): boolean {
  for (let e = el; e; e = e.parent) {
    if (e.localName === "servicemanager") return e.parent !== undefined && e.parent.localName === "module" && e.parent.parent === undefined;
  }
  return false;
}

/** The schema name of an element in the section (its local name), or undefined outside it. */
export function schemaNameOf(el: XmlElement | undefined): string | undefined {
  return el && inServicemanager(el) ? el.localName : undefined;
}

/** Index into `attr.value` of the character at a document offset (the value's length at its end). */
export function decodedIndexAt(attr: XmlAttribute, offset: number): number {
  const n = attr.value.length;
  if (offset <= attr.valueSpan.start) return 0;
  if (offset >= attr.valueSpan.end) return n;
  // Offsets grow with the index; binary search the last index whose source offset is <= offset.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (attr.sourceOffsetOf(mid) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function declarationOf(def: ModuleDefinition, el: XmlElement | undefined): Declaration | undefined {
  if (!el) return undefined;
  return def.declarations.find((d) => d.element === el);
}
