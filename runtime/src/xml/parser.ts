import type { Finding } from "../text/finding";
import type { Span } from "../text/span";
import { editDistance } from "../text/suggest";
import { type OffsetRuns, decodeRange, mapOffset, mapSpan } from "./decode";
import type { XmlAttribute, XmlDocument, XmlElement, XmlMisc, XmlNode, XmlText } from "./types";

/**
 * A tolerant, position-exact XML scanner: one pass, linear time, never throws. It reads what a
 * half-typed file still says and reports every syntax problem as a finding with code `xml-syntax`
 * and an exact span. It does not validate (no DTDs, no schemas) and does not resolve namespaces
 * (names keep their prefix; `localName` drops it).
 *
 * Recovery rules, chosen for files being edited:
 * - a start tag without `>` ends where the next tag starts; the element gets no children;
 * - an attribute value without its closing quote ends at the first line break or `>` (values
 *   cannot contain `<`, so a `<` ends the search);
 * - an element without an end tag is closed by an ancestor's end tag, or by the end of the text;
 * - an end tag that matches no open element closes the current one when the names are close
 *   (a rename in progress: `<tasks>...</task>`), and is ignored otherwise;
 * - a `<` that starts no tag is text.
 */
export function parseXml(text: string): XmlDocument {
  return new Parser(text).parse();
}

const CODE = "xml-syntax";

const QUOTED = 1;
const CLOSED = 2;

/**
 * Positions are kept as numbers; the span objects are made on first use (most are never asked
 * for). Thousands of these live as long as a check, so they hold as few fields as they can:
 * `quoted` and `closed` share one, and the end of the attribute follows from them (just past the
 * closing quote when there is one, the end of the value otherwise).
 */
class AttributeImpl implements XmlAttribute {
  private spans?: { name: Span; value: Span; whole: Span };
  private readonly flags: number;
  constructor(
    readonly name: string,
    private readonly nameStart: number,
    readonly value: string,
    private readonly valueStart: number,
    private readonly valueEnd: number,
    quoted: boolean,
    closed: boolean,
    private readonly offsets: OffsetRuns | undefined,
  ) {
    this.flags = (quoted ? QUOTED : 0) | (closed ? CLOSED : 0);
  }
  get quoted(): boolean {
    return (this.flags & QUOTED) !== 0;
  }
  get closed(): boolean {
    return (this.flags & CLOSED) !== 0;
  }
  private get s(): { name: Span; value: Span; whole: Span } {
    return (this.spans ??= {
      name: { start: this.nameStart, end: this.nameStart + this.name.length },
      value: { start: this.valueStart, end: this.valueEnd },
      whole: { start: this.nameStart, end: this.flags & CLOSED ? this.valueEnd + 1 : this.valueEnd },
    });
  }
  get nameSpan(): Span {
    return this.s.name;
  }
  get valueSpan(): Span {
    return this.s.value;
  }
  get span(): Span {
    return this.s.whole;
  }
  get localName(): string {
    const i = this.name.indexOf(":");
    return i >= 0 ? this.name.slice(i + 1) : this.name;
  }
  sourceOffsetOf(decodedIndex: number): number {
    return mapOffset(this.valueStart, this.value.length, this.offsets, decodedIndex);
  }
  sourceSpanOf(decoded: Span): Span {
    return mapSpan(this.valueStart, this.value.length, this.offsets, decoded);
  }
}

/**
 * Offsets are kept as numbers and the span objects made on first use, as in AttributeImpl: a
 * re-check of a large file builds thousands of elements whose spans nobody asks for, and every
 * object they hold stays alive (and is copied by the garbage collector) until the check ends.
 */
class ElementImpl implements XmlElement {
  readonly type = "element" as const;
  readonly localName: string;
  readonly prefix: string;
  attributes: readonly XmlAttribute[] = NO_ATTRIBUTES;
  /** Shared empty array until the first child (most elements, `<task ... />`, have none). */
  children: readonly XmlNode[] = NO_NODES;
  parent?: XmlElement;
  /** End of the element (see `span`); the parser moves it as it learns more. */
  end: number;
  /** End of the start tag (see `startTagSpan`). */
  startTagEnd: number;
  /** The end tag's offsets; -1 when there is none. */
  endTagStart = -1;
  endTagEnd = -1;
  selfClosing = false;
  startTagClosed = false;
  /** Apart from `spans`: the parser's own error messages ask for it while the element's end still moves. */
  private nameSpanCache?: Span;
  private spans?: { whole: Span; startTag: Span; endTag: Span | undefined };

