import { LineReader } from "../control/line-reader";
/**
 * The backend service wire format, version 1 (documented in README.md, "Wire format").
 *
 * Newline-delimited JSON over a Unix domain socket: one frame per line, each a JSON object with a
 * `t` (type). JSON.stringify never emits a raw newline, so a newline always ends a frame.
 * Values (arguments, results, event data) are JSON plus Dates, binary and `undefined`, written
 * as tagged objects `{"$mt": tag, ...}`; everything else is refused with an error that names
 * the value ("argument 2 of call 'add': a Map is not supported").
 */

export const WIRE_VERSION = 1;

/** Longest frame either side accepts (binary travels as base64, a third larger). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Client to service. `open` (or `info`) must be the first frame. */
export type ClientFrame =
  | { v: number; t: "open"; args: unknown[] }
  | { v: number; t: "info" }
  | { t: "call"; id: number; method: string; args: unknown[] };

/** Service to client. An `error` with `id: null` is a protocol error: the service closes the connection after it. */
export type ServiceFrame =
  | { v: number; t: "ready"; methods: string[] }
  | { v: number; t: "refused"; message: string; name: string }
  | { t: "result"; id: number; value?: unknown }
  | { t: "error"; id: number | null; message: string; name: string }
  | { t: "event"; name: string; data?: unknown }
  | { v: number; t: "info"; service: string; pid: number; startedAt: number; connections: number };

const TAG = "$mt";

/** A value that cannot cross the wire; the message says which value and why. */
export class UnsupportedValueError extends TypeError {
  override name = "UnsupportedValueError";
}

/** A frame that breaks the format (the connection that sent it is closed). */
export class ProtocolError extends Error {
  override name = "ProtocolError";
}

/** Thrown inside encode(): what is wrong, and where inside the value (built while unwinding). */
class Refusal {
  path = "";
  constructor(readonly reason: string) {}
}

/**
 * Encodes a value for the wire. Returns the value itself when it needs no tags (the common case:
 * nothing is copied), else a copy with Dates, binary and `undefined` in arrays tagged. Throws
 * UnsupportedValueError with `what` ("argument 2 of call 'add'") and the path inside the value.
 */
export function encodeValue(value: unknown, what: string): unknown {
  try {
    return encode(value, new Set());
  } catch (e) {
    if (e instanceof Refusal) throw new UnsupportedValueError(`${what}: ${e.reason}${e.path ? ` (at ${e.path})` : ""}`);
    if (e instanceof RangeError) throw new UnsupportedValueError(`${what}: the value is nested too deeply`);
    throw e;
  }
}

/** Encodes each argument, naming it by position ("argument 2 of call 'add'"). */
export function encodeArgs(args: readonly unknown[], of: string): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const e = a === undefined ? UNDEFINED : encodeValue(a, `argument ${i + 1} of ${of}`);
    if (e !== a) (out ??= args.slice())[i] = e;
  }
  return out ?? (args as unknown[]);
}

const UNDEFINED = Object.freeze({ [TAG]: "undefined" });

function encode(v: unknown, ancestors: Set<object>): unknown {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      if (!Number.isFinite(v)) throw new Refusal(`the number ${v} is not supported (JSON has no NaN or Infinity)`);
      return v;
    case "undefined":
      return undefined;
    case "bigint":
      throw new Refusal("a bigint is not supported (send it as a string)");
    case "function":
      throw new Refusal("a function is not supported");
    case "symbol":
      throw new Refusal("a symbol is not supported");
  }
  if (v === null) return null;
  const o = v as object;
  if (Array.isArray(o)) return encodeArray(o, ancestors);
  const proto = Object.getPrototypeOf(o) as object | null;
  if (proto === Object.prototype || proto === null) return encodeObject(o as Record<string, unknown>, ancestors);
  if (o instanceof Date) {
    const t = o.getTime();
    if (Number.isNaN(t)) throw new Refusal("an invalid Date is not supported");
    return { [TAG]: "date", v: o.toISOString() };
  }
  if (o instanceof Uint8Array) return { [TAG]: "bytes", v: Buffer.from(o.buffer, o.byteOffset, o.byteLength).toString("base64") };
  throw new Refusal(describeUnsupported(o));
}

function encodeArray(a: unknown[], ancestors: Set<object>): unknown[] {
  if (ancestors.has(a)) throw new Refusal("a circular reference is not supported");
  ancestors.add(a);
  let out: unknown[] | undefined;
  for (let i = 0; i < a.length; i++) {
    const item = a[i];
    let e: unknown;
    try {
      e = item === undefined ? UNDEFINED : encode(item, ancestors);
    } catch (err) {
      if (err instanceof Refusal) err.path = `[${i}]${err.path}`;
      throw err;
    }
    if (e !== item) (out ??= a.slice())[i] = e;
  }
  ancestors.delete(a);
  return out ?? a;
}

