/**
 * Backend services end to end: a runtime (in this process) starts the svcmod fixture's service
 * processes; this process is a client. Calls, errors, events, per-client handlers, restart after
 * a crash, on-demand start, timeouts, linger (a client script as a child process), malformed
 * messages and unsupported values. No sleeps: every wait is on an event.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createConnection } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openBackendService } from "../../runtime/src/api/index";
import { serviceSocketPath } from "../../runtime/src/services/names";
import { ServiceManager } from "../../runtime/src/services/service-manager";
import { FIXTURES, listening, REPO, row, type ServiceHarness, startServiceHarness, waitForStatus } from "./harness";

interface Counter {
  increment(by?: number): number;
  add(a: number, b: number): number;
  echo<T>(value: T): T;
  slowEcho<T>(value: T): Promise<T>;
  whoami(): { id: number; pid: number };
  fail(message: string): never;
  failAsync(message: string): Promise<never>;
  ping(n: number): string;
  badResult(): unknown;
  badEvent(): void;
  broadcast(event: string, data: unknown): number;
  closeMe(): void;
  _internal(): string;
}

describe("backend services", { timeout: 60_000 }, () => {
  let h: ServiceHarness;
  before(async () => {
    h = await startServiceHarness();
    await waitForStatus(h.services, listening("svcmod:counter"));
  });
  after(async () => {
    await h?.stop();
  });

  const counter = (start: unknown = 0, opts = {}) => openBackendService<Counter>("svcmod:counter", [start], { timeout: 10_000, ...opts });

  describe("calls", () => {
    it("calls methods with arguments and returns their results", async () => {
      const c = await counter(10);
      try {
        assert.equal(await c.add(2, 3), 5);
        assert.equal(await c.increment(), 11);
        assert.equal(await c.increment(5), 16);
        assert.deepEqual(await c.echo({ a: [1, "two", null, true], nested: { deep: { x: 1.5 } } }), { a: [1, "two", null, true], nested: { deep: { x: 1.5 } } });
        assert.equal(await c.slowEcho("async"), "async");
      } finally {
        c.close();
      }
    });

    it("round-trips Dates, Buffers, Uint8Arrays, undefined in arrays and objects with a '$mt' key", async () => {
      const c = await counter();
      try {
        const when = new Date(Date.UTC(2026, 2, 29, 1, 30, 0, 123));
        const value = {
          when,
          blob: Buffer.from([0, 1, 2, 254, 255]),
          list: [undefined, null, when],
          tricky: { $mt: "date", v: "not a tag" },
          empty: Buffer.alloc(0),
        };
        const back = (await c.echo(value)) as typeof value;
        assert.ok(back.when instanceof Date);
        assert.equal(back.when.getTime(), when.getTime());
        assert.ok(Buffer.isBuffer(back.blob));
        assert.deepEqual([...back.blob], [0, 1, 2, 254, 255]);
        assert.deepEqual(back.list, [undefined, null, when]);
        assert.deepEqual(back.tricky, { $mt: "date", v: "not a tag" });
        assert.equal(back.empty.length, 0);
        const u8 = (await c.echo(new Uint8Array([7, 8, 9]))) as Buffer;
        assert.ok(Buffer.isBuffer(u8), "a Uint8Array arrives as a Buffer");
        assert.deepEqual([...u8], [7, 8, 9]);
        assert.equal(await c.echo(undefined), undefined);
      } finally {
        c.close();
      }
    });

    it("rejects with the handler's message and error name, sync and async", async () => {
      const c = await counter();
      try {
        await assert.rejects(c.fail("out of range!"), (e: Error) => e.message === "out of range!" && e.name === "RangeError");
        await assert.rejects(c.failAsync("async boom"), { message: "async boom" });
        await assert.rejects((c as unknown as { nosuch(): Promise<void> }).nosuch(), { message: "Service 'svcmod:counter' has no method 'nosuch'" });
        assert.equal(await c.add(1, 1), 2, "the connection survives errors");
      } finally {
        c.close();
      }
    });

    it("exposes only public methods: not _names, not close/emit/onClose", async () => {
      const c = await counter();
      try {
        assert.equal((c as unknown as Record<string, unknown>)._internal, undefined);
        assert.equal((c as unknown as Record<string, unknown>).then, undefined, "the proxy is not a thenable");
        assert.equal((c as unknown as Record<string, unknown>).onClose, undefined);
        assert.equal(typeof (c as unknown as Record<string, unknown>).anything, "function", "any other name is a remote call");
        await assert.rejects((c as unknown as { _internal?: () => Promise<string> })._internal?.() ?? Promise.reject(new Error("not exposed")), { message: "not exposed" });
      } finally {
        c.close();
      }
    });

    it("rejects pending and later calls once closed", async () => {
      const c = await counter();
      await c.add(1, 2);
      const closed = once(c as never, "close");
      c.close();
      await closed;
      await assert.rejects(c.add(1, 2), { message: "Connection to service 'svcmod:counter' is closed" });
    });

    it("lets the handler close the connection: the proxy emits close, calls reject", async () => {
      const c = await counter();
      const closed = once(c as never, "close");
      assert.equal(await c.closeMe(), undefined, "the call that closes still gets its answer");
      await closed;
      await assert.rejects(c.add(1, 2), /closed the connection|is closed/);
    });
  });

  describe("events and handlers", () => {
    it("delivers events the handler emits, before the call's result", async () => {
      const c = await counter();
      try {
        const got: unknown[] = [];
        c.on("pong", (data) => got.push(data));
        assert.equal(await c.ping(Date.UTC(2020, 0, 1)), "sent");
        assert.deepEqual(got, [{ n: Date.UTC(2020, 0, 1), at: new Date(Date.UTC(2020, 0, 1)) }]);
      } finally {
        c.close();
      }
    });

    it("gives each client its own handler (state), and runs onClose when a client goes", async () => {
      const a = await counter(100);
      const b = await counter(200);
      try {
        assert.equal(await a.increment(), 101);
        assert.equal(await b.increment(), 201);
        assert.equal(await a.increment(), 102);
        const idA = (await a.whoami()).id;
        assert.notEqual(idA, (await b.whoami()).id);
        // b hears about a's departure only through a's handler's onClose.
        const left = once(b as never, "left");
        a.close();
        assert.deepEqual((await left)[0], { id: idA });
        assert.equal(await b.increment(), 202);
      } finally {
        b.close();
      }
    });

    it("counts connections per service in the runtime's status", async () => {
      const a = await counter();
      const b = await counter();
      try {
        await a.add(0, 0);
        await b.add(0, 0);
        const r = await waitForStatus(h.services, (rows) => rows.find((x) => x.name === "svcmod:counter" && x.connections >= 2));
        assert.ok(r.connections >= 2);
      } finally {
        a.close();
        b.close();
      }
    });

    it("runs onClose when the client process exits (killed, without close())", async () => {
      const observer = await counter();
      try {
        const proc = spawn(process.execPath, ["--import", "tsx", join(FIXTURES, "exit-client.ts")], { cwd: REPO, env: { ...process.env, ...h.env }, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        const id = await new Promise<number>((resolve, reject) => {
          proc.stdout.setEncoding("utf8").on("data", (d: string) => {
            out += d;
            const m = /id (\d+)/.exec(out);
            if (m) resolve(Number(m[1]));
          });
          proc.once("exit", (code) => reject(new Error(`the client exited (${code}) before it connected: ${out}`)));
        });
        const left = new Promise<unknown>((resolve) => {
          const onLeft = (data: { id: number }) => {
            if (data.id !== id) return;
            observer.off("left", onLeft);
            resolve(data);
          };
          observer.on("left", onLeft);
        });
        proc.kill("SIGKILL");
        assert.deepEqual(await left, { id }, "the handler of the killed client ran onClose");
      } finally {
        observer.close();
      }
    });

    it("awaitConstructor: a factory that never returns fails after the timeout instead of hanging", async () => {
      await assert.rejects(counter("hang", { awaitConstructor: true, timeout: 300 }), {
        message: "Service 'svcmod:counter' did not accept the connection within 300 ms: its factory has not returned a handler",
      });
      const c = await counter(1);
      try {
        assert.equal(await c.increment(), 2, "the service serves others meanwhile");
      } finally {
        c.close();
      }
    });

    it("awaitConstructor: resolves after the factory, and rejects with its error", async () => {
      const c = await counter("slow", { awaitConstructor: true });
      assert.equal(await c.increment(), 1);
      c.close();
      await assert.rejects(counter("refuse", { awaitConstructor: true }), (e: Error) => e.message === "the counter refuses this client" && e.name === "TypeError");
      // Without awaitConstructor the refusal reaches the first call instead.
      const late = await counter("refuse");
      await assert.rejects(late.add(1, 2), { message: "the counter refuses this client" });
    });
  });

  describe("values that cannot cross", () => {
    it("rejects unsupported arguments, naming the argument and where inside it", async () => {
      const c = await counter();
      try {
        await assert.rejects(c.add(1, new Map() as never), { name: "UnsupportedValueError", message: "argument 2 of call 'add': a Map is not supported (use a plain object or an array of pairs)" });
        await assert.rejects(c.echo({ a: [1, () => 1] }), { message: "argument 1 of call 'echo': a function is not supported (at .a[1])" });
        await assert.rejects(c.echo(10n), { message: "argument 1 of call 'echo': a bigint is not supported (send it as a string)" });
        class Point {
          x = 1;
        }
        await assert.rejects(c.echo({ p: new Point() }), { message: "argument 1 of call 'echo': an instance of class Point is not supported (only plain objects) (at .p)" });
        const cyclic: Record<string, unknown> = { name: "loop" };
        cyclic.self = cyclic;
        await assert.rejects(c.echo(cyclic), { message: "argument 1 of call 'echo': a circular reference is not supported (at .self)" });
        await assert.rejects(c.echo(NaN), { message: "argument 1 of call 'echo': the number NaN is not supported (JSON has no NaN or Infinity)" });
        await assert.rejects(c.echo(new Date(NaN)), { message: "argument 1 of call 'echo': an invalid Date is not supported" });
        await assert.rejects(openBackendService("svcmod:counter", [new Set()]), { message: "argument 1 of openBackendService('svcmod:counter'): a Set is not supported (use an array)" });
        // A value used twice (not a cycle) is fine.
        const shared = { x: 1 };
        assert.deepEqual(await c.echo([shared, shared]), [{ x: 1 }, { x: 1 }]);
      } finally {
        c.close();
      }
    });

    it("rejects unsupported results and event data with the call or event named", async () => {
      const c = await counter();
      try {
        await assert.rejects(c.badResult(), { message: "result of call 'badResult': a Map is not supported (use a plain object or an array of pairs)" });
        await assert.rejects(c.badEvent(), { message: "data of event 'bad': a Set is not supported (use an array) (at .lookup)" });
        assert.equal(await c.add(2, 2), 4);
      } finally {
        c.close();
      }
    });
  });

  describe("the wire", () => {
    /** A raw socket to the counter: send lines, collect what comes back until it closes. */
    function rawExchange(lines: string[]): Promise<{ frames: Record<string, unknown>[]; closed: boolean }> {
      return new Promise((resolve, reject) => {
        const s = createConnection(serviceSocketPath(h.services.dir, "svcmod:counter"));
        let text = "";
        s.setEncoding("utf8");
        s.on("data", (d: string) => (text += d));
        s.on("error", reject);
        s.on("connect", () => {
          for (const l of lines) s.write(l);
        });
        s.on("close", () =>
          resolve({
            frames: text
              .split("\n")
              .filter(Boolean)
              .map((l) => JSON.parse(l) as Record<string, unknown>),
            closed: true,
          }),
        );
      });
    }

    it("rejects a malformed message with an error frame and closes only that connection", async () => {
      const survivor = await counter(5);
      try {
        for (const bad of ["this is not json\n", "[1,2,3]\n", '{"v":1,"t":"call","id":1,"method":"add","args":[1,2]}\n', '{"v":1,"t":"open","args":"x"}\n']) {
          const r = await rawExchange([bad]);
          assert.equal(r.closed, true);
          const f = r.frames[0]!;
          assert.equal(f.t, "error", bad);
          assert.equal(f.id, null);
          assert.equal(f.name, "ProtocolError");
          assert.match(String(f.message), /^(malformed message: |call before open|'open' needs)/, bad);
        }
        // After a good open, a bad tag or a bad call closes that connection too.
        const tagged = await rawExchange(['{"v":1,"t":"open","args":[]}\n', '{"t":"call","id":1,"method":"echo","args":[{"$mt":"nonsense"}]}\n']);
        assert.deepEqual(
          tagged.frames.find((f) => f.t === "error"),
          { t: "error", id: null, message: 'malformed tagged value {"$mt":"nonsense"}', name: "ProtocolError" },
        );
        // Version mismatch is refused, and says which version the service speaks.
        const v2 = await rawExchange(['{"v":2,"t":"open","args":[]}\n']);
        assert.deepEqual(v2.frames, [{ v: 1, t: "refused", message: "unsupported protocol version 2 (this service speaks 1)", name: "ProtocolError" }]);
        // The service, and a client that was connected all along, carry on.
        assert.equal(await survivor.increment(), 6);
        const fresh = await counter();
        assert.equal(await fresh.add(20, 22), 42);
        fresh.close();
        assert.equal(row(h.services, "svcmod:counter")?.restarts, 0, "no crash");
      } finally {
        survivor.close();
      }
    });

    it("answers an info probe with the service's name, pid and connections", async () => {
      const r = await rawExchange(['{"v":1,"t":"info"}\n']);
      const f = r.frames[0]!;
      assert.equal(f.t, "info");
      assert.equal(f.service, "svcmod:counter");
      assert.equal(f.pid, row(h.services, "svcmod:counter")?.pid);
    });
  });

  describe("lifecycle", () => {
    it("does not restart a <runatstartup> script that exits with code 0", async () => {
      const r = await waitForStatus(h.services, (rows) => rows.find((x) => x.key === "svcmod:lib/oneshot.ts" && x.lastExit));
      assert.equal(r.state, "stopped");
      assert.equal(r.restarts, 0);
      assert.equal(r.lastExit?.code, 0);
      assert.ok(h.logs.some((l) => l.includes("oneshot ran")));
    });

    it("starts an on-demand service when a client opens it", async () => {
      assert.equal(row(h.services, "svcmod:greeter")?.state, "stopped");
      assert.equal(row(h.services, "svcmod:greeter")?.pid, null);
      const g = await openBackendService<{ greet(who: string): string; pid(): number }>("svcmod:greeter", ["Hi"], { timeout: 15_000 });
      try {
        assert.equal(await g.greet("there"), "Hi, there!");
        const r = row(h.services, "svcmod:greeter")!;
        assert.equal(r.state, "running");
        assert.equal(r.pid, await g.pid());
      } finally {
        g.close();
      }
    });

    it("notOnDemand: does not start it, and fails with 'is unavailable' after the timeout", async () => {
      await assert.rejects(openBackendService("svcmod:lazy", [], { timeout: 300, notOnDemand: true }), { message: "Service 'svcmod:lazy' is unavailable" });
      assert.equal(row(h.services, "svcmod:lazy")?.state, "stopped");
    });

    it("fails with 'is unavailable' after the timeout for a service nobody serves", async () => {
      const t0 = Date.now();
      await assert.rejects(openBackendService("svcmod:nosuch", [], { timeout: 250 }), { message: "Service 'svcmod:nosuch' is unavailable" });
      assert.ok(Date.now() - t0 >= 240, "waited for the timeout");
    });

    it("fails early, with the reason, when an on-demand service dies before it listens", async () => {
      await assert.rejects(openBackendService("svcmod:broken", [], { timeout: 20_000 }), (e: Error) => {
        assert.match(e.message, /^Service 'svcmod:broken' is unavailable: its process exited \(code 1: Error: broken service cannot start\) before it listened$/);
        return true;
      });
    });

    it("restarts a killed service process; a client waiting in openBackendService connects once it is back", async () => {
      const before = row(h.services, "svcmod:counter")!;
      assert.ok(before.pid);
      const exited = new Promise<void>((resolve) => {
        const onExit = (e: { key: string }) => {
          if (e.key !== before.key) return;
          h.services.off("exit", onExit);
          resolve();
        };
        h.services.on("exit", onExit);
      });
      process.kill(before.pid, "SIGKILL");
      await exited;
      const during = row(h.services, "svcmod:counter")!;
      assert.equal(during.state, "restarting", "the client below starts waiting while the service is down");
      assert.equal(during.listening, false);
      const c = await counter(1, { timeout: 20_000 });
      try {
        assert.equal(await c.increment(), 2);
        const after = row(h.services, "svcmod:counter")!;
        assert.equal(after.restarts, before.restarts + 1);
        assert.notEqual(after.pid, before.pid);
        assert.equal((await c.whoami()).pid, after.pid);
        assert.equal(after.lastExit?.signal, "SIGKILL");
      } finally {
        c.close();
      }
    });
  });

  describe("restart backoff", () => {
    /** A manager for the crashmod fixture alone, recording each restart it schedules. */
    async function crashes(opts: { backoffMs: number; maxBackoffMs: number; healthyAfterMs: number }, count: number): Promise<{ delay: number; crashes: number }[]> {
      const dir = join(FIXTURES, "crashmod");
      const m = new ServiceManager({
        modules: [{ name: "crashmod", dir, file: join(dir, "moduledefinition.xml") }],
        serviceDir: join(h.services.dir, "..", "crashmod.services"),
        controlSocket: null,
        db: h.db,
        log: () => {},
        ...opts,
      });
      const seen: { delay: number; crashes: number }[] = [];
      const done = new Promise<void>((resolve) =>
        m.on("backoff", (e: { delay: number; crashes: number }) => {
          seen.push({ delay: e.delay, crashes: e.crashes });
          if (seen.length === count) resolve();
        }),
      );
      m.start();
      await done;
      await m.stop();
      return seen;
    }

    it("doubles the delay with every crash in a row, up to the maximum", async () => {
      const seen = await crashes({ backoffMs: 10, maxBackoffMs: 80, healthyAfterMs: 3_600_000 }, 5);
      assert.deepEqual(seen, [
        { delay: 10, crashes: 1 },
        { delay: 20, crashes: 2 },
        { delay: 40, crashes: 3 },
        { delay: 80, crashes: 4 },
        { delay: 80, crashes: 5 },
      ]);
    });

    it("starts over after a process that ran long enough to count as healthy", async () => {
      // healthyAfterMs 0: every run counts as healthy, so every crash is the first of a streak.
      const seen = await crashes({ backoffMs: 10, maxBackoffMs: 80, healthyAfterMs: 0 }, 3);
      assert.deepEqual(seen.map((e) => e.delay), [10, 10, 10]);
    });
  });

  describe("linger", () => {
    /** Runs test/fixtures/services/linger-client.ts as its own process. */
    function client(mode: "linger" | "plain") {
      const proc = spawn(process.execPath, ["--import", "tsx", join(FIXTURES, "linger-client.ts"), mode], {
        cwd: REPO,
        env: { ...process.env, ...h.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      proc.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
      proc.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
      const exited = once(proc, "exit").then(([code]) => ({ code: code as number | null, out, err }));
      const said = (text: string) =>
        new Promise<void>((resolve, reject) => {
          const check = () => (out.includes(text) ? resolve() : undefined);
          proc.stdout.on("data", check);
          void exited.then((r) => reject(new Error(`client exited (${r.code}) before saying '${text}': ${r.out}${r.err}`)));
          check();
        });
      return { proc, exited, said };
    }

    it("without linger, an idle connection lets the client process exit on its own", async () => {
      const c = client("plain");
      const r = await c.exited;
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /joined 2/);
      assert.doesNotMatch(r.out, /heard/);
    });

    it("with linger, the client process stays alive until close()", async () => {
      const c = client("linger");
      await c.said("joined");
      // Only a live process can hear this; it closes when it does and may then exit.
      const mine = await counter();
      try {
        assert.ok((await mine.broadcast("bye", { from: "test" })) >= 1);
      } finally {
        mine.close();
      }
      const r = await c.exited;
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /heard bye from test/);
    });
  });
});