  constructor(
    readonly name: string,
    private readonly nameStart: number,
    readonly start: number,
  ) {
    const i = name.indexOf(":");
    this.localName = i >= 0 ? name.slice(i + 1) : name;
    this.prefix = i >= 0 ? name.slice(0, i) : "";
    this.end = this.startTagEnd = nameStart + name.length;
  }
  get nameSpan(): Span {
    return (this.nameSpanCache ??= { start: this.nameStart, end: this.nameStart + this.name.length });
  }
  // Made together on first use (one field, not three, on every element), and asked for only once
  // parsing is done (the parser itself works with the numbers), so they never go stale.
  private get s(): { whole: Span; startTag: Span; endTag: Span | undefined } {
    return (this.spans ??= {
      whole: { start: this.start, end: this.end },
      startTag: { start: this.start, end: this.startTagEnd },
      endTag: this.endTagStart < 0 ? undefined : { start: this.endTagStart, end: this.endTagEnd },
    });
  }
  get span(): Span {
    return this.s.whole;
  }
  get startTagSpan(): Span {
    return this.s.startTag;
  }
  get endTagSpan(): Span | undefined {
    return this.s.endTag;
  }
  attr(name: string): XmlAttribute | undefined {
    const attrs = this.attributes;
    for (let i = 0; i < attrs.length; i++) if (attrs[i]!.name === name) return attrs[i];
    return undefined;
  }
  elements(localName?: string): XmlElement[] {
    const out: XmlElement[] = [];
    for (const c of this.children) if (c.type === "element" && (localName === undefined || c.localName === localName)) out.push(c);
    return out;
  }
  textContent(): string {
    let s = "";
    for (const c of this.children) {
      if (c.type === "text" || c.type === "cdata") s += c.value;
      else if (c.type === "element") s += c.textContent();
    }
    return s;
  }
}

// Shared by every element without attributes or children. Not frozen: iterating a frozen array
// is not optimised (each step allocated an iterator result). The parser never writes to them, and
// the types are read-only for everyone else.
const NO_ATTRIBUTES: readonly XmlAttribute[] = [];
const NO_NODES: readonly XmlNode[] = [];

class TextImpl implements XmlText {
  private spanCache?: Span;
  constructor(
    readonly type: "text" | "cdata",
    private readonly start: number,
    private readonly end: number,
    readonly value: string,
    private readonly offsets: OffsetRuns | undefined,
  ) {}
  /** Made on first use, as for elements: the white space between declarations is text too. */
  get span(): Span {
    return (this.spanCache ??= { start: this.start, end: this.end });
  }
  sourceOffsetOf(decodedIndex: number): number {
    // The value of a CDATA section starts after `<![CDATA[`.
    return mapOffset(this.type === "cdata" ? this.start + 9 : this.start, this.value.length, this.offsets, decodedIndex);
  }
}

/**
 * XML name characters, approximated as in decode.ts: ASCII letters, '_', ':' and everything from
 * U+00C0 start a name; digits, '-', '.', U+00B7 may follow. A table for ASCII (names are scanned
 * a character at a time, so this is the parser's hottest test).
 */
const NAME_START = new Uint8Array(128);
const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const start = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
  NAME_START[c] = start ? 1 : 0;
  NAME_CHAR[c] = start || (c >= 48 && c <= 57) || c === 45 || c === 46 ? 1 : 0;
}
function isNameStartCode(c: number): boolean {
  return c < 128 ? NAME_START[c] === 1 : c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && c < 0xfffe;
}
function isNameCharCode(c: number): boolean {
  return c < 128 ? NAME_CHAR[c] === 1 : c === 0xb7 || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && c < 0xfffe);
}

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Broken markup can yield an error per character (an unclosed tag repeated 100k times); past
 * this many only the first are useful, and an editor would choke on the rest.
 */
export const MAX_XML_FINDINGS = 100;

function capFindings(findings: Finding[]): Finding[] {
  if (findings.length <= MAX_XML_FINDINGS) return findings;
  const rest = findings.length - MAX_XML_FINDINGS;
  const at = findings[MAX_XML_FINDINGS]!.span;
  return [
    ...findings.slice(0, MAX_XML_FINDINGS),
    { span: at, severity: "error", code: CODE, message: `${rest} more XML error${rest === 1 ? "" : "s"} from here on are not listed; fix the ones above first` },
  ];
}

