import { createConnection, type Socket } from "node:net";
import { type DbConfig, describeDb } from "../queue/db-config";
import { LineReader } from "./line-reader";
import { type EventLine, type Hello, type Reply, type Request, sameDatabase } from "./protocol";

export interface ControlClientOptions {
  /**
   * The database this client means. A runtime whose hello names another database is treated as
   * no runtime at all (connect rejects): its socket may be one this process inherited or a
   * leftover name, and a command meant for our queue must never reach another's.
   */
  db?: DbConfig;
}

/**
 * A connection to a running runtime. Connects lazily, does not keep the process alive by
 * itself (unless a request is pending or `ref()` was called), and reports the runtime's
 * disappearance to pending requests instead of hanging.
 */
export class ControlClient {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private eventListeners = new Set<(e: EventLine) => void>();
  private closeListeners = new Set<() => void>();
  private keepAlive = false;
  hello: Hello | undefined;

  constructor(
    readonly path: string,
    private readonly opts: ControlClientOptions = {},
  ) {}

  /** Connects (once); rejects when no runtime listens. */
  connect(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const s = createConnection(this.path);
      let helloSeen = false;
      s.setNoDelay(true);
      s.once("error", (e) => {
        this.connecting = undefined;
        if (!helloSeen) reject(e);
      });
      const reader = new LineReader(
        (line) => {
          let msg: Record<string, unknown>;
          try {
            msg = JSON.parse(line) as Record<string, unknown>;
          } catch {
            return;
          }
          if (!helloSeen && msg.hello === "modtasks") {
            const want = this.opts.db;
            if (want && !sameDatabase(msg.db, want)) {
              this.connecting = undefined;
              reject(new Error(`the runtime listening on ${this.path} serves ${String(msg.db)}, not ${describeDb(want)}`));
              s.destroy();
              return;
            }
            helloSeen = true;
            this.hello = msg as unknown as Hello;
            this.socket = s;
            this.connecting = undefined;
            this.updateRef();
            resolve(s);
            return;
          }
          this.onLine(msg);
        },
        () => s.destroy(),
        64 * 1024 * 1024,
      );
      s.setEncoding("utf8");
      s.on("data", (chunk: string) => reader.push(chunk));
      s.on("close", () => {
        this.socket = undefined;
        this.connecting = undefined;
        const err = new Error("the modtasks runtime closed the connection");
        if (!helloSeen) {
          reject(err); // never connected: nobody to tell that it closed
          return;
        }
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        for (const l of this.closeListeners) l();
      });
    });
    return this.connecting;
  }

  private onLine(msg: Record<string, unknown>): void {
    if (typeof msg.event === "string") {
      for (const l of this.eventListeners) l(msg as EventLine);
      return;
    }
    const reply = msg as unknown as Reply;
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    this.updateRef();
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(reply.error));
  }

  private updateRef(): void {
    const s = this.socket;
    if (!s) return;
    if (this.keepAlive || this.pending.size > 0) s.ref();
    else s.unref();
  }

  /** Keep the process alive while connected (e.g. while subscribed to events). */
  ref(on = true): void {
    this.keepAlive = on;
    this.updateRef();
  }

  async request<T = unknown>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const s = await this.connect();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.updateRef();
      s.write(JSON.stringify({ ...args, id, op } satisfies Request) + "\n");
    });
  }

  /** Sends without waiting for a reply (e.g. a wake-up). Silently does nothing without a runtime. */
  async notify(op: string, args: Record<string, unknown> = {}): Promise<boolean> {
    try {
      const s = await this.connect();
      s.write(JSON.stringify({ ...args, op } satisfies Request) + "\n");
      return true;
    } catch {
      return false;
    }
  }

  onEvent(fn: (e: EventLine) => void): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }

  onClose(fn: () => void): () => void {
    this.closeListeners.add(fn);
    return () => this.closeListeners.delete(fn);
  }

  get connected(): boolean {
    return !!this.socket && !this.socket.destroyed;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}
