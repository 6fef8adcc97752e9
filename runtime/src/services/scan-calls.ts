/**
 * Finds backend service names in TypeScript/JavaScript source, for the language server:
 * `runBackendService("module:name", ...)` registrations and `openBackendService("module:name")`
 * uses, each with the span of the name. Read with the shared JS lexer (text/js-tokens.ts, not a
 * parser): comments, strings, template literals and regular expressions are skipped, so a name
 * inside a comment or a string is never reported; type arguments are accepted
 * (`openBackendService<Api>("x")`).
 * Only string literals count; a computed name (`openBackendService(name)`) is not reported.
 *
 * checkServiceReferences() turns the sites of a workspace into findings ("did you mean");
 * findRegistrations() answers go to definition.
 */
import type { Finding } from "../text/finding";
import { isPunct, literalCalls, tokenizeJs } from "../text/js-tokens";
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

/** Every runBackendService/openBackendService call whose first argument is a string literal. */
export function scanServiceCalls(text: string): ServiceCallSite[] {
  if (!text.includes("BackendService")) return [];
  const out: ServiceCallSite[] = [];
  for (const { callee, literal, after } of literalCalls(tokenizeJs(text), isCallee)) {
    // A closed literal without substitutions, and the whole first argument (not `"a" + b`).
    if (literal.value === undefined) continue;
    if (after && !isPunct(after, ",") && !isPunct(after, ")") && !(after.kind === "ident" && after.value === "as")) continue;
    out.push({ kind: CALLEES[callee.value!]!, name: literal.value, nameSpan: { start: literal.start + 1, end: literal.end - 1 }, calleeSpan: { start: callee.start, end: callee.end } });
  }
  return out;
}

function isCallee(name: string): boolean {
  return Object.hasOwn(CALLEES, name);
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