/**
 * Element and attribute names, and short runs of white space between elements, repeat thousands
 * of times in a file (and across the re-parses of the language server). A slice that short is a
 * copy, so each would be a new string; this table hands out the one seen before instead. Indexed
 * by a small hash of the text, a slot holds the last string that hashed there: bounded, and
 * a miss costs no more than the slice it replaces.
 */
const NAME_TABLE: (string | undefined)[] = new Array<string | undefined>(512).fill(undefined);
const INTERN_MAX = 32;

function internName(src: string, from: number, to: number): string {
  const len = to - from;
  if (len === 0) return "";
  if (len > INTERN_MAX) return src.slice(from, to);
  const h = (src.charCodeAt(from) * 31 + src.charCodeAt(to - 1) * 7 + src.charCodeAt(from + (len >> 1)) + len * 131) & 511;
  const seen = NAME_TABLE[h];
  if (seen !== undefined && seen.length === len && src.startsWith(seen, from)) return seen;
  const s = src.slice(from, to);
  NAME_TABLE[h] = s;
  return s;
}

function hasAttribute(attrs: readonly XmlAttribute[], name: string): boolean {
  for (let i = 0; i < attrs.length; i++) if (attrs[i]!.name === name) return true;
  return false;
}

/** Text without entities or CR: the source slice, shared when it is short white space (indentation). */
function plainText(src: string, from: number, to: number): string {
  if (to - from > INTERN_MAX || !isWs(src.charCodeAt(from)) || !isWs(src.charCodeAt(to - 1))) return src.slice(from, to);
  for (let i = from + 1; i < to - 1; i++) if (!isWs(src.charCodeAt(i))) return src.slice(from, to);
  return internName(src, from, to);
}

class Parser {
  private pos = 0;
  private readonly n: number;
  private readonly findings: Finding[] = [];
  private readonly stack: ElementImpl[] = [];
  /** How many elements of each name are open, so an end tag matching none is known in O(1). */
  private readonly openCount = new Map<string, number>();
  private readonly top: XmlNode[] = [];
  private root?: ElementImpl;
  /** The attributes of the start tag being read (reused from tag to tag). */
  private readonly attrs: XmlAttribute[] = [];

  constructor(private readonly src: string) {
    this.n = src.length;
  }

  parse(): XmlDocument {
    if (this.src.charCodeAt(0) === 0xfeff) this.pos = 1;
    while (this.pos < this.n) {
      if (this.src.charCodeAt(this.pos) === 60 /* < */) this.markup();
      else this.text(this.pos);
    }
    while (this.stack.length > 0) {
      const el = this.stack.pop()!;
      el.end = this.n;
      this.error(el.nameSpan, `Element <${el.name}> is not closed: expected </${el.name}> before the end of the file`);
    }
    if (!this.root) this.error({ start: this.n, end: this.n }, "The document has no root element");
    this.findings.sort((a, b) => a.span.start - b.span.start);
    return { root: this.root, children: this.top, findings: capFindings(this.findings) };
  }

  private error(span: Span, message: string): void {
    this.findings.push({ span, severity: "error", code: CODE, message });
  }

  private add(node: XmlNode): void {
    const parent = this.stack[this.stack.length - 1];
    if (parent) {
      if (node.type === "element") (node as ElementImpl).parent = parent;
      if (parent.children === NO_NODES) parent.children = [node];
      else (parent.children as XmlNode[]).push(node);
      return;
    }
    this.top.push(node);
    if (node.type === "element") {
      if (!this.root) this.root = node as ElementImpl;
      else this.error(node.nameSpan, `Only one root element is allowed; <${node.name}> comes after the root <${this.root.name}>`);
    } else if (node.type === "cdata") {
      this.error(node.span, "CDATA sections are only allowed inside the root element");
    }
  }

