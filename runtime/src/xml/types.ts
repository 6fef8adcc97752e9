import type { Span } from "../text/span";
import type { Finding } from "../text/finding";

/**
 * The tree that `parseXml` builds. Every node knows where it came from (offsets into the parsed
 * text, UTF-16 code units), down to each attribute's name and value, so the checker can underline
 * exactly the wrong thing and the language server can tell what the cursor is on.
 */

/** One attribute of a start tag, as written. */
export interface XmlAttribute {
  /** The qualified name as written, prefix included (`xmlns:d`, `tag`). */
  readonly name: string;
  /** The name without its namespace prefix. */
  readonly localName: string;
  readonly nameSpan: Span;
  /**
   * The value with entities and character references decoded and attribute-value normalisation
   * applied (a literal tab or line break counts as one space, as in any XML parser).
   */
  readonly value: string;
  /**
   * Where the value is in the source: inside the quotes. When the value is missing (`tag` or
   * `tag=`), an empty span where it would start.
   */
  readonly valueSpan: Span;
  /** The value was written in quotes. */
  readonly quoted: boolean;
  /** The value ended properly: its closing quote was seen. False for a missing or unquoted value. */
  readonly closed: boolean;
  /** From the name through the closing quote (or to where the value ended). */
  readonly span: Span;
  /**
   * Source offset of the character at `decodedIndex` of `value`; `value.length` maps to the end of
   * the value. Exact even when entities come before it (`&amp;` is 5 source characters, 1 decoded).
   */
  sourceOffsetOf(decodedIndex: number): number;
  /** A span of `value` (decoded indexes) as a span of the source. */
  sourceSpanOf(decoded: Span): Span;
}

export interface XmlElement {
  readonly type: "element";
  /** Qualified name as written (`d:table`); "" never occurs: a `<` without a name is text. */
  readonly name: string;
  /** Name without its namespace prefix. */
  readonly localName: string;
  /** The namespace prefix, or "" when there is none. */
  readonly prefix: string;
  readonly nameSpan: Span;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlNode[];
  readonly parent?: XmlElement;
  /**
   * From `<` of the start tag to the end of the end tag. For an element that was never closed:
   * to where it was closed implicitly (the start of an ancestor's end tag, or the end of the text).
   * For a start tag without `>`: the start tag alone (such an element gets no children).
   */
  readonly span: Span;
  /** `<name ...>` or `<name .../>`, or as far as the start tag got when its `>` is missing. */
  readonly startTagSpan: Span;
  /** `</name>`, when one was found. */
  readonly endTagSpan?: Span;
  readonly selfClosing: boolean;
  /** The start tag's `>` (or `/>`) was seen. */
  readonly startTagClosed: boolean;
  /** The first attribute with this (qualified) name. */
  attr(name: string): XmlAttribute | undefined;
  /** Child elements, optionally only those with this local name. */
  elements(localName?: string): XmlElement[];
  /** Decoded text of all text and CDATA descendants, in document order. */
  textContent(): string;
}

/** Character data: its decoded value and the map back to the source. */
export interface XmlText {
  readonly type: "text" | "cdata";
  readonly span: Span;
  /** Text: entities decoded, line ends normalised to \n. CDATA: the content as written. */
  readonly value: string;
  sourceOffsetOf(decodedIndex: number): number;
}

export interface XmlMisc {
  readonly type: "comment" | "pi";
  readonly span: Span;
  /** Comment: the text between `<!--` and `-->`. Processing instruction: between `<?` and `?>`. */
  readonly value: string;
}

export type XmlNode = XmlElement | XmlText | XmlMisc;

export interface XmlDocument {
  /** The first element at the top level. */
  readonly root?: XmlElement;
  /** Everything at the top level, in order (prolog, root, trailing comments, extra roots). */
  readonly children: readonly XmlNode[];
  /** Syntax problems (code `xml-syntax`), in order of appearance. */
  readonly findings: Finding[];
}

/** What a cursor offset is on; see `nodeAt`. */
export interface XmlPosition {
  /** The innermost element at the offset (for `text`: the element whose content it is in). */
  element?: XmlElement;
  /** The attribute whose name or value the offset is on. */
  attribute?: XmlAttribute;
  in: "name" | "attrName" | "attrValue" | "text" | "endTag" | "tagBody";
}
