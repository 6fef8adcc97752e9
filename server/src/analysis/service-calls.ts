/**
 * Backend service names in code (issue #10): `openBackendService("module:name")` is checked
 * against the names the workspace registers, by `runBackendService("module:name", …)` calls in
 * its code and by the `services` of `modtasks.json` files beside module definitions. The sites
 * and the verdicts come from the runtime's own logic (runtime/src/services/scan-calls.ts); this
 * file adds what the workspace knows.
 */
import { checkServiceReferences, findRegistrations, normalizeName, type FileServiceSites, type ServiceCallSite } from "../../../runtime/src/services/scan-calls";
import type { Finding } from "../../../runtime/src/text/finding";
import type { Span } from "../../../runtime/src/text/span";

/** A service a modtasks.json declares. */
export interface ConfiguredService {
  /** `module:name`, lower case. */
  name: string;
  /** The modtasks.json. */
  file: string;
  /** The name's key in the file (inside its quotes). */
  keySpan: Span;
  /** Absolute path of the service's script. */
  script: string;
  onDemand: boolean;
}

/** What checking service names needs of the workspace. */
export interface ServiceLookup {
  /** The service call sites of every indexed code file (`file` is the path). */
  serviceSites(): readonly FileServiceSites[];
  /** Services declared by modtasks.json files. */
  configuredServices(): readonly ConfiguredService[];
  /** Whether the workspace has any module definition. */
  hasModules(): boolean;
}

/**
 * Findings for the service sites of one code file (`path`; its sites in the index may be older
 * than `sites`, which win): `invalid-service-name` errors and `unknown-service` warnings with
 * "did you mean". When the workspace has no module definition and registers no service at all,
 * the services a file opens live elsewhere: only invalid names are reported then.
 */
export function checkServiceCalls(sites: readonly ServiceCallSite[], path: string | undefined, lookup: ServiceLookup): Finding[] {
  if (sites.length === 0) return [];
  const workspace = withFile(lookup.serviceSites(), path, sites);
  const configured = lookup.configuredServices().map((s) => s.name);
  const findings = checkServiceReferences(sites, workspace, configured);
  const judged = lookup.hasModules() || configured.length > 0 || workspace.some((f) => f.sites.some((s) => s.kind === "run"));
  return judged ? findings : findings.filter((f) => f.code !== "unknown-service");
}

/** The workspace's sites with one file's replaced by its current ones. */
function withFile(all: readonly FileServiceSites[], path: string | undefined, sites: readonly ServiceCallSite[]): FileServiceSites[] {
  const others = path === undefined ? [...all] : all.filter((f) => f.file !== path);
  others.push({ file: path ?? "", sites: [...sites] });
  return others;
}

/** Where a service is registered: `runBackendService` calls (by file) and modtasks.json declarations. */
export interface Registrations {
  calls: { file: string; site: ServiceCallSite }[];
  configured: ConfiguredService[];
}

export function registrationsOf(name: string, lookup: ServiceLookup): Registrations {
  const n = normalizeName(name);
  return { calls: findRegistrations(name, lookup.serviceSites()), configured: lookup.configuredServices().filter((s) => s.name === n) };
}

/** Every site of a service in the workspace (opens, and registrations when asked), by file. */
export function sitesOf(name: string, lookup: ServiceLookup, kinds: readonly ServiceCallSite["kind"][]): { file: string; site: ServiceCallSite }[] {
  const n = normalizeName(name);
  const out: { file: string; site: ServiceCallSite }[] = [];
  for (const f of lookup.serviceSites()) for (const s of f.sites) if (kinds.includes(s.kind) && normalizeName(s.name) === n) out.push({ file: f.file, site: s });
  return out;
}

/**
 * Where each service's key is in a modtasks.json text: the first `"key"` after `"services"`
 * (JSON.parse gives no positions; the keys are plain names, so a search finds them).
 */
export function serviceKeySpans(text: string, keys: readonly string[]): Map<string, Span> {
  const out = new Map<string, Span>();
  const section = text.indexOf('"services"');
  if (section < 0) return out;
  for (const key of keys) {
    const quoted = JSON.stringify(key);
    let at = text.indexOf(quoted, section + 10);
    // A key, not a value that happens to be the same text.
    while (at >= 0 && !/^\s*:/.test(text.slice(at + quoted.length, at + quoted.length + 20))) at = text.indexOf(quoted, at + 1);
    if (at >= 0) out.set(key, { start: at + 1, end: at + quoted.length - 1 });
  }
  return out;
}
