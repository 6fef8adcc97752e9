/**
 * Prudence crontab files: `<pattern> <document> [context]` per line, and the component's
 * system crontab: `<pattern> [ENV:…] [DIR:…] [OUT:…] [ERR:…] [IN:…] <command> [args…]`.
 *
 * The pattern is handed to the cron engine in the `prudence` dialect; this file only finds
 * where it ends. That is not "after 5 words": `|` joins alternatives with or without spaces
 * (`*\/5 5-7 * * *|*\/30 0-4,8-23 * * *`), so the pattern ends after the 5th field of an
 * alternative that no `|` follows. All spans are offsets into the whole file.
 */
import { parseCron, type CompiledCron } from "../cron";
import type { Finding } from "../text/finding";
import type { Span } from "../text/span";
import { shiftSpan } from "../text/span";

export interface CrontabEntry {
  /** 0-based line number (like LSP positions). */
  line: number;
  /** The entry, from the pattern's first character to the end of the line's content. */
  span: Span;
  patternSpan: Span;
  /** The pattern compiled in the prudence dialect; its issue spans are relative to the pattern (the file-level copies are in `findings`). */
  compiled: CompiledCron;
  /** A document name (`/tasks/cleanup/`) or literal code (`<% … %>`, spaces included). */
  document: string;
  documentSpan: Span;
  /** Everything after the document and whitespace, as written (trailing whitespace dropped). */
  context?: string;
  contextSpan?: Span;
}

export interface SystemCrontabEntry {
  line: number;
  span: Span;
  patternSpan: Span;
  compiled: CompiledCron;
  command: string;
  commandSpan: Span;
  args: string[];
  env: Record<string, string>;
  dir?: string;
  out?: string;
  err?: string;
  in?: string;
}

interface Line {
  number: number;
  /** Offset of the line's first character in the file. */
  start: number;
  /** The line without its line break. */
  text: string;
}