  /** Character data from `start` up to the next `<` that starts markup (a stray `<` is taken as text). */
  private text(start: number): void {
    const src = this.src;
    let i = start;
    if (src.charCodeAt(i) === 60) i++; // a stray '<' already reported by the caller
    let plain = true; // no '&' or CR: the value is the source slice
    for (; i < this.n; i++) {
      const c = src.charCodeAt(i);
      if (c === 60) break;
      if (c === 38 || c === 13) plain = false;
    }
    let value: string;
    let offsets: OffsetRuns | undefined;
    if (plain) value = plainText(src, start, i);
    else {
      const decoded = decodeRange(src, start, i, "text", this.findings);
      value = decoded.value;
      offsets = decoded.offsets;
    }
    this.pos = i;
    if (this.stack.length === 0) {
      // Outside the root only white space may appear.
      let j = start;
      while (j < i && isWs(src.charCodeAt(j))) j++;
      if (j < i) {
        let k = i;
        while (k > j && isWs(src.charCodeAt(k - 1))) k--;
        this.error({ start: j, end: k }, this.root ? "Text is not allowed after the root element" : "Text is not allowed before the root element");
      }
    }
    this.add(new TextImpl("text", start, i, value, offsets));
  }

  private markup(): void {
    const src = this.src;
    const at = this.pos;
    const next = src.charCodeAt(at + 1);
    if (next === 33 /* ! */) {
      if (src.startsWith("<!--", at)) return this.comment(at);
      if (src.startsWith("<![CDATA[", at)) return this.cdata(at);
      if (src.startsWith("<!DOCTYPE", at)) return this.doctype(at);
      // Unknown declaration: skip to '>' or the next '<'.
      let j = at + 2;
      while (j < this.n && src.charCodeAt(j) !== 62 && src.charCodeAt(j) !== 60) j++;
      if (src.charCodeAt(j) === 62) j++;
      this.error({ start: at, end: j }, "Unknown markup: '<!' starts only a comment '<!--', a CDATA section '<![CDATA[' or a '<!DOCTYPE'");
      this.pos = j;
      return;
    }
    if (next === 63 /* ? */) return this.pi(at);
    if (next === 47 /* / */) return this.endTag(at);
    if (isNameStartCode(next)) return this.startTag(at);
    this.error({ start: at, end: at + 1 }, "'<' must start a tag name; write '&lt;' for a literal '<'");
    this.text(at);
  }

  private comment(at: number): void {
    const close = this.src.indexOf("-->", at + 4);
    const end = close < 0 ? this.n : close + 3;
    const body = this.src.slice(at + 4, close < 0 ? this.n : close);
    if (close < 0) this.error({ start: at, end: at + 4 }, "Comment is not closed: expected '-->'");
    else {
      const dd = body.indexOf("--");
      if (dd >= 0) this.error({ start: at + 4 + dd, end: at + 6 + dd }, "'--' is not allowed inside a comment");
      else if (body.endsWith("-")) this.error({ start: close - 1, end: close + 3 }, "A comment must not end with '--->'");
    }
    this.pos = end;
    this.add({ type: "comment", span: { start: at, end }, value: body } satisfies XmlMisc);
  }

  private cdata(at: number): void {
    const start = at + 9;
    const close = this.src.indexOf("]]>", start);
    const contentEnd = close < 0 ? this.n : close;
    const end = close < 0 ? this.n : close + 3;
    if (close < 0) this.error({ start: at, end: start }, "CDATA section is not closed: expected ']]>'");
    this.pos = end;
    this.add(new TextImpl("cdata", at, end, this.src.slice(start, contentEnd), undefined));
  }

  private doctype(at: number): void {
    // Skip the declaration, including an internal subset in [...] and quoted strings.
    const src = this.src;
    let j = at + 9;
    let depth = 0;
    let closed = false;
    while (j < this.n) {
      const c = src.charCodeAt(j);
      if (c === 34 || c === 39) {
        const q = src.indexOf(c === 34 ? '"' : "'", j + 1);
        j = q < 0 ? this.n : q + 1;
        continue;
      }
      if (c === 91 /* [ */) depth++;
      else if (c === 93 /* ] */) depth = Math.max(0, depth - 1);
      else if (c === 62 /* > */ && depth === 0) {
        j++;
        closed = true;
        break;
      }
      j++;
    }
    if (!closed) this.error({ start: at, end: at + 9 }, "<!DOCTYPE is not closed: expected '>'");
    if (this.root || this.stack.length > 0) this.error({ start: at, end: at + 9 }, "<!DOCTYPE is only allowed before the root element");
    this.pos = j;
  }

