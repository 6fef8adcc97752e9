/**
 * The client side: `openBackendService("module:name", args, options)` connects to a service by
 * name (waiting for it, and asking the runtime to start an on-demand service) and returns a proxy
 * on which every public method of the service's handler is a promise-returning call.
 */
import { EventEmitter } from "node:events";
import { type FSWatcher, watch } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { ControlClient } from "../control/client";
import { setLongTimeout } from "../workers/long-timeout";
import { findServiceLocation, normalizeServiceName, type ServiceLocation, serviceSocketPath } from "./names";
import { decodeValue, encodeArgs, errorFromFrame, FrameReader, frameLine, isPublicMethodName, WIRE_VERSION } from "./wire";

export interface OpenBackendServiceOptions {
  /** Milliseconds to wait for the service to be available (default 5000). */
  timeout?: number;
  /** Keep this process alive while connected, until close(). Default: only while a call is pending. */
  linger?: boolean;
  /** Do not ask the runtime to start an on-demand service; just wait for it. */
  notOnDemand?: boolean;
  /** Resolve only once the service's factory made this connection's handler (and reject if it threw). */
  awaitConstructor?: boolean;
}

export const DEFAULT_OPEN_TIMEOUT_MS = 5000;

/** The shape a service is typed by when no interface is given: any method, any result. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyBackendService = Record<string, (...args: any[]) => any>;

type RemoteName<T> = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [K in keyof T & string]: K extends `_${string}` | "close" | "emit" | "onClose" | "constructor" ? never : T[K] extends (...args: any[]) => any ? K : never;
}[keyof T & string];

/** What every proxy has besides the service's methods. */
export interface BackendServiceClient {
  /** Ends the connection: pending calls reject, the handler's onClose runs in the service. */
  close(): void;
  /** Events the handler emits; "close" is emitted (locally) when the connection ends. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, listener: (data: any) => void): this;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  once(event: string, listener: (data: any) => void): this;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  off(event: string, listener: (data: any) => void): this;
}

/** A connected service: each public method of T returns a promise of its (awaited) result. */
export type BackendServiceProxy<T = AnyBackendService> = {
  [K in RemoteName<T>]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
} & BackendServiceClient;

/**
 * Connects to a backend service. Waits up to `timeout` for it; without `notOnDemand` it first
 * asks the runtime to start it if it is an on-demand service. Fails with
 * `Service 'module:name' is unavailable` when it does not appear in time.
 */
export async function openBackendService<T extends object = AnyBackendService>(name: string, args: unknown[] = [], options: OpenBackendServiceOptions = {}): Promise<BackendServiceProxy<T>> {
  normalizeServiceName(name); // a bad name fails before any lookup
  return connectBackendService<T>(name, args, options, await findServiceLocation());
}

/** openBackendService with an explicit location (the CLI's --db). */
export async function connectBackendService<T extends object = AnyBackendService>(
  name: string,
  args: unknown[],
  options: OpenBackendServiceOptions,
  location: ServiceLocation,
): Promise<BackendServiceProxy<T>> {
  const n = normalizeServiceName(name);
  if (!Array.isArray(args)) throw new TypeError(`openBackendService('${name}'): args must be an array`);
  const encoded = encodeArgs(args, `openBackendService('${n}')`);
  const timeout = options.timeout ?? DEFAULT_OPEN_TIMEOUT_MS;
  if (typeof timeout !== "number" || Number.isNaN(timeout) || timeout < 0) throw new TypeError(`openBackendService('${name}'): timeout must be a number of milliseconds >= 0, got ${String(timeout)}`);
  const deadline = Date.now() + timeout;
  const socket = await connectWithin(n, serviceSocketPath(location.dir, n), location, deadline, !options.notOnDemand);
  const conn = new ServiceClientConnection(n, socket, !!options.linger);
  socket.write(frameLine({ v: WIRE_VERSION, t: "open", args: encoded }));
  if (options.awaitConstructor) {
    // The timeout covers the whole open: a factory that never returns must not hang the caller.
    const timer = setLongTimeout(() => conn.abandon(new Error(`Service '${n}' did not accept the connection within ${timeout} ms: its factory has not returned a handler`)), Math.max(0, deadline - Date.now()));
    try {
      await conn.whenReady();
    } finally {
      timer.clear();
    }
  }
  return proxyFor(conn) as unknown as BackendServiceProxy<T>;
}

export function unavailable(name: string, reason?: string): Error {
  return new Error(`Service '${name}' is unavailable${reason ? `: ${reason}` : ""}`);
}

/** Errors that mean "nobody listens there (yet)". */
const NOT_THERE = new Set(["ENOENT", "ECONNREFUSED", "EAGAIN"]);

function tryConnect(path: string): Promise<Socket | NodeJS.ErrnoException> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    const onError = (e: NodeJS.ErrnoException) => resolve(e);
    s.once("error", onError);
    s.once("connect", () => {
      s.off("error", onError);
      resolve(s);
    });
  });
}

