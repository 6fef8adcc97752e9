import type { XmlElement } from "../xml/types";
import type { Applicability, Declaration, ServerType } from "./model";
import { SERVER_TYPES } from "./schema";
import { parseSemverRange, satisfies } from "./semver";
import { parseBoolean, splitModules, splitSpaces } from "./values";

/**
 * Applicability: whether a declaration applies to this server. A declaration that does not apply
 * stays in the model (the editor shows it as inapplicable, with the reason); the runtime skips it.
 */

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const NO_NAMES: readonly string[] = Object.freeze([]);

/**
 * What a declaration without any applicability attribute gets (most do): one shared, frozen
 * instance instead of an object and four empty arrays per declaration, which a large definition
 * built (and kept alive) by the thousand on every re-check.
 */
const APPLIES_ALWAYS: Applicability = Object.freeze({ ifEnvironSet: NO_NAMES, unlessEnvironSet: NO_NAMES, restrictServers: NO_NAMES, ifModules: NO_NAMES, allowIfRestore: false });

/** One pass over the attributes (declarations are read by the thousand; see the benchmark). */
export function readApplicability(el: XmlElement): Applicability {
  let a: Mutable<Applicability> | undefined;
  const attrs = el.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const attr = attrs[i]!;
    switch (attr.name) {
      case "ifenvironset":
        (a ??= fresh()).ifEnvironSet = splitSpaces(attr.value);
        break;
      case "unlessenvironset":
        (a ??= fresh()).unlessEnvironSet = splitSpaces(attr.value);
        break;
      case "restrictservers":
        (a ??= fresh()).restrictServers = splitSpaces(attr.value);
        break;
      case "ifmodules":
        (a ??= fresh()).ifModules = splitModules(attr.value);
        break;
      case "allowifrestore":
        (a ??= fresh()).allowIfRestore = parseBoolean(attr.value) ?? false;
        break;
      case "webhareversion":
        a ??= fresh();
        if (attr.value.trim()) a.webhareVersion = attr.value.trim();
        break;
      case "postgresversion":
        a ??= fresh();
        if (attr.value.trim()) a.postgresVersion = attr.value.trim();
        break;
      case "minservertype": {
        a ??= fresh();
        const t = serverType(attr.value);
        if (t) a.minServerType = t;
        break;
      }
      case "maxservertype": {
        a ??= fresh();
        const t = serverType(attr.value);
        if (t) a.maxServerType = t;
        break;
      }
    }
  }
  return a ?? APPLIES_ALWAYS;
}

/** Lists absent from the element stay the shared empty one. */
function fresh(): Mutable<Applicability> {
  return { ifEnvironSet: NO_NAMES, unlessEnvironSet: NO_NAMES, restrictServers: NO_NAMES, ifModules: NO_NAMES, allowIfRestore: false };
}

function serverType(v: string | undefined): ServerType | undefined {
  const t = v?.trim();
  return SERVER_TYPES.some((s) => s.value === t) ? (t as ServerType) : undefined;
}

/** Rank of a server type: development 0 < test 1 < acceptance 2 < production 3. */
export function serverTypeRank(t: string): number {
  return SERVER_TYPES.findIndex((s) => s.value === t);
}

/** What is known about the server a declaration would run on. Unknown facts impose no condition. */
export interface ApplicabilityContext {
  env: Record<string, string | undefined>;
  serverType?: string;
  /** Installed module names. */
  modules?: string[];
  serverName?: string;
  webhareVersion?: string;
  postgresVersion?: string;
  /** The server is in restore mode (only `allowifrestore` declarations run). */
  restoreMode?: boolean;
}

export interface ApplicabilityResult {
  applies: boolean;
  /** Why not, in words ("WEBHARE_IN_DOCKER is not set"). */
  reason?: string;
}

export function evaluateApplicability(decl: Declaration | { applicability: Applicability }, ctx: ApplicabilityContext): ApplicabilityResult {
  const a = decl.applicability;
  const isSet = (name: string) => {
    const v = ctx.env[name];
    return v !== undefined && v !== "";
  };
  for (const name of a.ifEnvironSet) if (!isSet(name)) return no(`${name} is not set (ifenvironset)`);
  for (const name of a.unlessEnvironSet) if (isSet(name)) return no(`${name} is set (unlessenvironset)`);
  if (ctx.serverType !== undefined) {
    const rank = serverTypeRank(ctx.serverType);
    if (rank >= 0 && a.minServerType && rank < serverTypeRank(a.minServerType)) {
      return no(`server type '${ctx.serverType}' is below minservertype '${a.minServerType}'`);
    }
    if (rank >= 0 && a.maxServerType && rank > serverTypeRank(a.maxServerType)) {
      return no(`server type '${ctx.serverType}' is above maxservertype '${a.maxServerType}'`);
    }
  }
  if (ctx.modules && a.ifModules.length > 0) {
    const installed = new Set(ctx.modules.map((m) => m.toLowerCase()));
    if (!a.ifModules.some((m) => installed.has(m.toLowerCase()))) return no(`none of the modules ${a.ifModules.join(", ")} is installed (ifmodules)`);
  }
  if (ctx.serverName !== undefined && a.restrictServers.length > 0) {
    const name = ctx.serverName;
    if (!a.restrictServers.some((mask) => wildcard(mask).test(name))) return no(`server '${name}' matches none of ${a.restrictServers.join(" ")} (restrictservers)`);
  }
  for (const [attr, want, have] of [
    ["webhareversion", a.webhareVersion, ctx.webhareVersion],
    ["postgresversion", a.postgresVersion, ctx.postgresVersion],
  ] as const) {
    if (want === undefined || have === undefined) continue;
    const range = parseSemverRange(want);
    if ("error" in range) continue; // reported by the checker
    if (!satisfies(have, range)) return no(`version ${have} does not match ${attr} '${want}'`);
  }
  if (ctx.restoreMode && !a.allowIfRestore) return no("the server is in restore mode and allowifrestore is not set");
  return { applies: true };
}

function no(reason: string): ApplicabilityResult {
  return { applies: false, reason };
}

/** A `*`/`?` wildcard mask as a case-insensitive regular expression. */
export function wildcard(mask: string): RegExp {
  const body = mask.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "i");
}
