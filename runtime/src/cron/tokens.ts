/**
 * Splits a mask into patterns (`|` alternatives), fields and list items, keeping the offset of
 * every piece. Offsets are what make field-exact diagnostics possible; the tokenizer itself
 * judges nothing (any string tokenizes), the parser decides what is allowed.
 */
import type { Span } from "../text/span";

export interface Token {
  text: string;
  start: number;
  end: number;
}

export interface PatternTokens {
  fields: Token[];
  /** From the first field's start to the last field's end (or an empty span where the pattern is empty). */
  span: Span;
}

export interface MaskTokens {
  patterns: PatternTokens[];
  /** Where each `|` is, in order. */
  bars: Span[];
  /**
   * Non-ASCII whitespace (a non-breaking space pasted from a web page, U+2009, ...) that
   * separated fields. It separates here so the rest of the mask still reads, but WebHare splits
   * on plain spaces only, so the webhare dialect reports each one.
   */
  oddSpaces: Span[];
}

function isAsciiSpace(c: number): boolean {
  // space, tab, and the other ASCII whitespace a pasted mask may carry
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

/** Unicode whitespace beyond ASCII: NBSP, NEL, U+1680, U+2000-U+200A, U+2028/9, U+202F, U+205F, U+3000, U+FEFF. */
export function isOddSpace(c: number): boolean {
  return c === 0xa0 || c === 0x85 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function isSpace(c: number): boolean {
  return isAsciiSpace(c) || (c > 127 && isOddSpace(c));
}

/** Fields are separated by runs of whitespace; patterns by `|` (with or without spaces around it). */
export function tokenizeMask(mask: string): MaskTokens {
  const patterns: PatternTokens[] = [];
  const bars: Span[] = [];
  const oddSpaces: Span[] = [];
  let fields: Token[] = [];
  let patternStart = -1;
  let i = 0;
  const closePattern = (at: number) => {
    const first = fields[0];
    const last = fields[fields.length - 1];
    patterns.push({ fields, span: first && last ? { start: first.start, end: last.end } : { start: patternStart >= 0 ? patternStart : at, end: at } });
    fields = [];
    patternStart = -1;
  };
  while (i < mask.length) {
    const c = mask.charCodeAt(i);
    if (isSpace(c)) {
      if (c > 127) {
        const last = oddSpaces[oddSpaces.length - 1];
        if (last && last.end === i) last.end = i + 1;
        else oddSpaces.push({ start: i, end: i + 1 });
      }
      i++;
      continue;
    }
    if (c === 124 /* | */) {
      closePattern(i);
      bars.push({ start: i, end: i + 1 });
      i++;
      continue;
    }
    const start = i;
    if (patternStart < 0) patternStart = start;
    while (i < mask.length && !isSpace(mask.charCodeAt(i)) && mask.charCodeAt(i) !== 124) i++;
    fields.push({ text: mask.slice(start, i), start, end: i });
  }
  closePattern(mask.length);
  return { patterns, bars, oddSpaces };
}

/** Splits a field on commas. Empty items (`1,,2`, a trailing comma) come back as empty tokens. */
export function splitItems(field: Token): Token[] {
  const items: Token[] = [];
  let start = 0;
  const t = field.text;
  for (let i = 0; i <= t.length; i++) {
    if (i === t.length || t.charCodeAt(i) === 44 /* , */) {
      items.push({ text: t.slice(start, i), start: field.start + start, end: field.start + i });
      start = i + 1;
    }
  }
  return items;
}

/** The lexical pieces of one list item: numbers, words, and the symbols `* / - # ?`. */
export type LexemeKind = "number" | "word" | "star" | "slash" | "dash" | "hash" | "question" | "other";

export interface Lexeme extends Token {
  kind: LexemeKind;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function lexItem(item: Token): Lexeme[] {
  const out: Lexeme[] = [];
  const t = item.text;
  let i = 0;
  while (i < t.length) {
    const c = t.charCodeAt(i);
    const start = i;
    let kind: LexemeKind;
    if (isDigit(c)) {
      while (i < t.length && isDigit(t.charCodeAt(i))) i++;
      kind = "number";
    } else if (isLetter(c)) {
      while (i < t.length && isLetter(t.charCodeAt(i))) i++;
      kind = "word";
    } else {
      i++;
      // Keep a surrogate pair together so a span never splits an emoji.
      if (c >= 0xd800 && c <= 0xdbff && i < t.length) i++;
      kind = c === 42 ? "star" : c === 47 ? "slash" : c === 45 ? "dash" : c === 35 ? "hash" : c === 63 ? "question" : "other";
    }
    out.push({ kind, text: t.slice(start, i), start: item.start + start, end: item.start + i });
  }
  return out;
}