function linesOf(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  let n = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text.charCodeAt(i);
    if (i === text.length || c === 10 || c === 13) {
      out.push({ number: n++, start, text: text.slice(start, i) });
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  return out;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0;
}

function skipSpaces(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** End of the line's content: trailing whitespace does not belong to the entry. */
function contentEnd(s: string): number {
  let e = s.length;
  while (e > 0 && isSpace(s.charCodeAt(e - 1))) e--;
  return e;
}

/** Where the pattern that starts at `from` ends (exclusive), within the line. */
function patternEnd(s: string, from: number): number {
  let i = from;
  let end = from;
  let fields = 0;
  for (;;) {
    i = skipSpaces(s, i);
    if (i >= s.length) return end;
    const c = s.charCodeAt(i);
    if (c === 124 /* | */) {
      i++;
      end = i;
      fields = 0;
      continue;
    }
    if (fields === 5) return end;
    // A document name or code cannot start a cron field: a short alternative ends early and the parser reports its field count.
    if (fields > 0 && (c === 47 /* / */ || c === 60 /* < */ || c === 34 /* " */)) return end;
    while (i < s.length && !isSpace(s.charCodeAt(i)) && s.charCodeAt(i) !== 124) i++;
    end = i;
    fields++;
  }
}

/** Comment and blank lines carry no entry. */
function isEntryLine(s: string): number {
  const i = skipSpaces(s, 0);
  if (i >= s.length || s.charCodeAt(i) === 35 /* # */) return -1;
  return i;
}

function compilePattern(line: Line, start: number, end: number, findings: Finding[]): { compiled: CompiledCron; patternSpan: Span } {
  const compiled = parseCron(line.text.slice(start, end), "prudence");
  const base = line.start + start;
  for (const f of compiled.issues) {
    const shifted: Finding = { ...f, span: shiftSpan(f.span, base) };
    // Quick-fix edits are mask-relative too (removing a dead `|` alternative).
    const edits = f.data?.edits;
    if (f.data && Array.isArray(edits)) shifted.data = { ...f.data, edits: edits.map((e) => ({ span: shiftSpan(e.span, base), newText: e.newText })) };
    findings.push(shifted);
  }
  return { compiled, patternSpan: { start: base, end: line.start + end } };
}

/** Every entry line of a crontab (both kinds), its pattern compiled and its findings recorded. */
function* entryLines(text: string, findings: Finding[]) {
  for (const line of linesOf(typeof text === "string" ? text : "")) {
    const s = line.text;
    const p0 = isEntryLine(s);
    if (p0 < 0) continue;
    const lineEnd = contentEnd(s);
    const pEnd = patternEnd(s, p0);
    yield { line, s, p0, lineEnd, pEnd, ...compilePattern(line, p0, pEnd, findings) };
  }
}

export function parseCrontab(text: string): { entries: CrontabEntry[]; findings: Finding[] } {
  const entries: CrontabEntry[] = [];
  const findings: Finding[] = [];
  for (const { line, s, p0, lineEnd, pEnd, compiled, patternSpan } of entryLines(text, findings)) {
    const d0 = skipSpaces(s, pEnd);
    const span = { start: line.start + p0, end: line.start + lineEnd };
    if (d0 >= lineEnd) {
      findings.push({ span: patternSpan, severity: "error", code: "crontab-missing-document", message: "missing task name after the pattern (a document like /tasks/cleanup/ or code in <% … %>)" });
      continue;
    }
    let dEnd: number;
    if (s.startsWith("<%", d0)) {
      const close = s.indexOf("%>", d0 + 2);
      if (close < 0) {
        dEnd = lineEnd;
        findings.push({ span: { start: line.start + d0, end: line.start + lineEnd }, severity: "error", code: "crontab-unclosed-code", message: "'<%' is not closed with '%>' on this line" });
      } else dEnd = close + 2;
    } else {
      dEnd = d0;
      while (dEnd < s.length && !isSpace(s.charCodeAt(dEnd))) dEnd++;
    }
    const entry: CrontabEntry = {
      line: line.number,
      span,
      patternSpan,
      compiled,
      document: s.slice(d0, dEnd),
      documentSpan: { start: line.start + d0, end: line.start + dEnd },
    };
    const c0 = skipSpaces(s, dEnd);
    if (c0 < lineEnd) {
      entry.context = s.slice(c0, lineEnd);
      entry.contextSpan = { start: line.start + c0, end: line.start + lineEnd };
    }
    entries.push(entry);
  }
  return { entries, findings };
}

interface Word {
  text: string;
  span: Span;
}

/** Whitespace-separated words; a word in double quotes may contain spaces (`"OUT:C:\My Files\log.txt"`). */
function wordsOf(line: Line, from: number, to: number, findings: Finding[]): Word[] {
  const s = line.text;
  const out: Word[] = [];
  let i = from;
  for (;;) {
    i = skipSpaces(s, i);
    if (i >= to) return out;
    const start = i;
    if (s.charCodeAt(i) === 34 /* " */) {
      const close = s.indexOf('"', i + 1);
      if (close < 0 || close >= to) {
        findings.push({ span: { start: line.start + i, end: line.start + to }, severity: "error", code: "crontab-unclosed-quote", message: "this quote is not closed on this line" });
        out.push({ text: s.slice(i + 1, to), span: { start: line.start + start, end: line.start + to } });
        return out;
      }
      out.push({ text: s.slice(i + 1, close), span: { start: line.start + start, end: line.start + close + 1 } });
      i = close + 1;
      continue;
    }
    while (i < to && !isSpace(s.charCodeAt(i))) i++;
    out.push({ text: s.slice(start, i), span: { start: line.start + start, end: line.start + i } });
  }
}

const OPTION = /^(ENV|DIR|OUT|ERR|IN):/;

export function parseSystemCrontab(text: string): { entries: SystemCrontabEntry[]; findings: Finding[] } {
  const entries: SystemCrontabEntry[] = [];
  const findings: Finding[] = [];
  for (const { line, p0, lineEnd, pEnd, compiled, patternSpan } of entryLines(text, findings)) {
    const words = wordsOf(line, pEnd, lineEnd, findings);
    const entry: Omit<SystemCrontabEntry, "command" | "commandSpan"> = { line: line.number, span: { start: line.start + p0, end: line.start + lineEnd }, patternSpan, compiled, args: [], env: {} };
    let k = 0;
    for (; k < words.length; k++) {
      const w = words[k]!;
      const m = OPTION.exec(w.text);
      if (!m) break;
      const value = w.text.slice(m[0].length);
      if (m[1] === "ENV") {
        const eq = value.indexOf("=");
        if (eq <= 0) {
          findings.push({ span: w.span, severity: "error", code: "crontab-bad-option", message: `'${w.text}' needs the form ENV:NAME=value` });
          continue;
        }
        entry.env[value.slice(0, eq)] = value.slice(eq + 1);
        continue;
      }
      if (value === "") {
        findings.push({ span: w.span, severity: "error", code: "crontab-bad-option", message: `'${w.text}' needs a path after '${m[0]}'` });
        continue;
      }
      const key = m[1]!.toLowerCase() as "dir" | "out" | "err" | "in";
      entry[key] = value;
    }
    const cmd = words[k];
    if (!cmd) {
      findings.push({ span: patternSpan, severity: "error", code: "crontab-missing-command", message: "missing command after the pattern" });
      continue;
    }
    entries.push({ ...entry, command: cmd.text, commandSpan: cmd.span, args: words.slice(k + 1).map((w) => w.text) });
  }
  return { entries, findings };
}
