import type { XmlDocument, XmlElement, XmlNode, XmlPosition } from "./types";

/**
 * What is at `offset`: the innermost element, and whether the offset is on its name, on an
 * attribute's name or value, in the rest of its start tag, in its end tag, or in its content.
 *
 * `offset` is read as the character under the cursor (hover), with one allowance for typing
 * (completion): the end of a name or value still counts as on it, so `<tas|` is on the name and
 * `tag="ab|"` is on the value. A start tag without `>` (being typed) extends to where the next tag
 * starts, so `<task tag="a" |` is in its tag body. A lone `<` (no name yet) is text: for
 * `<servicemanager>\n  <|` the result is `{ element: servicemanager, in: "text" }`, and a
 * completion provider looks at the character before the cursor to offer element names.
 */
export function nodeAt(doc: XmlDocument, offset: number): XmlPosition {
  let container: XmlElement | undefined;
  let nodes: readonly XmlNode[] = doc.children;
  for (;;) {
    const el = elementAt(nodes, offset);
    if (!el) break;
    const tagEnd = el.startTagSpan.end;
    const inStartTag = offset < tagEnd || (!el.startTagClosed && offset === tagEnd);
    if (inStartTag) {
      if (offset <= el.nameSpan.end) return { element: el, in: "name" };
      for (const a of el.attributes) {
        if (offset >= a.nameSpan.start && offset <= a.nameSpan.end) return { element: el, attribute: a, in: "attrName" };
        if (offset >= a.valueSpan.start && offset <= a.valueSpan.end) return { element: el, attribute: a, in: "attrValue" };
      }
      return { element: el, in: "tagBody" };
    }
    if (el.endTagSpan && offset >= el.endTagSpan.start && offset < el.endTagSpan.end) return { element: el, in: "endTag" };
    container = el;
    nodes = el.children;
  }
  return container ? { element: container, in: "text" } : { in: "text" };
}

function elementAt(nodes: readonly XmlNode[], offset: number): XmlElement | undefined {
  for (const n of nodes) {
    if (n.type !== "element") continue;
    if (n.span.start > offset) return undefined;
    if (offset < n.span.end) return n;
    // Still being typed: a start tag without '>' or an element without an end tag owns its end.
    if (offset === n.span.end && (!n.startTagClosed || (!n.selfClosing && !n.endTagSpan))) return n;
  }
  return undefined;
}