  private pi(at: number): void {
    const src = this.src;
    const close = src.indexOf("?>", at + 2);
    const end = close < 0 ? this.n : close + 2;
    const body = src.slice(at + 2, close < 0 ? this.n : close);
    let t = 0;
    while (t < body.length && isNameCharCode(body.charCodeAt(t))) t++;
    const target = body.slice(0, t);
    if (close < 0) this.error({ start: at, end: at + 2 + t }, "Processing instruction is not closed: expected '?>'");
    else if (t === 0 || !isNameStartCode(body.charCodeAt(0))) this.error({ start: at, end: at + 2 }, "A processing instruction must start with a name, as in '<?xml'");
    else if (target.toLowerCase() === "xml") {
      const first = src.charCodeAt(0) === 0xfeff ? 1 : 0;
      if (at !== first || target !== "xml") this.error({ start: at, end: at + 2 + t }, "The XML declaration '<?xml ...?>' is only allowed at the very start of the file");
    }
    this.pos = end;
    this.add({ type: "pi", span: { start: at, end }, value: body } satisfies XmlMisc);
  }

  private scanName(from: number): number {
    let j = from;
    while (j < this.n && isNameCharCode(this.src.charCodeAt(j))) j++;
    return j;
  }

  private skipWs(from: number): number {
    let j = from;
    while (j < this.n && isWs(this.src.charCodeAt(j))) j++;
    return j;
  }

  private startTag(at: number): void {
    const src = this.src;
    const nameEnd = this.scanName(at + 1);
    const el = new ElementImpl(internName(src, at + 1, nameEnd), at + 1, at);
    const attrs = this.attrs;
    attrs.length = 0;
    let pos = nameEnd;
    let lastTokenEnd = nameEnd;
    for (;;) {
      const wsEnd = this.skipWs(pos);
      const hadWs = wsEnd > pos;
      pos = wsEnd;
      if (pos >= this.n) {
        this.error(el.nameSpan, `Start tag <${el.name}> is not closed: expected '>' or '/>' before the end of the file`);
        break;
      }
      const c = src.charCodeAt(pos);
      if (c === 62 /* > */) {
        pos++;
        el.startTagClosed = true;
        break;
      }
      if (c === 47 /* / */ && src.charCodeAt(pos + 1) === 62) {
        pos += 2;
        el.startTagClosed = true;
        el.selfClosing = true;
        break;
      }
      if (c === 60 /* < */) {
        this.error(el.nameSpan, `Start tag <${el.name}> is not closed: expected '>' or '/>'`);
        break;
      }
      if (isNameStartCode(c)) {
        if (!hadWs) this.error({ start: lastTokenEnd, end: pos + 1 }, "Attributes must be separated by white space");
        pos = this.attribute(el, pos);
        lastTokenEnd = pos;
        continue;
      }
      // Anything else: skip a run of characters that cannot start anything useful.
      let j = pos + 1;
      while (j < this.n) {
        const d = src.charCodeAt(j);
        if (isWs(d) || d === 62 || d === 60 || d === 47 || isNameStartCode(d)) break;
        j++;
      }
      this.error({ start: pos, end: j }, `Unexpected '${src.slice(pos, j)}' in start tag <${el.name}>`);
      pos = j;
      lastTokenEnd = j;
    }
    // An exact-size copy: a pushed-to array would keep room for 16.
    if (attrs.length > 0) el.attributes = attrs.slice();
    el.startTagEnd = pos;
    el.end = pos;
    this.pos = pos;
    this.add(el);
    if (el.startTagClosed ? !el.selfClosing : this.endTagFollows(el.name, pos)) this.pushOpen(el);
  }

  private pushOpen(el: ElementImpl): void {
    this.stack.push(el);
    this.openCount.set(el.name, (this.openCount.get(el.name) ?? 0) + 1);
  }

  private popOpen(): ElementImpl {
    const el = this.stack.pop()!;
    this.openCount.set(el.name, this.openCount.get(el.name)! - 1);
    return el;
  }

  /** Start and end tag positions per name, built on first need (only for files with broken start tags). */
  private tagIndex?: Map<string, { starts: number[]; ends: number[] }>;

