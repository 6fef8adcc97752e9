import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Finding } from "../../runtime/src/text/finding";
import { LineIndex } from "../../runtime/src/text/line-index";
import { prng } from "../helpers/prng";
export { prng };

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const fixtures = join(repoRoot, "test", "fixtures", "definition");
/** The shared corpus of real WebHare modules (same machine as CI), relative to the repo. */
export { corpusRoot as corpus } from "../helpers/corpus";

/** A finding as tests write it: code, severity, 1-based "line:col-line:col", and the underlined text. */
export interface Expected {
  code: string;
  severity?: Finding["severity"];
  /** 1-based start and end, "12:5-12:9" (end is exclusive, as in LSP). */
  at: string;
  /** The source text the span covers. */
  text?: string;
  /** A substring the message must contain. */
  message?: string;
}

export function describeFinding(text: string, f: Finding): string {
  const r = new LineIndex(text).rangeOf(f.span);
  return `${f.code} ${f.severity} ${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1} ${JSON.stringify(text.slice(f.span.start, f.span.end))} ${f.message}`;
}

/** Asserts that `findings` are exactly `expected` (in order of position), ranges included. */
export function assertFindings(text: string, findings: Finding[], expected: Expected[]): void {
  const lines = new LineIndex(text);
  const actual = findings.map((f) => {
    const r = lines.rangeOf(f.span);
    return { f, at: `${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1}` };
  });
  const problems: string[] = [];
  const unmatched = [...actual];
  for (const e of expected) {
    const i = unmatched.findIndex((a) => a.f.code === e.code && a.at === e.at && (!e.severity || a.f.severity === e.severity) && (!e.message || a.f.message.includes(e.message)));
    if (i < 0) {
      problems.push(`missing: ${e.code} ${e.severity ?? ""} ${e.at}${e.message ? ` "${e.message}"` : ""}`);
      continue;
    }
    const a = unmatched.splice(i, 1)[0]!;
    if (e.text !== undefined && text.slice(a.f.span.start, a.f.span.end) !== e.text) {
      problems.push(`text of ${e.code} at ${e.at}: ${JSON.stringify(text.slice(a.f.span.start, a.f.span.end))} != ${JSON.stringify(e.text)}`);
    }
  }
  for (const a of unmatched) problems.push(`unexpected: ${describeFinding(text, a.f)}`);
  assert.deepEqual(problems, [], problems.join("\n"));
}


const FUZZ_TOKENS = ["<", ">", "/", '"', "'", "=", " ", "\n", "x", "&", "&amp;", "&#x41;", "&bogus;", "<a>", "</a>", "</task>", "<task", "/>", "<!--", "-->", "<![CDATA[", "]]>", "<?", "?>", "<!DOCTYPE x [", "]>", "*/5", "mod::", "#", "..", "\u00e9", "\r\n", "\t"];

/** One random mutation of `s` (at a position in [from, to) when given): delete, insert a token, duplicate a slice, or truncate. */
export function mutate(s: string, rnd: () => number, from = 0, to = s.length + 1): string {
  const lo = Math.min(from, s.length);
  const p = lo + Math.floor(rnd() * Math.max(1, Math.min(to, s.length + 1) - lo));
  const op = rnd();
  if (op < 0.35) return s.slice(0, p) + s.slice(p + 1 + Math.floor(rnd() * 8));
  if (op < 0.8) return s.slice(0, p) + FUZZ_TOKENS[Math.floor(rnd() * FUZZ_TOKENS.length)]! + s.slice(p);
  if (op < 0.95) {
    const q = Math.min(s.length, p + Math.floor(rnd() * 200));
    return s.slice(0, q) + s.slice(p, q) + s.slice(q);
  }
  return s.slice(0, p);
}
