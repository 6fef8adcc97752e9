import type { Finding } from "../text/finding";
import type { Span } from "../text/span";

/**
 * Decoding of character data: entity and character references, attribute-value normalisation
 * (a literal tab, line feed or carriage return becomes a space; CR LF counts as one), and line-end
 * normalisation in text (CR LF and lone CR become LF). Because decoding changes lengths, a decoded
 * string keeps a map from each decoded index back to its source offset whenever it differs from
 * the source one to one; `undefined` means "identity from the start offset" (the common case,
 * which costs nothing).
 */
export interface Decoded {
  value: string;
  /** Where each decoded index is in the source, as runs (see `OffsetRuns`). */
  offsets?: OffsetRuns;
}

/**
 * The map from decoded index to source offset, stored by its runs: pairs `[d0, s0, d1, s1, ...]`
 * with d ascending from 0, meaning index i (from d_k up to the next run) is at source offset
 * s_k + (i - d_k). A new run starts wherever an index is not where the run before would put it
 * (after a reference, a CR LF, a tab in an attribute), so the map is exact for every index up to
 * and including value.length (= the end of the source range). Was one Int32 per character, built
 * from a number per character: for `Task &amp; friends` that was ~400 bytes kept and more
 * discarded, against six numbers now.
 */
export type OffsetRuns = readonly number[];

/** Appends a run for decoded index `d` at source offset `s`, unless the last run already puts it there. */
function mark(runs: number[], d: number, s: number): void {
  const n = runs.length;
  if (n > 0 && runs[n - 1]! + (d - runs[n - 2]!) === s) return;
  runs.push(d, s);
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

export function decodeRange(src: string, start: number, end: number, mode: "attr" | "text", findings: Finding[]): Decoded {
  // Fast path: nothing to decode or normalise.
  let needs = false;
  for (let i = start; i < end; i++) {
    const c = src.charCodeAt(i);
    if (c === 38 /* & */ || c === 13 /* \r */ || (mode === "attr" && (c === 9 || c === 10))) {
      needs = true;
      break;
    }
  }
  if (!needs) return { value: src.slice(start, end) };

  let out = "";
  const runs: number[] = [];
  let i = start;
  while (i < end) {
    const c = src.charCodeAt(i);
    if (c === 38 /* & */) {
      const ref = readReference(src, i, end);
      if (ref.ok) {
        // Every unit of the replacement (two for a character outside the BMP) is at the '&'.
        for (let k = 0; k < ref.text.length; k++) mark(runs, out.length + k, i);
        out += ref.text;
        i = ref.end;
        continue;
      }
      findings.push({ span: { start: i, end: ref.end }, severity: "error", code: "xml-syntax", message: ref.message });
      mark(runs, out.length, i);
      out += src.slice(i, ref.end);
      i = ref.end;
      continue;
    }
    if (c === 13 /* \r */) {
      mark(runs, out.length, i);
      out += mode === "attr" ? " " : "\n";
      i += src.charCodeAt(i + 1) === 10 && i + 1 < end ? 2 : 1;
      continue;
    }
    if (mode === "attr" && (c === 9 || c === 10)) {
      mark(runs, out.length, i);
      out += " ";
      i++;
      continue;
    }
    // Copy a run of ordinary characters at once.
    let j = i + 1;
    while (j < end) {
      const d = src.charCodeAt(j);
      if (d === 38 || d === 13 || (mode === "attr" && (d === 9 || d === 10))) break;
      j++;
    }
    mark(runs, out.length, i);
    out += src.slice(i, j);
    i = j;
  }
  mark(runs, out.length, end);
  // One run from the start: the identity, which needs no map.
  if (runs.length === 2 && runs[1] === start) return { value: out };
  return { value: out, offsets: runs };
}

type Ref = { ok: true; text: string; end: number } | { ok: false; message: string; end: number };

/** Reads `&name;`, `&#N;` or `&#xN;` at `at` (which holds '&'). On failure `end` is where to resume. */
function readReference(src: string, at: number, limit: number): Ref {
  let j = at + 1;
  if (src.charCodeAt(j) === 35 /* # */) {
    j++;
    const hex = src.charCodeAt(j) === 120 /* x */;
    if (hex) j++;
    const digitsStart = j;
    while (j < limit && (hex ? isHexDigit(src.charCodeAt(j)) : isDigit(src.charCodeAt(j)))) j++;
    if (j === digitsStart || src.charCodeAt(j) !== 59 /* ; */ || j >= limit) {
      return { ok: false, message: "Invalid character reference: expected '&#' digits ';' or '&#x' hex digits ';'", end: Math.max(j, at + 1) };
    }
    const digits = src.slice(digitsStart, j);
    const code = digits.length > 8 ? Infinity : parseInt(digits, hex ? 16 : 10);
    if (!isXmlChar(code)) {
      return { ok: false, message: `Character reference '${src.slice(at, j + 1)}' is not a character allowed in XML`, end: j + 1 };
    }
    return { ok: true, text: String.fromCodePoint(code), end: j + 1 };
  }
  const nameStart = j;
  while (j < limit && isNameCharCode(src.charCodeAt(j))) j++;
  if (j === nameStart || src.charCodeAt(j) !== 59 || j >= limit) {
    return { ok: false, message: "'&' must be written as '&amp;' (it starts an entity reference such as '&lt;')", end: at + 1 };
  }
  const name = src.slice(nameStart, j);
  const text = NAMED[name];
  if (text === undefined) {
    return { ok: false, message: `Unknown entity '&${name};': XML knows only &amp; &lt; &gt; &quot; &apos; and character references like &#160;`, end: j + 1 };
  }
  return { ok: true, text, end: j + 1 };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}
function isXmlChar(c: number): boolean {
  return c === 9 || c === 10 || c === 13 || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/** XML NameStartChar, approximated: ASCII letters, '_', ':', and anything from U+00C0 up. */
export function isNameStartCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && c < 0xfffe);
}
/** XML NameChar: NameStartChar plus digits, '-', '.', U+00B7. */
export function isNameCharCode(c: number): boolean {
  return isNameStartCode(c) || isDigit(c) || c === 45 || c === 46 || c === 0xb7;
}

/** Maps a decoded index to a source offset, given the decoding's start and optional map. */
export function mapOffset(start: number, valueLength: number, offsets: OffsetRuns | undefined, decodedIndex: number): number {
  const i = Math.max(0, Math.min(decodedIndex, valueLength));
  if (!offsets) return start + i;
  // The last run that starts at or before i (binary search over the pairs: texts may hold many).
  let lo = 0;
  let hi = (offsets.length >> 1) - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[2 * mid]! <= i) lo = mid;
    else hi = mid - 1;
  }
  return offsets[2 * lo + 1]! + (i - offsets[2 * lo]!);
}

export function mapSpan(start: number, valueLength: number, offsets: OffsetRuns | undefined, s: Span): Span {
  const a = mapOffset(start, valueLength, offsets, s.start);
  const b = mapOffset(start, valueLength, offsets, s.end);
  return { start: a, end: Math.max(a, b) };
}
