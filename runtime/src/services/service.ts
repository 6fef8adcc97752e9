/**
 * The service side: `runBackendService("module:name", factory)` listens on the service's socket
 * and gives every client connection its own handler object, made by the factory from the
 * client's arguments. Public methods of the handler are what clients can call.
 */
import { unlinkSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { listenOnSocket } from "../control/unix-socket";
import { ensureServiceDir, findServiceLocation, normalizeServiceName, serviceSocketPath } from "./names";
import {
  decodeValue,
  encodeValue,
  errorParts,
  FrameReader,
  frameLine,
  ProtocolError,
  publicMethods,
  type ServiceFrame,
  WIRE_VERSION,
} from "./wire";

/**
 * Optional base class for handlers: gives `emit` and `close`, and a hook for `onClose`. A handler
 * that does not extend it gets `emit` and `close` added (when it does not define them itself).
 */
export class BackendServiceConnection {
  /** @internal the connection this handler serves */
  _link: ServiceConnection | undefined;

  /** Sends an event to this handler's client (`proxy.on(event, fn)`). Data: see README, "Values". */
  emit(event: string, data?: unknown): void {
    this._link?.sendEvent(event, data);
  }

  /** Ends this client's connection (its pending calls fail, its proxy emits "close"). */
  close(): void {
    this._link?.close();
  }

  /** Runs when the client goes (closed, exited, or the connection broke). Override it. */
  onClose(): void {}
}

/** Makes a handler for a client from the client's `openBackendService(name, args)` arguments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type BackendServiceFactory = (...args: any[]) => object | Promise<object>;

export interface RunBackendServiceOptions {
  /** Let the process exit when only the listening socket keeps it alive (it serves while something else runs). */
  dropListenerReference?: boolean;
}

/** A running service, as runBackendService returns it. */
export interface BackendServiceController {
  readonly name: string;
  /** The service's socket. */
  readonly path: string;
  /** Clients connected now. */
  readonly connections: number;
  /** Stops listening and ends every connection (each handler's onClose runs). */
  close(): Promise<void>;
}

interface Handler {
  [method: string]: unknown;
  onClose?: () => unknown;
}

/** One client connection and its handler. */
class ServiceConnection {
  private handler: Handler | undefined;
  private methods: Set<string> | undefined;
  /** Settles when the handler exists (calls that arrive earlier wait for it, in order). */
  private ready: Promise<Handler | undefined> | undefined;
  private closed = false;
  /** close() was asked for: ends when inFlight drops to 0. */
  private closing = false;
  private inFlight = 0;
  private readonly reader: FrameReader;

