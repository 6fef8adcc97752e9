import { unlinkSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { LineReader } from "./line-reader";
import { listenOnSocket } from "./unix-socket";
import { type EventLine, type Hello, PROTOCOL_VERSION, type Request } from "./protocol";

export type Handler = (req: Request, conn: Connection) => Promise<unknown> | unknown;

/** One client connection: its subscriptions and a way to push lines to it. */
export class Connection {
  subscribed = false;
  private readonly closeHandlers: (() => void)[] = [];
  constructor(private readonly socket: Socket) {}
  /** Hangs up on the client. */
  end(): void {
    this.socket.destroy();
  }
  send(line: object): void {
    if (!this.socket.destroyed) this.socket.write(JSON.stringify(line) + "\n");
  }
  onClose(fn: () => void): void {
    this.closeHandlers.push(fn);
  }
  /** @internal */
  closed(): void {
    for (const fn of this.closeHandlers.splice(0)) fn();
  }
}

/** Thrown by a handler for an error meant for the client (sent without a stack). */
export class ControlError extends Error {}

/**
 * The runtime's side of the control socket. Malformed lines are answered with an error and never
 * crash the runtime; a slow client cannot block others (each has its own socket buffer).
 */
export class ControlServer {
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly handlers = new Map<string, Handler>();

  constructor(
    readonly path: string,
    private readonly hello: Omit<Hello, "hello" | "protocol">,
  ) {}

  handle(op: string, fn: Handler): void {
    this.handlers.set(op, fn);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async listen(): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    await listenOnSocket(server, this.path, () => `another modtasks runtime is already listening on ${this.path}`);
    this.server = server;
  }

  private accept(socket: Socket): void {
    const conn = new Connection(socket);
    this.connections.add(conn);
    socket.setNoDelay(true);
    conn.send({ hello: "modtasks", protocol: PROTOCOL_VERSION, ...this.hello } satisfies Hello);
    const reader = new LineReader(
      (line) => void this.dispatch(line, conn),
      () => {
        conn.send({ ok: false, id: null, error: "request too large" });
        socket.destroy();
      },
      16 * 1024 * 1024,
    );
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => reader.push(chunk));
    const gone = () => {
      if (this.connections.delete(conn)) conn.closed();
    };
    socket.on("close", gone);
    socket.on("error", gone);
  }

  private async dispatch(line: string, conn: Connection): Promise<void> {
    let req: Request;
    try {
      req = JSON.parse(line) as Request;
      if (typeof req !== "object" || req === null || typeof req.op !== "string") throw new Error("not a request object with an 'op'");
    } catch (e) {
      conn.send({ id: null, ok: false, error: `malformed request: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    const handler = this.handlers.get(req.op);
    const id = typeof req.id === "number" ? req.id : undefined;
    if (!handler) {
      if (id !== undefined) conn.send({ id, ok: false, error: `unknown op '${req.op}'` });
      return;
    }
    try {
      const result = await handler(req, conn);
      if (id !== undefined) conn.send({ id, ok: true, result: result ?? null });
    } catch (e) {
      if (id !== undefined) conn.send({ id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }

  broadcast(event: EventLine): void {
    for (const c of this.connections) if (c.subscribed) c.send(event);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    // server.close() waits for every connection to end: hang up on clients first (an attached
    // editor would otherwise keep a stopping runtime alive).
    for (const c of this.connections) c.end();
    await new Promise<void>((r) => server.close(() => r()));
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  /** Ends every client connection (their callers see the runtime go). */
  dropConnections(): void {
    for (const c of this.connections) c.closed();
    this.connections.clear();
  }
}