  /**
   * Whether a start tag that lost its '>' is a container (`<module` being edited, with its
   * `</module>` further down) rather than a leaf being typed (`<task tag="a"` above more tasks):
   * true when more end tags than start tags of this name follow.
   */
  private endTagFollows(name: string, from: number): boolean {
    if (!this.tagIndex) {
      this.tagIndex = new Map();
      const re = /<(\/?)([^\s<>\/="'!?]+)/g;
      for (let m = re.exec(this.src); m; m = re.exec(this.src)) {
        let e = this.tagIndex.get(m[2]!);
        if (!e) this.tagIndex.set(m[2]!, (e = { starts: [], ends: [] }));
        (m[1] ? e.ends : e.starts).push(m.index);
      }
    }
    const e = this.tagIndex.get(name);
    if (!e) return false;
    return countFrom(e.ends, from) > countFrom(e.starts, from);
  }

  /** Reads one attribute at `at` (a name start) into `el`; returns where the scan continues. */
  private attribute(el: ElementImpl, at: number): number {
    const src = this.src;
    const nameEnd = this.scanName(at);
    const name = internName(src, at, nameEnd);
    const attrs = this.attrs;
    if (hasAttribute(attrs, name)) this.error({ start: at, end: nameEnd }, `Duplicate attribute '${name}' on <${el.name}>`);
    const afterWs = this.skipWs(nameEnd);
    if (src.charCodeAt(afterWs) !== 61 /* = */) {
      this.error({ start: at, end: nameEnd }, `Attribute '${name}' has no value: write ${name}="..."`);
      attrs.push(new AttributeImpl(name, at, "", nameEnd, nameEnd, false, false, undefined));
      return nameEnd;
    }
    const eq = afterWs;
    let pos = this.skipWs(eq + 1);
    const q = src.charCodeAt(pos);
    if (q === 34 || q === 39) {
      const vstart = pos + 1;
      let j = vstart;
      let plain = true; // no '&', tab, CR or LF: the value is the source slice
      while (j < this.n) {
        const d = src.charCodeAt(j);
        if (d === q || d === 60) break;
        if (d === 38 || d === 9 || d === 10 || d === 13) plain = false;
        j++;
      }
      if (j < this.n && src.charCodeAt(j) === 60 && !hasLineBreak(src, vstart, j)) {
        // A '<' in a value is not allowed; if the closing quote follows on the same line, the
        // value is just missing an escape (`description="a < b"`), so keep it whole.
        let k = j + 1;
        while (k < this.n) {
          const d = src.charCodeAt(k);
          if (d === q || d === 10 || d === 13) break;
          k++;
        }
        if (k < this.n && src.charCodeAt(k) === q) {
          for (let m = j; m < k; m++) {
            if (src.charCodeAt(m) === 60) this.error({ start: m, end: m + 1 }, "'<' is not allowed in an attribute value; write '&lt;'");
          }
          j = k;
        }
      }
      if (j < this.n && src.charCodeAt(j) === q) {
        // `tag="a script="x.ts"`: a value that ends in ` name=` lost its closing quote; the
        // quote found is the next attribute's opening one. End the value before that name.
        const stolen = endsWithEquals(src, vstart, j) ? STOLEN_ATTRIBUTE.exec(src.slice(vstart, j)) : null;
        if (stolen) {
          const cut = vstart + stolen.index;
          this.error({ start: pos, end: Math.max(cut, pos + 1) }, `Attribute value of '${name}' has no closing ${q === 34 ? "quote (\")" : "quote (')"}`);
          const decoded = decodeRange(src, vstart, cut, "attr", this.findings);
          attrs.push(new AttributeImpl(name, at, decoded.value, vstart, cut, true, false, decoded.offsets));
          return cut;
        }
        if (plain) {
          attrs.push(new AttributeImpl(name, at, src.slice(vstart, j), vstart, j, true, true, undefined));
          return j + 1;
        }
        const decoded = decodeRange(src, vstart, j, "attr", this.findings);
        attrs.push(new AttributeImpl(name, at, decoded.value, vstart, j, true, true, decoded.offsets));
        return j + 1;
      }
      // No closing quote before the next tag: the value ends at the first line break or '>'.
      let cut = vstart;
      while (cut < j) {
        const d = src.charCodeAt(cut);
        if (d === 10 || d === 13) break;
        if (d === 62) {
          if (cut > vstart && src.charCodeAt(cut - 1) === 47) cut--;
          break;
        }
        cut++;
      }
      this.error({ start: pos, end: Math.max(cut, pos + 1) }, `Attribute value of '${name}' has no closing ${q === 34 ? "quote (\")" : "quote (')"}`);
      const decoded = decodeRange(src, vstart, cut, "attr", this.findings);
      attrs.push(new AttributeImpl(name, at, decoded.value, vstart, cut, true, false, decoded.offsets));
      return cut;
    }
    // Missing or unquoted value. After '=' and white space, a name is the next attribute.
    if (pos > eq + 1 && pos < this.n && isNameStartCode(q)) {
      this.error({ start: at, end: eq + 1 }, `Attribute '${name}' has no value after '='`);
      attrs.push(new AttributeImpl(name, at, "", eq + 1, eq + 1, false, false, undefined));
      return eq + 1;
    }
    let j = pos;
    while (j < this.n) {
      const d = src.charCodeAt(j);
      if (isWs(d) || d === 62 || d === 60 || (d === 47 && src.charCodeAt(j + 1) === 62)) break;
      j++;
    }
    if (j === pos) {
      this.error({ start: at, end: eq + 1 }, `Attribute '${name}' has no value after '='`);
      attrs.push(new AttributeImpl(name, at, "", eq + 1, eq + 1, false, false, undefined));
      return eq + 1;
    }
    this.error({ start: pos, end: j }, `Attribute value of '${name}' must be in quotes`);
    const decoded = decodeRange(src, pos, j, "attr", this.findings);
    attrs.push(new AttributeImpl(name, at, decoded.value, pos, j, false, false, decoded.offsets));
    return j;
  }

  private endTag(at: number): void {
    const src = this.src;
    const nameStart = at + 2;
    const nameEnd = this.scanName(nameStart);
    const name = internName(src, nameStart, nameEnd);
    let pos = this.skipWs(nameEnd);
    if (src.charCodeAt(pos) === 62) pos++;
    else {
      // Skip junk up to '>' on the way, but never past the next tag.
      let j = pos;
      while (j < this.n && src.charCodeAt(j) !== 62 && src.charCodeAt(j) !== 60) j++;
      if (src.charCodeAt(j) === 62) {
        this.error({ start: pos, end: j }, `Unexpected '${src.slice(pos, j).trim()}' in end tag </${name}>`);
        pos = j + 1;
      } else {
        this.error({ start: at, end: Math.max(nameEnd, at + 2) }, `End tag </${name}> is not closed: expected '>'`);
      }
    }
    this.pos = pos;
    const nameSpan = { start: nameStart, end: nameEnd };
    if (name === "") {
      this.error({ start: at, end: pos }, "End tag without a name");
      return;
    }
    let match = -1;
    if ((this.openCount.get(name) ?? 0) > 0) {
      // Found within the elements about to be closed, so the search is paid for by the pops.
      for (let i = this.stack.length - 1; i >= 0; i--) {
        if (this.stack[i]!.name === name) {
          match = i;
          break;
        }
      }
    }
    if (match < 0) {
      const current = this.stack[this.stack.length - 1];
      if (!current) {
        this.error(nameSpan, `End tag </${name}> has no matching start tag`);
        return;
      }
      this.error(nameSpan, `End tag </${name}> does not match the start tag <${current.name}>`);
      if (!namesClose(name, current.name)) return;
      match = this.stack.length - 1;
    }
    while (this.stack.length - 1 > match) {
      const el = this.popOpen();
      el.end = at;
      this.error(el.nameSpan, `Element <${el.name}> is not closed: expected </${el.name}> before </${name}>`);
    }
    const el = this.popOpen();
    el.endTagStart = at;
    el.endTagEnd = pos;
    el.end = pos;
  }
}

/** The end of a value that swallowed the next attribute's name: white space, a name, '=' (and spaces). */
const STOLEN_ATTRIBUTE = /\s+[A-Za-z_:][-\w.:]*\s*=\s*$/;

/** Whether the last non-space character in [from, to) is '=' (cheap pre-check for STOLEN_ATTRIBUTE). */
function endsWithEquals(src: string, from: number, to: number): boolean {
  let i = to - 1;
  while (i >= from && isWs(src.charCodeAt(i))) i--;
  return i >= from && src.charCodeAt(i) === 61;
}

function hasLineBreak(src: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = src.charCodeAt(i);
    if (c === 10 || c === 13) return true;
  }
  return false;
}

/** How many of the sorted positions are at or after `from`. */
function countFrom(sorted: number[], from: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/** Whether a mismatched end tag is probably the same name mid-edit (`tasks` vs `task`). */
function namesClose(a: string, b: string): boolean {
  if (a.startsWith(b) || b.startsWith(a)) return true;
  return editDistance(a, b, 3) <= Math.max(1, Math.min(2, Math.floor(Math.max(a.length, b.length) / 3)));
}
