/**
 * Task data, auxdata and results are JSON. A value that JSON would silently change (a function
 * dropped, a Map turned into {}, NaN turned into null, a cycle) is refused with a message that
 * names where it is, so the mistake shows at schedule time instead of as a puzzling task run.
 */
export class JsonValueError extends Error {}

export function toJsonText(value: unknown, what: string): string {
  checkJson(value, what, new Set());
  return JSON.stringify(value === undefined ? null : value);
}

export function fromJsonText(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return null;
  return JSON.parse(text);
}

function checkJson(v: unknown, path: string, seen: Set<object>): void {
  switch (typeof v) {
    case "undefined":
      return; // undefined members are dropped by JSON, like optional properties
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(v)) throw new JsonValueError(`${path} is ${v}, which is not JSON-serialisable`);
      return;
    case "bigint":
      throw new JsonValueError(`${path} is a BigInt, which is not JSON-serialisable (convert it to a string or number)`);
    case "function":
      throw new JsonValueError(`${path} is a function, which is not JSON-serialisable`);
    case "symbol":
      throw new JsonValueError(`${path} is a symbol, which is not JSON-serialisable`);
  }
  if (v === null) return;
  const o = v as object;
  if (o instanceof Date) {
    if (isNaN(o.getTime())) throw new JsonValueError(`${path} is an invalid Date`);
    return; // stored as its ISO string
  }
  if (seen.has(o)) throw new JsonValueError(`${path} refers back to itself (a cycle), which is not JSON-serialisable`);
  if (Array.isArray(o)) {
    seen.add(o);
    o.forEach((item, i) => checkJson(item, `${path}[${i}]`, seen));
    seen.delete(o);
    return;
  }
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null && typeof (o as { toJSON?: unknown }).toJSON !== "function") {
    const name = (o as { constructor?: { name?: string } }).constructor?.name ?? "object";
    throw new JsonValueError(`${path} is a ${name}, which is not JSON-serialisable (use a plain object or array)`);
  }
  seen.add(o);
  for (const [k, item] of Object.entries(o)) checkJson(item, /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, seen);
  seen.delete(o);
}
