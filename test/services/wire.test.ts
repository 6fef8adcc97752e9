/**
 * The wire format's pieces on their own: value encoding (what is supported, what is refused and
 * how the refusal names the value), decoding, and frame splitting.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeValue, encodeArgs, encodeValue, FrameReader, ProtocolError, publicMethods, UnsupportedValueError } from "../../runtime/src/services/wire";

const roundTrip = (v: unknown) => decodeValue(JSON.parse(JSON.stringify(encodeValue(v, "value"))));

describe("values", () => {
  it("passes plain JSON through without copying", () => {
    const v = { a: [1, "x", { b: null, c: true }], d: -0.5 };
    assert.equal(encodeValue(v, "value"), v);
    const args = [1, "two", v];
    assert.equal(encodeArgs(args, "call 'f'"), args);
  });

  it("round-trips Dates, binary, undefined in arrays and '$mt' keys", () => {
    const d = new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999));
    const v = { d, b: Buffer.from("héllo"), u: new Uint8Array([1, 2, 3]).subarray(1), arr: [undefined, 1], $mt: "x", deep: { $mt: { v: 1 } } };
    const back = roundTrip(v) as typeof v;
    assert.deepEqual(back.d, d);
    assert.equal(back.b.toString(), "héllo");
    assert.deepEqual([...back.u], [2, 3], "a subarray sends only its own bytes");
    assert.deepEqual(back.arr, [undefined, 1]);
    assert.equal(back.$mt, "x");
    assert.deepEqual(back.deep, { $mt: { v: 1 } });
    assert.equal(Object.hasOwn(roundTrip({ gone: undefined }) as object, "gone"), false, "undefined properties are left out, as in JSON");
    assert.deepEqual(roundTrip(Object.assign(Object.create(null) as object, { a: 1 })), { a: 1 }, "null-prototype objects are plain");
  });

  it("does not modify the caller's value when it tags", () => {
    const v = { when: new Date(0), list: [new Date(1)] };
    encodeValue(v, "value");
    assert.ok(v.when instanceof Date && v.list[0] instanceof Date);
  });

  for (const [value, message] of [
    [new Map(), "a Map is not supported (use a plain object or an array of pairs)"],
    [new Set(), "a Set is not supported (use an array)"],
    [() => 1, "a function is not supported"],
    [Symbol("s"), "a symbol is not supported"],
    [1n, "a bigint is not supported (send it as a string)"],
    [Infinity, "the number Infinity is not supported (JSON has no NaN or Infinity)"],
    [new Error("x"), "an Error object is not supported (send its message)"],
    [Promise.resolve(1), "a Promise is not supported (await it first)"],
    [new Float64Array(2), "a Float64Array is not supported (binary must be a Buffer or Uint8Array)"],
    [new ArrayBuffer(2), "a ArrayBuffer is not supported (binary must be a Buffer or Uint8Array)"],
    [/re/, "a RegExp is not supported"],
    [new (class Money {})(), "an instance of class Money is not supported (only plain objects)"],
  ] as const) {
    it(`refuses ${message.split(" is ")[0]}`, () => {
      assert.throws(() => encodeArgs(["ok", value], "call 'f'"), (e: Error) => e instanceof UnsupportedValueError && e.message === `argument 2 of call 'f': ${message}`);
    });
  }

  it("says where inside the value the problem is", () => {
    assert.throws(() => encodeValue({ list: [{ ok: 1 }, { "odd key": new Map() }] }, "result of call 'g'"), {
      message: `result of call 'g': a Map is not supported (use a plain object or an array of pairs) (at .list[1]["odd key"])`,
    });
    const a: unknown[] = [1];
    a.push([a]);
    assert.throws(() => encodeValue(a, "value"), { message: "value: a circular reference is not supported (at [1][0])" });
  });

  it("refuses malformed tags when decoding", () => {
    for (const bad of [{ $mt: "date", v: "yesterday" }, { $mt: "bytes", v: 1 }, { $mt: "what" }, { $mt: "object", v: [1] }]) {
      assert.throws(() => decodeValue([bad]), ProtocolError);
    }
  });
});

describe("frames", () => {
  it("splits frames across and within chunks", () => {
    const got: unknown[] = [];
    const r = new FrameReader((f) => got.push(f), () => assert.fail("malformed"));
    r.push('{"a":1}\n{"b"');
    r.push(':2}\n\n{"c":"é');
    r.push('"}\n');
    assert.deepEqual(got, [{ a: 1 }, { b: 2 }, { c: "é" }]);
  });

  it("stops at the first malformed frame", () => {
    const got: unknown[] = [];
    const bad: string[] = [];
    const r = new FrameReader((f) => got.push(f), (why) => bad.push(why));
    r.push('{"a":1}\n"just a string"\n{"b":2}\n');
    r.push('{"c":3}\n');
    assert.deepEqual(got, [{ a: 1 }]);
    assert.deepEqual(bad, ["a frame must be a JSON object"]);
  });
});

describe("public methods", () => {
  it("lists own and inherited functions, not _names, close, emit, onClose or constructor", () => {
    class Base {
      inherited() {}
      close() {}
      emit() {}
    }
    class H extends Base {
      field = () => 1;
      notAFunction = 3;
      own() {}
      _hidden() {}
      onClose() {}
    }
    assert.deepEqual(publicMethods(new H()).sort(), ["field", "inherited", "own"]);
    assert.deepEqual(publicMethods({ a() {}, b: 1, _c() {} }), ["a"]);
  });
});