/**
 * Connects, or waits for the socket to appear: woken by changes in the service folder, by the
 * runtime's answer to an on-demand start, and by a short timer (a fallback: some file systems
 * report no changes for sockets).
 */
async function connectWithin(name: string, path: string, location: ServiceLocation, deadline: number, onDemand: boolean): Promise<Socket> {
  let asked = false;
  let failure: string | undefined;
  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  let control: ControlClient | undefined;
  let delay = 10;
  try {
    for (;;) {
      const r = await tryConnect(path);
      if (!(r instanceof Error)) return r;
      if (!NOT_THERE.has(r.code ?? "")) throw unavailable(name, r.message);
      if (failure) throw unavailable(name, failure);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw unavailable(name);
      if (onDemand && !asked) {
        asked = true;
        control = new ControlClient(location.controlSocket, location.db ? { db: location.db } : {});
        void askRuntimeToStart(control, name, remaining).then((answer) => {
          if (answer.state === "failed") failure = answer.reason;
          wake?.();
        });
      }
      if (!watcher) {
        try {
          watcher = watch(location.dir, () => wake?.());
          watcher.on("error", () => {});
        } catch {
          // no folder yet: the timer covers it
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(delay, remaining));
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
      delay = Math.min(delay * 2, 250);
    }
  } finally {
    watcher?.close();
    control?.close();
  }
}

/** What the runtime answers to `service-start`; see control-ops.ts. */
export type StartAnswer = { state: "listening"; pid: number } | { state: "unknown" } | { state: "failed"; reason: string };

/** Asks the runtime to start a service; an absent runtime or any other problem counts as "unknown". */
async function askRuntimeToStart(client: ControlClient, name: string, timeoutMs: number): Promise<StartAnswer> {
  try {
    return await client.request<StartAnswer>("service-start", { name, timeoutMs });
  } catch {
    return { state: "unknown" };
  } finally {
    client.close();
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/** The client end of one connection: pending calls by id, events, and whether it keeps the process alive. */
class ServiceClientConnection extends EventEmitter {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private endError: Error | undefined;
  private ready: Promise<void>;
  private settleReady!: (e?: Error) => void;
  private awaitingReady = false;
  private readonly reader: FrameReader;

  constructor(
    readonly serviceName: string,
    private readonly socket: Socket,
    private readonly linger: boolean,
  ) {
    super();
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (e) => (e ? reject(e) : resolve());
    });
    this.ready.catch(() => {}); // only whenReady() callers care
    this.reader = new FrameReader(
      (f) => this.onFrame(f),
      (reason) => this.end(new Error(`Service '${serviceName}' sent a malformed message: ${reason}`)),
    );
    socket.setEncoding("utf8");
    socket.setNoDelay(true);
    socket.on("data", (chunk: string) => this.reader.push(chunk));
    socket.on("error", (e) => this.end(new Error(`Connection to service '${serviceName}' failed: ${e.message}`)));
    socket.on("close", () => this.end(new Error(`Service '${serviceName}' closed the connection`)));
    this.updateRef();
  }

  whenReady(): Promise<void> {
    this.awaitingReady = true;
    this.updateRef();
    return this.ready.finally(() => {
      this.awaitingReady = false;
      this.updateRef();
    });
  }

  private onFrame(f: Record<string, unknown>): void {
    switch (f.t) {
      case "result":
      case "error": {
        if (f.id === null) {
          this.end(errorFromFrame(f.message, f.name));
          return;
        }
        const p = this.pending.get(f.id as number);
        if (!p) return;
        this.pending.delete(f.id as number);
        if (this.pending.size === 0) this.updateRef();
        if (f.t === "result") {
          let v: unknown;
          try {
            v = decodeValue(f.value);
          } catch (e) {
            p.reject(e as Error);
            return;
          }
          p.resolve(v);
        } else p.reject(errorFromFrame(f.message, f.name));
        return;
      }
      case "event": {
        if (typeof f.name !== "string") return;
        if (f.name === "error" && this.listenerCount("error") === 0) return; // never throw for an unheard "error"
        let data: unknown;
        try {
          data = decodeValue(f.data);
        } catch {
          return;
        }
        this.emit(f.name, data);
        return;
      }
      case "ready":
        this.settleReady();
        return;
      case "refused":
        this.end(errorFromFrame(f.message, f.name));
        return;
    }
  }

  call(method: string, args: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(this.endError ?? new Error(`Connection to service '${this.serviceName}' is closed`));
    let encoded: unknown[];
    try {
      encoded = encodeArgs(args, `call '${method}'`);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.updateRef();
      this.socket.write(frameLine({ t: "call", id, method, args: encoded }));
    });
  }

  /** Without linger, an idle connection does not keep the process alive. */
  private updateRef(): void {
    if (this.closed) return;
    if (this.linger || this.awaitingReady || this.pending.size > 0) this.socket.ref();
    else this.socket.unref();
  }

  close(): void {
    this.end(new Error(`Connection to service '${this.serviceName}' is closed`));
  }

  /** Gives up on the connection with this error (the service's handler runs onClose, if it ever exists). */
  abandon(err: Error): void {
    this.end(err);
  }

  private end(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.endError = err;
    this.reader.stop();
    this.socket.destroy();
    this.settleReady(err);
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(err);
    this.emit("close");
  }
}

