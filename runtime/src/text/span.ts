/**
 * Source locations. Everything in modtasks locates text by offsets (UTF-16 code units, the unit
 * of JavaScript strings and of LSP positions) and converts to line/character only at the edge
 * (CLI output, LSP responses), through a LineIndex.
 */

/** A half-open range of offsets [start, end) into a text. */
export interface Span {
  start: number;
  end: number;
}

/** A 0-based line and UTF-16 character, as in LSP. */
export interface Position {
  line: number;
  character: number;
}

/** A range of positions, as in LSP. */
export interface Range {
  start: Position;
  end: Position;
}

export function span(start: number, end: number): Span {
  return { start, end };
}

/** Whether `offset` lies inside `s`, counting the end (so a cursor just after a word hits it). */
export function spanContains(s: Span, offset: number): boolean {
  return offset >= s.start && offset <= s.end;
}

/** Moves a span that is relative to some base (e.g. inside an attribute value) to absolute offsets. */
export function shiftSpan(s: Span, by: number): Span {
  return { start: s.start + by, end: s.end + by };
}