  constructor(
    private readonly service: ServiceHost,
    private readonly socket: Socket,
  ) {
    this.reader = new FrameReader(
      (f) => this.onFrame(f),
      (reason) => this.protocolError(`malformed message: ${reason}`),
    );
    socket.setEncoding("utf8");
    socket.setNoDelay(true);
    socket.on("data", (chunk: string) => this.reader.push(chunk));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.gone());
  }

  private onFrame(f: Record<string, unknown>): void {
    try {
      if (f.t === "call") return this.onCall(f);
      if (this.ready) throw new ProtocolError(f.t === "open" ? "the connection is already open" : `unknown frame type ${JSON.stringify(f.t)}`);
      if (f.v !== WIRE_VERSION) {
        this.send({ v: WIRE_VERSION, t: "refused", message: `unsupported protocol version ${JSON.stringify(f.v)} (this service speaks ${WIRE_VERSION})`, name: "ProtocolError" });
        this.close();
        return;
      }
      if (f.t === "info") {
        this.send({ v: WIRE_VERSION, t: "info", service: this.service.name, pid: process.pid, startedAt: this.service.startedAt, connections: this.service.connections });
        this.close();
        return;
      }
      if (f.t !== "open") throw new ProtocolError(`the first frame must be 'open', got ${JSON.stringify(f.t)}`);
      if (!Array.isArray(f.args)) throw new ProtocolError("'open' needs an args array");
      this.open(decodeValue(f.args) as unknown[]);
    } catch (e) {
      // Whatever a client sends ends at worst its own connection, never the service.
      this.protocolError(e instanceof ProtocolError ? e.message : `cannot handle the message: ${errorParts(e).message}`);
    }
  }

  private open(args: unknown[]): void {
    this.service.opened(this);
    this.ready = (async () => {
      let handler: Handler;
      let methods: Set<string>;
      try {
        const h: unknown = await this.service.factory(...args);
        if (typeof h !== "object" || h === null) throw new TypeError(`the factory of service '${this.service.name}' returned ${h === null ? "null" : typeof h}, not a handler object`);
        handler = h as Handler;
        this.attach(handler);
        methods = new Set(publicMethods(handler));
      } catch (e) {
        this.send({ v: WIRE_VERSION, t: "refused", ...errorParts(e) });
        this.close();
        return undefined;
      }
      if (this.closed) {
        this.runOnClose(handler);
        return undefined;
      }
      this.handler = handler;
      this.methods = methods;
      this.send({ v: WIRE_VERSION, t: "ready", methods: [...methods] });
      return handler;
    })();
  }

  /** Gives the handler `emit` and `close` bound to this connection. */
  private attach(h: Handler): void {
    if (h instanceof BackendServiceConnection) {
      h._link = this;
      return;
    }
    const define = (name: string, fn: (...a: never[]) => unknown) => {
      if (!(name in h)) Object.defineProperty(h, name, { value: fn, configurable: true, writable: true, enumerable: false });
    };
    define("emit", (event: string, data?: unknown) => this.sendEvent(event, data));
    define("close", () => this.close());
  }

  private onCall(f: Record<string, unknown>): void {
    const { id, method, args } = f;
    if (typeof id !== "number" || !Number.isSafeInteger(id)) throw new ProtocolError("a call needs a numeric id");
    if (typeof method !== "string" || !Array.isArray(args)) throw new ProtocolError("a call needs a method name and an args array");
    if (!this.ready) throw new ProtocolError("call before open");
    if (this.closing) return; // the handler closed this connection: no new work
    const decoded = decodeValue(args) as unknown[];
    this.inFlight++;
    if (this.handler) this.invoke(this.handler, id, method, decoded);
    else
      void this.ready.then((h) => {
        if (h) this.invoke(h, id, method, decoded);
        else this.answer({ t: "error", id, message: `Service '${this.service.name}' refused the connection`, name: "Error" });
      });
  }

  private invoke(h: Handler, id: number, method: string, args: unknown[]): void {
    if (!this.methods!.has(method)) {
      this.answer({ t: "error", id, message: `Service '${this.service.name}' has no method '${method}'`, name: "Error" });
      return;
    }
    let r: unknown;
    try {
      r = (h[method] as (...a: unknown[]) => unknown)(...args);
    } catch (e) {
      this.answer({ t: "error", id, ...errorParts(e) });
      return;
    }
    // Synchronous results go out at once: no promise round trip on the hot path.
    if (r instanceof Promise || (typeof r === "object" && r !== null && typeof (r as PromiseLike<unknown>).then === "function"))
      (r as PromiseLike<unknown>).then(
        (v) => this.answer(this.resultFrame(id, method, v)),
        (e: unknown) => this.answer({ t: "error", id, ...errorParts(e) }),
      );
    else this.answer(this.resultFrame(id, method, r));
  }

  private resultFrame(id: number, method: string, value: unknown): ServiceFrame {
    if (value === undefined) return { t: "result", id };
    try {
      return { t: "result", id, value: encodeValue(value, `result of call '${method}'`) };
    } catch (e) {
      return { t: "error", id, ...errorParts(e) };
    }
  }

  /** Sends the answer to a call, and ends a closing connection after its last answer. */
  private answer(frame: ServiceFrame): void {
    this.send(frame);
    if (--this.inFlight === 0 && this.closing) this.end();
  }

  private sendError(id: number | null, e: unknown): void {
    this.send({ t: "error", id, ...errorParts(e) });
  }

  sendEvent(event: string, data: unknown): void {
    if (typeof event !== "string" || !event) throw new TypeError("emit: the event name must be a non-empty string");
    const encoded = data === undefined ? undefined : encodeValue(data, `data of event '${event}'`);
    this.send(encoded === undefined ? { t: "event", name: event } : { t: "event", name: event, data: encoded });
  }

  private send(frame: ServiceFrame): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(frameLine(frame));
  }

  /** Rejects what the client sent, then closes its connection; the service and other clients go on. */
  private protocolError(message: string): void {
    this.reader.stop();
    this.sendError(null, new ProtocolError(message));
    this.end();
  }

  /**
   * Ends the connection once the calls in flight have answered (a handler may close its own
   * connection from inside a method and still return a result).
   */
  close(): void {
    if (this.closed || this.closing) return;
    this.closing = true;
    if (this.inFlight === 0) this.end();
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
  }

  private gone(): void {
    this.closed = true;
    this.reader.stop();
    this.service.closed(this);
    if (this.handler) this.runOnClose(this.handler);
    this.handler = undefined;
  }

  private runOnClose(h: Handler): void {
    try {
      const r: unknown = typeof h.onClose === "function" ? h.onClose() : undefined;
      if (r instanceof Promise) r.catch((e: unknown) => this.service.reportError("onClose", e));
    } catch (e) {
      this.service.reportError("onClose", e);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** The listening side of one service. */
class ServiceHost implements BackendServiceController {
  readonly startedAt = Date.now();
  private readonly live = new Set<ServiceConnection>();
  private readonly opened_ = new Set<ServiceConnection>();
  private server: Server | undefined;

  constructor(
    readonly name: string,
    readonly path: string,
    readonly factory: BackendServiceFactory,
  ) {}

  get connections(): number {
    return this.opened_.size;
  }

  async listen(opts: RunBackendServiceOptions): Promise<void> {
    const server = createServer((socket) => this.live.add(new ServiceConnection(this, socket)));
    await listenOnSocket(server, this.path, () => `Service '${this.name}' is already running (another process listens on ${this.path})`);
    if (opts.dropListenerReference) server.unref();
    this.server = server;
    tellManager({ t: "listening", name: this.name, path: this.path });
  }

  opened(c: ServiceConnection): void {
    this.opened_.add(c);
    tellManager({ t: "connections", name: this.name, count: this.opened_.size });
  }

  closed(c: ServiceConnection): void {
    this.live.delete(c);
    if (this.opened_.delete(c)) tellManager({ t: "connections", name: this.name, count: this.opened_.size });
  }

  reportError(where: string, e: unknown): void {
    process.stderr.write(`service '${this.name}': ${where} threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    running.delete(this.name);
    for (const c of this.live) c.destroy();
    if (!server) return;
    await new Promise<void>((r) => server.close(() => r()));
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

const running = new Map<string, ServiceHost>();

/** On process.exit() (not on a kill: the runtime removes those), take our socket files along. */
let exitHookInstalled = false;
function removeSocketsAtExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const host of running.values()) {
      try {
        unlinkSync(host.path);
      } catch {
        // already gone
      }
    }
  });
}

/**
 * Runs a backend service in this process: listens on the service's socket and, for every client
 * connection, calls `factory(...clientArgs)` (awaited) for the handler that serves it. Resolves
 * once clients can connect; rejects when another process already serves the name.
 */
export async function runBackendService(name: string, factory: BackendServiceFactory, options: RunBackendServiceOptions = {}): Promise<BackendServiceController> {
  const n = normalizeServiceName(name);
  if (typeof factory !== "function") throw new TypeError(`runBackendService('${name}'): the factory must be a function`);
  const dir = process.env.MODTASKS_SERVICE_DIR ?? (await findServiceLocation()).dir;
  // Checked after the lookup's await, right before the name is taken: no second copy slips in.
  if (running.has(n)) throw new Error(`Service '${n}' is already running in this process`);
  ensureServiceDir(dir);
  const host = new ServiceHost(n, serviceSocketPath(dir, n), factory);
  running.set(n, host);
  removeSocketsAtExit();
  exitWithRuntime();
  try {
    await host.listen(options);
  } catch (e) {
    running.delete(n);
    throw e;
  }
  return host;
}

/**
 * A service process started by the runtime ends with it: when the runtime dies (even by SIGKILL)
 * the IPC channel closes, and an orphan would keep the name from the next runtime's copy.
 */
let followingRuntime = false;
function exitWithRuntime(): void {
  if (followingRuntime || !process.env.MODTASKS_SERVICE_PROCESS || typeof process.send !== "function") return;
  followingRuntime = true;
  process.once("disconnect", () => process.exit(0));
  process.channel?.unref(); // listening for "disconnect" must not keep the process alive by itself
}

/** Tells the runtime that started this process (if any) what it serves; see service-manager.ts. */
function tellManager(msg: { t: "listening"; name: string; path: string } | { t: "connections"; name: string; count: number }): void {
  if (!process.env.MODTASKS_SERVICE_PROCESS || typeof process.send !== "function" || !process.connected) return;
  process.send({ modtasksService: msg }, undefined, {}, () => {
    // the runtime went away: nothing to tell
  });
}

