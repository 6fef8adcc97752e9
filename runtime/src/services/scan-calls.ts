/**
 * Finds backend service names in TypeScript/JavaScript source, for the language server:
 * `runBackendService("module:name", ...)` registrations and `openBackendService("module:name")`
 * uses, each with the span of the name. A small tokenizer (not a parser): it skips comments,
 * strings, template literals and regular expressions properly, so a name inside a comment or a
 * string is never reported, and it accepts type arguments (`openBackendService<Api>("x")`).
 * Only string literals count; a computed name (`openBackendService(name)`) is not reported.
 *
 * checkServiceReferences() turns the sites of a workspace into findings ("did you mean");
 * findRegistrations() answers go to definition.
 */
import type { Finding } from "../text/finding";
import type { Span } from "../text/span";
import { closestMatch } from "../text/suggest";

export interface ServiceCallSite {
  /** `run`: runBackendService registers the name; `open`: openBackendService uses it. */
  kind: "run" | "open";
  /** The literal's value as written (compare with normalizeName: names are case-insensitive). */
  name: string;
  /** The literal's contents, without quotes. */
  nameSpan: Span;
  /** The function name. */
  calleeSpan: Span;
}

const CALLEES: Record<string, ServiceCallSite["kind"]> = { runBackendService: "run", openBackendService: "open" };

type TokenKind = "ident" | "string" | "template" | "number" | "punct" | "regex";
interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** Identifier text, punctuation char, or decoded string value (templates: only when without `${`). */
  value?: string;
}

/** Keywords after which a `/` starts a regular expression, not a division. */
const REGEX_AFTER_KEYWORD = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);

/** Every runBackendService/openBackendService call whose first argument is a string literal. */
export function scanServiceCalls(text: string): ServiceCallSite[] {
  const tokens = tokenize(text);
  const out: ServiceCallSite[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== "ident") continue;
    const kind = CALLEES[t.value!];
    if (!kind) continue;
    // Not a declaration or a property definition: `function openBackendService(` / `.openBackendService =`.
    const prev = tokens[i - 1];
    if (prev?.kind === "ident" && (prev.value === "function" || prev.value === "async")) continue;
    let j = i + 1;
    if (tokens[j]?.kind === "punct" && tokens[j]!.value === "<") j = skipTypeArguments(tokens, j);
    if (j < 0 || tokens[j]?.kind !== "punct" || tokens[j]!.value !== "(") continue;
    const arg = tokens[j + 1];
    if (!arg || (arg.kind !== "string" && arg.kind !== "template") || arg.value === undefined) continue;
    const after = tokens[j + 2];
    // The literal must be the whole first argument (not `"a" + b`).
    if (after && !(after.kind === "punct" && (after.value === "," || after.value === ")")) && !(after.kind === "ident" && after.value === "as")) continue;
    out.push({ kind, name: arg.value, nameSpan: { start: arg.start + 1, end: arg.end - 1 }, calleeSpan: { start: t.start, end: t.end } });
  }
  return out;
}

/** Index after the `>` that closes the type arguments starting at `<` (tokens[i]), or -1. */
function skipTypeArguments(tokens: Token[], i: number): number {
  let depth = 0;
  for (let j = i; j < tokens.length && j < i + 200; j++) {
    const t = tokens[j]!;
    if (t.kind !== "punct") continue;
    if (t.value === "<") depth++;
    else if (t.value === ">") {
      if (--depth === 0) return j + 1;
    } else if (t.value === ";" || t.value === "{" || t.value === "}") return -1;
  }
  return -1;
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 36 || c === 95 || c >= 128;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  /** For each open `{`: true when it is a template's `${` (its `}` resumes the template). */
  const braces: boolean[] = [];
  let i = 0;
  const regexAllowed = (): boolean => {
    const p = tokens[tokens.length - 1];
    if (!p) return true;
    if (p.kind === "ident") return REGEX_AFTER_KEYWORD.has(p.value!);
    if (p.kind === "punct") return p.value !== ")" && p.value !== "]" && p.value !== "}";
    return false;
  };
  /** Scans template text from i (just after ` or }) to the closing ` or the next `${`. */
  const templatePart = (start: number, opening: boolean): void => {
    let value = "";
    let plain = opening;
    while (i < n) {
      const c = text[i]!;
      if (c === "\\") {
        value += unescapeAt(text, i);
        i += escapeLength(text, i);
        continue;
      }
      if (c === "`") {
        i++;
        tokens.push({ kind: "template", start, end: i, ...(plain ? { value } : {}) });
        return;
      }
      if (c === "$" && text[i + 1] === "{") {
        i += 2;
        braces.push(true);
        tokens.push({ kind: "template", start, end: i });
        return;
      }
      value += c;
      i++;
    }
    plain = false;
    tokens.push({ kind: "template", start, end: n });
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    // whitespace
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff || c === 0xa0 || c === 11 || c === 12) {
      i++;
      continue;
    }
    const ch = text[i]!;
    if (ch === "/" && text[i + 1] === "/") {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? n : nl;
      continue;
    }
    if (ch === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const start = i++;
      let value = "";
      let closed = false;
      while (i < n) {
        const d = text[i]!;
        if (d === "\\") {
          value += unescapeAt(text, i);
          i += escapeLength(text, i);
          continue;
        }
        if (d === ch) {
          i++;
          closed = true;
          break;
        }
        if (d === "\n") break; // unterminated: stop at the line end
        value += d;
        i++;
      }
      tokens.push({ kind: "string", start, end: i, ...(closed ? { value } : {}) });
      continue;
    }
    if (ch === "`") {
      const start = i++;
      templatePart(start, true);
      continue;
    }
    if (ch === "}" && braces.length && braces[braces.length - 1]) {
      braces.pop();
      const start = i++;
      templatePart(start, false);
      continue;
    }
    if (isIdentStart(c)) {
      const start = i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      tokens.push({ kind: "ident", start, end: i, value: text.slice(start, i) });
      continue;
    }
    if (c >= 48 && c <= 57) {
      const start = i++;
      while (i < n && (isIdentPart(text.charCodeAt(i)) || text[i] === "." || ((text[i] === "+" || text[i] === "-") && /[eE]/.test(text[i - 1]!)))) i++;
      tokens.push({ kind: "number", start, end: i });
      continue;
    }
    if (ch === "/" && regexAllowed()) {
      const start = i++;
      let inClass = false;
      while (i < n) {
        const d = text[i]!;
        if (d === "\\") {
          i += 2;
          continue;
        }
        if (d === "\n") break;
        i++;
        if (d === "[") inClass = true;
        else if (d === "]") inClass = false;
        else if (d === "/" && !inClass) break;
      }
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      tokens.push({ kind: "regex", start, end: i });
      continue;
    }
    if (ch === "{") braces.push(false);
    else if (ch === "}") braces.pop();
    tokens.push({ kind: "punct", start: i, end: i + 1, value: ch });
    i++;
  }
  return tokens;
}