/** Proxy members served by the connection itself, not by the service. */
const LOCAL = new Set([
  "close",
  "on",
  "once",
  "off",
  "addListener",
  "removeListener",
  "removeAllListeners",
  "prependListener",
  "prependOnceListener",
  "listenerCount",
  "listeners",
  "rawListeners",
  "eventNames",
  "setMaxListeners",
  "getMaxListeners",
  "emit",
]);

/** Never remote: `await proxy` must not call the service, nor JSON.stringify(proxy). */
const NEVER_REMOTE = new Set(["then", "toJSON"]);

function proxyFor(conn: ServiceClientConnection): object {
  const remote = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  const local = new Map<string, unknown>();
  return new Proxy(conn, {
    get(target, prop) {
      const known = remote.get(prop as string);
      if (known) return known;
      if (typeof prop === "symbol" || prop in Object.prototype) return Reflect.get(target, prop) as unknown;
      if (LOCAL.has(prop)) {
        let f = local.get(prop);
        if (!f) local.set(prop, (f = (Reflect.get(target, prop) as (...a: unknown[]) => unknown).bind(target)));
        return f;
      }
      if (NEVER_REMOTE.has(prop) || !isPublicMethodName(prop)) return undefined;
      let f = remote.get(prop);
      if (!f) remote.set(prop, (f = (...args: unknown[]) => target.call(prop, args)));
      return f;
    },
  });
}
