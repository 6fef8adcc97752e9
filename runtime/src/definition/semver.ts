/**
 * Semantic-version ranges as npm writes them (`>=5.2 <6`, `^5.6`, `~1.2.3`, `1.x`, `1.2 - 2`,
 * `a || b`), enough to validate `webhareversion`/`postgresversion` and to evaluate them. A small
 * implementation of our own: the model must stay dependency-free for the language server bundle.
 * Prerelease tags compare as in semver (1.0.0-rc.1 < 1.0.0) but are not otherwise restricted.
 */

type Version = [number, number, number, string];
interface Comparator {
  op: "<" | "<=" | ">" | ">=" | "=";
  v: Version;
}

export interface SemverRange {
  /** Alternatives (`||`); each is a list of comparators that must all hold. An empty list matches everything. */
  alternatives: Comparator[][];
}

const PARTIAL = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parses a range; an error message when it is not one. */
export function parseSemverRange(raw: string): SemverRange | { error: string } {
  const alternatives: Comparator[][] = [];
  for (const part of raw.split("||")) {
    const r = parseSimpleRange(part.trim());
    if ("error" in r) return r;
    alternatives.push(r);
  }
  return { alternatives };
}

/** Whether a version (`5.6.1`, `16.2`) satisfies a range. */
export function satisfies(version: string, range: SemverRange): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  return range.alternatives.some((cs) => cs.every((c) => test(v, c)));
}

export function parseVersion(raw: string): Version | undefined {
  const m = /^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?\s*$/.exec(raw);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0), m[4] ?? ""];
}

function parseSimpleRange(s: string): Comparator[] | { error: string } {
  if (s === "") return [];
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(s);
  if (hyphen) {
    const a = partial(hyphen[1]!);
    const b = partial(hyphen[2]!);
    if (!a || !b) return { error: `'${s}' is not a version range` };
    const out: Comparator[] = [];
    if (a.major !== undefined) out.push({ op: ">=", v: a.floor() });
    if (b.major !== undefined) out.push(b.patch !== undefined ? { op: "<=", v: b.floor() } : { op: "<", v: b.bump(b.minor !== undefined ? 1 : 0) });
    return out;
  }
  // Join an operator to its version when written with a space ("> = 1" is not allowed, ">= 1" is).
  const tokens = s.replace(/(<=|>=|<|>|=|~|\^)\s+/g, "$1").split(/\s+/);
  const out: Comparator[] = [];
  for (const t of tokens) {
    const m = /^(<=|>=|<|>|=|~>?|\^)?(.*)$/.exec(t)!;
    const op = m[1] ?? "";
    const p = partial(m[2]!);
    if (!p) return { error: `'${t}' is not a version or comparator (expected e.g. '>=5.2.0', '^5.6', '~1.2', '1.x')` };
    out.push(...desugar(op, p));
  }
  return out;
}

interface Partial {
  major?: number;
  minor?: number;
  patch?: number;
  pre: string;
  floor(): Version;
  /** The first version above this partial at `level` (0 major, 1 minor, 2 patch). */
  bump(level: number): Version;
}

function partial(s: string): Partial | undefined {
  const m = PARTIAL.exec(s);
  if (!m) return undefined;
  const num = (x: string | undefined) => (x === undefined || /^[xX*]$/.test(x) ? undefined : Number(x));
  const major = num(m[1]);
  const minor = major === undefined ? undefined : num(m[2]);
  const patch = minor === undefined ? undefined : num(m[3]);
  const pre = patch === undefined ? "" : (m[4] ?? "");
  return {
    major,
    minor,
    patch,
    pre,
    floor: () => [major ?? 0, minor ?? 0, patch ?? 0, pre],
    bump: (level) => (level === 0 ? [(major ?? 0) + 1, 0, 0, ""] : level === 1 ? [major ?? 0, (minor ?? 0) + 1, 0, ""] : [major ?? 0, minor ?? 0, (patch ?? 0) + 1, ""]),
  };
}

function desugar(op: string, p: Partial): Comparator[] {
  if (p.major === undefined) return op === "<" || op === ">" ? [{ op: "<", v: [0, 0, 0, ""] }] : [];
  const level = p.minor === undefined ? 0 : p.patch === undefined ? 1 : 2;
  switch (op) {
    case "":
    case "=":
      return level === 2 ? [{ op: "=", v: p.floor() }] : [{ op: ">=", v: p.floor() }, { op: "<", v: p.bump(level) }];
    case "~":
    case "~>":
      return [{ op: ">=", v: p.floor() }, { op: "<", v: p.bump(level === 0 ? 0 : 1) }];
    case "^": {
      const upto = p.major !== 0 || level === 0 ? 0 : p.minor !== 0 || level === 1 ? 1 : 2;
      return [{ op: ">=", v: p.floor() }, { op: "<", v: p.bump(upto) }];
    }
    case ">":
      return level === 2 ? [{ op: ">", v: p.floor() }] : [{ op: ">=", v: p.bump(level) }];
    case ">=":
      return [{ op: ">=", v: p.floor() }];
    case "<":
      return [{ op: "<", v: p.floor() }];
    case "<=":
      return level === 2 ? [{ op: "<=", v: p.floor() }] : [{ op: "<", v: p.bump(level) }];
  }
  return [];
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  if (a[3] === b[3]) return 0;
  if (a[3] === "") return 1;
  if (b[3] === "") return -1;
  return a[3] < b[3] ? -1 : 1;
}

function test(v: Version, c: Comparator): boolean {
  const d = compare(v, c.v);
  switch (c.op) {
    case "<":
      return d < 0;
    case "<=":
      return d <= 0;
    case ">":
      return d > 0;
    case ">=":
      return d >= 0;
    case "=":
      return d === 0;
  }
}