function escapeLength(text: string, i: number): number {
  const c = text[i + 1];
  if (c === "x") return 4;
  if (c === "u" && text[i + 2] === "{") {
    const close = text.indexOf("}", i);
    return close < 0 ? 2 : close - i + 1;
  }
  if (c === "u") return 6;
  if (c === "\r" && text[i + 2] === "\n") return 3;
  return 2;
}

function unescapeAt(text: string, i: number): string {
  const c = text[i + 1];
  switch (c) {
    case "n":
      return "\n";
    case "t":
      return "\t";
    case "r":
      return "\r";
    case "b":
      return "\b";
    case "f":
      return "\f";
    case "v":
      return "\v";
    case "0":
      return "\0";
    case "x":
      return String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16) || 0);
    case "u": {
      const close = text.indexOf("}", i);
      const hex = text[i + 2] === "{" ? (close < 0 ? "" : text.slice(i + 3, close)) : text.slice(i + 2, i + 6);
      const cp = parseInt(hex, 16);
      return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : "";
    }
    case "\n":
    case "\r":
      return "";
    default:
      return c ?? "";
  }
}

/** The canonical name (names compare case-insensitively, as the runtime does). */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase();
}

const VALID_NAME = /^[a-z0-9_][a-z0-9_.-]*:[a-z0-9_][a-z0-9_.-]*$/;

/** The call sites of one file of the workspace. */
export interface FileServiceSites {
  /** Whatever identifies the file for the caller (URI or path). */
  file: string;
  sites: ServiceCallSite[];
}

/**
 * Findings for one file's sites, against the registrations of the whole workspace:
 *  - `invalid-service-name` (error): not `module:name` (runBackendService and openBackendService
 *    throw for it at run time);
 *  - `unknown-service` (warning): opened, but no runBackendService in the workspace registers it
 *    (nor `extraNames`, e.g. the modtasks.json declarations); with "did you mean" and a fix.
 */
export function checkServiceReferences(sites: readonly ServiceCallSite[], workspace: readonly FileServiceSites[], extraNames: readonly string[] = []): Finding[] {
  const registered = new Set<string>(extraNames.map(normalizeName));
  for (const f of workspace) for (const s of f.sites) if (s.kind === "run") registered.add(normalizeName(s.name));
  const findings: Finding[] = [];
  for (const s of sites) {
    const name = normalizeName(s.name);
    if (!VALID_NAME.test(name)) {
      findings.push({
        span: s.nameSpan,
        severity: "error",
        code: "invalid-service-name",
        message: `'${s.name}' is not a service name: expected 'module:name' (letters, digits, '_', '.', '-')`,
      });
      continue;
    }
    if (s.kind !== "open" || registered.has(name)) continue;
    const near = closestMatch(name, registered);
    findings.push({
      span: s.nameSpan,
      severity: "warning",
      code: "unknown-service",
      message: `No runBackendService('${s.name}') in this workspace${near ? `; did you mean '${near}'?` : ""}`,
      ...(near ? { data: { replacement: near, fixTitle: `Change to '${near}'` } } : {}),
    });
  }
  return findings;
}

/** Where a name is registered (go to definition from an openBackendService name). */
export function findRegistrations(name: string, workspace: readonly FileServiceSites[]): { file: string; site: ServiceCallSite }[] {
  const n = normalizeName(name);
  const out: { file: string; site: ServiceCallSite }[] = [];
  for (const f of workspace) for (const s of f.sites) if (s.kind === "run" && normalizeName(s.name) === n) out.push({ file: f.file, site: s });
  return out;
}

/** The site whose name contains `offset` (hover, definition, rename requests). */
export function siteAt(sites: readonly ServiceCallSite[], offset: number): ServiceCallSite | undefined {
  return sites.find((s) => offset >= s.nameSpan.start && offset <= s.nameSpan.end);
}