function encodeObject(o: Record<string, unknown>, ancestors: Set<object>): unknown {
  if (ancestors.has(o)) throw new Refusal("a circular reference is not supported");
  ancestors.add(o);
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(o)) {
    const item = o[k];
    let e: unknown;
    try {
      e = encode(item, ancestors);
    } catch (err) {
      if (err instanceof Refusal) err.path = `${/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`}${err.path}`;
      throw err;
    }
    if (e !== item) (out ??= { ...o })[k] = e;
  }
  ancestors.delete(o);
  const result = out ?? o;
  // A plain object that happens to have a "$mt" key is escaped, so it cannot pass for a tag.
  return Object.prototype.hasOwnProperty.call(o, TAG) ? { [TAG]: "object", v: result } : result;
}

function describeUnsupported(o: object): string {
  if (o instanceof Map) return "a Map is not supported (use a plain object or an array of pairs)";
  if (o instanceof Set) return "a Set is not supported (use an array)";
  if (o instanceof Error) return "an Error object is not supported (send its message)";
  if (o instanceof Promise) return "a Promise is not supported (await it first)";
  if (ArrayBuffer.isView(o) || o instanceof ArrayBuffer) return `a ${o.constructor.name} is not supported (binary must be a Buffer or Uint8Array)`;
  if (o instanceof RegExp) return "a RegExp is not supported";
  const name = (o.constructor as { name?: string } | undefined)?.name;
  return name ? `an instance of class ${name} is not supported (only plain objects)` : "an object with a custom prototype is not supported (only plain objects)";
}

/**
 * Decodes a value read from the wire, reviving tags in place (the value was just parsed, so
 * nobody else holds it). Unknown or malformed tags are a ProtocolError.
 */
export function decodeValue(v: unknown): unknown {
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      if (typeof item === "object" && item !== null) v[i] = decodeValue(item);
    }
    return v;
  }
  const o = v as Record<string, unknown>;
  if (TAG in o) return decodeTag(o);
  for (const k in o) {
    const item = o[k];
    if (typeof item === "object" && item !== null) o[k] = decodeValue(item);
  }
  return o;
}

function decodeTag(o: Record<string, unknown>): unknown {
  const tag = o[TAG];
  const payload = o.v;
  switch (tag) {
    case "date":
      if (typeof payload === "string") {
        const d = new Date(payload);
        if (!Number.isNaN(d.getTime())) return d;
      }
      break;
    case "bytes":
      if (typeof payload === "string") return Buffer.from(payload, "base64");
      break;
    case "undefined":
      return undefined;
    case "object":
      if (typeof payload === "object" && payload !== null && !Array.isArray(payload)) {
        const inner = payload as Record<string, unknown>;
        for (const k in inner) inner[k] = decodeValue(inner[k]);
        return inner;
      }
      break;
  }
  throw new ProtocolError(`malformed tagged value ${JSON.stringify(o).slice(0, 80)}`);
}

/**
 * Splits a stream of text into frames (one per line) and parses them. The callback gets each
 * parsed frame; a line that is not a JSON object, or a line longer than MAX_FRAME_BYTES, is
 * passed to `onMalformed` and reading stops (the caller closes the connection).
 */
export class FrameReader {
  private readonly lines: LineReader;

  constructor(
    private readonly onFrame: (frame: Record<string, unknown>) => void,
    private readonly onMalformed: (reason: string) => void,
  ) {
    this.lines = new LineReader((line) => this.line(line), () => this.onMalformed(`frame longer than ${MAX_FRAME_BYTES} bytes`), MAX_FRAME_BYTES);
  }

  push(chunk: string): void {
    this.lines.push(chunk);
  }

  private line(line: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(line);
    } catch (e) {
      return this.fail(`not JSON (${(e as Error).message})`);
    }
    if (typeof frame !== "object" || frame === null || Array.isArray(frame)) return this.fail("a frame must be a JSON object");
    this.onFrame(frame as Record<string, unknown>);
  }

  /** Stops reading (after a protocol error). */
  stop(): void {
    this.lines.stop();
  }

  private fail(reason: string): void {
    this.stop();
    this.onMalformed(reason);
  }
}

/** Serializes one frame (a line). */
export function frameLine(frame: ClientFrame | ServiceFrame): string {
  return JSON.stringify(frame) + "\n";
}

/** An error as a frame carries it: message and name (a thrown non-Error becomes its string). */
export function errorParts(e: unknown): { message: string; name: string } {
  if (e instanceof Error) return { message: e.message, name: e.name };
  return { message: String(e), name: "Error" };
}

/** Rebuilds an error from a frame's message and name. */
export function errorFromFrame(message: unknown, name: unknown): Error {
  const e = new Error(typeof message === "string" ? message : "unknown error");
  if (typeof name === "string" && name && name !== "Error") e.name = name;
  return e;
}

/** Names a handler may not expose as remote methods. */
const RESERVED = new Set(["close", "emit", "onClose", "constructor", "then"]);

/** Whether a property name can be a remote method (public: not `_x`, not reserved). */
export function isPublicMethodName(name: string): boolean {
  return name.length > 0 && name[0] !== "_" && !RESERVED.has(name);
}

/** The public methods of a handler: own and inherited functions, up to (not including) Object.prototype. */
export function publicMethods(handler: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = handler; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const k of Object.getOwnPropertyNames(o)) {
      if (!isPublicMethodName(k) || names.has(k)) continue;
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (d && typeof d.value === "function") names.add(k);
    }
  }
  return [...names];
}
