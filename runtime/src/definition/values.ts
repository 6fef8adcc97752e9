/**
 * Parsing of attribute values, shared by the model (which applies defaults when a value is
 * invalid) and the checker (which reports why it is invalid). Lexical rules are those of XML
 * Schema, which WebHare validates module definitions with.
 */

/** A letter, `_` or `$` first, then letters, digits, `_` or `$` (Unicode letters and digits, as in WebHare's XSD). */
export const NAME_PATTERN = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;
const ASCII_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** NAME_PATTERN with a fast path for ASCII names (the usual case). */
export function isName(v: string): boolean {
  return ASCII_NAME.test(v) || NAME_PATTERN.test(v);
}
/** `name` or `module:name`. */
export const QUALIFIED_NAME_PATTERN = /^(?:[\p{L}_$][\p{L}\p{N}_$]*:)?[\p{L}_$][\p{L}\p{N}_$]*$/u;
/** An environment variable name. */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

const INTEGER = /^\s*([+-]?\d+)\s*$/;

/** XML Schema integer (surrounding white space allowed). Undefined when not an integer. */
export function parseInteger(raw: string): number | undefined {
  // The usual value is plain digits: read them without a regular expression (whose match array
  // and substring were a few hundred thousand objects per check of a large file). Up to 15 digits
  // is always a safe integer, as the general path below would find.
  const len = raw.length;
  if (len > 0 && len <= 15) {
    let n = 0;
    let i = 0;
    for (; i < len; i++) {
      const d = raw.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === len) return n;
  }
  const m = INTEGER.exec(raw);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** XML Schema boolean: `true`, `false`, `1`, `0` (surrounding white space allowed). */
export function parseBoolean(raw: string): boolean | undefined {
  const v = raw.trim();
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  return undefined;
}

/** Splits a space-separated list. */
export function splitSpaces(raw: string): string[] {
  return raw.split(/\s+/).filter((s) => s !== "");
}

/** Splits a module list: `;`, `,` and white space all separate. */
export function splitModules(raw: string): string[] {
  return raw.split(/[;,\s]+/).filter((s) => s !== "");
}

/** `H:MM` of the deprecated `runtime` attribute, as hours and minutes. */
export function parseTimeOfDay(raw: string): { hours: number; minutes: number } | undefined {
  const m = /^\s*([012]?\d):([0-5]\d)\s*$/.exec(raw);
  if (!m) return undefined;
  const hours = Number(m[1]);
  return hours < 24 ? { hours, minutes: Number(m[2]) } : undefined;
}

/** "3600 minutes = 60 hours", "90000000 ms = 25 hours": a duration spelled out for messages. */
export function describeDuration(ms: number): string {
  // Days only from 4 days up: "3600 minutes = 60 hours" reads better than "2.5 days".
  const units: [number, string][] = [
    [4 * 86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1000, "second"],
  ];
  for (const [size, name] of units) {
    if (ms >= size) {
      const v = ms / (name === "day" ? 86_400_000 : size);
      const shown = Number.isInteger(v) ? String(v) : v.toFixed(1).replace(/\.0$/, "");
      return `${shown} ${name}${shown === "1" ? "" : "s"}`;
    }
  }
  return `${ms} ms`;
}
