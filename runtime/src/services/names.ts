/**
 * Service names and where their sockets live. A service is named `module:name`; its socket is
 * `<service folder>/<module>:<name>.sock`. Every process of a workspace must compute the same
 * folder, so it derives from the runtime's control socket (which derives from the database), and
 * the runtime passes it explicitly (MODTASKS_SERVICE_DIR) to the processes it starts.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { defaultDb } from "../config/default-db";
import { localRuntimeSocket } from "../control/discover";
import { type DbConfig, describeDb } from "../queue/db-config";

/** Longest socket path that fits sockaddr_un everywhere (108 bytes on Linux, 104 on macOS). */
const MAX_SOCKET_PATH = 100;

const NAME = /^[a-z0-9_][a-z0-9_.-]*:[a-z0-9_][a-z0-9_.-]*$/;

/**
 * The canonical form of a service name: lower case (names compare case-insensitively, as task
 * types do). Throws for anything that is not `module:name` of letters, digits, `_`, `.`, `-`.
 */
export function normalizeServiceName(name: unknown): string {
  if (typeof name !== "string") throw new TypeError(`a service name must be a string 'module:name', got ${typeof name}`);
  const n = name.trim().toLowerCase();
  if (!NAME.test(n)) throw new TypeError(`invalid service name '${name}': expected 'module:name' (letters, digits, '_', '.', '-')`);
  return n;
}

/**
 * The service folder of the runtime whose control socket is `controlSocket`: `<name>.services/`
 * beside the socket `<name>.sock` (so `<module>/.modtasks/tasks.db.services/` for the default
 * SQLite database: one folder per database, as there is one runtime per database).
 * MODTASKS_SERVICE_DIR overrides.
 */
export function serviceDirFor(controlSocket: string): string {
  const env = process.env.MODTASKS_SERVICE_DIR;
  if (env) return env;
  const base = basename(controlSocket).replace(/\.sock$/, "");
  return join(dirname(controlSocket), `${base}.services`);
}

/** The socket of one service; a hashed name in the temp folder when the path would be too long. */
export function serviceSocketPath(dir: string, name: string): string {
  const p = join(dir, `${name}.sock`);
  if (Buffer.byteLength(p) <= MAX_SOCKET_PATH) return p;
  const hash = createHash("sha256").update(`${dir}\0${name}`).digest("hex").slice(0, 20);
  return join(tmpdir(), `modtasks-svc-${hash}.sock`);
}

/** Creates the service folder (only this user may enter it). */
export function ensureServiceDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export interface ServiceLocation {
  /** Folder of the service sockets. */
  dir: string;
  /** The runtime's control socket (asked to start on-demand services). */
  controlSocket: string;
  /** The database that runtime must serve (its hello is checked); unknown when given by the environment. */
  db?: DbConfig;
}

/**
 * Where this process finds services: the folder and control socket the runtime gave it
 * (MODTASKS_SERVICE_DIR, MODTASKS_SOCKET), else those of this machine's runtime for the database
 * (`db`, else the default one for the current folder: MODTASKS_DB, `.modtasks/tasks.db`, exactly
 * as `openRuntime()` finds it). Services are node-local: on PostgreSQL that is the node named
 * `node` (else MODTASKS_NODE), else the node on this machine that serves the database, found by
 * asking its control socket (control/discover.ts), whatever its name.
 */
export async function findServiceLocation(opts: { cwd?: string; db?: DbConfig; node?: string } = {}): Promise<ServiceLocation> {
  const envDir = process.env.MODTASKS_SERVICE_DIR;
  const envSocket = process.env.MODTASKS_SOCKET;
  const explicit = opts.db !== undefined || opts.node !== undefined;
  if (!explicit && envDir && envSocket) return { dir: envDir, controlSocket: envSocket };
  const cwd = opts.cwd ?? process.cwd();
  const db = opts.db ?? defaultDbOf(cwd);
  const node = opts.node ?? (process.env.MODTASKS_NODE || undefined);
  const key = `${describeDb(db)}\0${node ?? ""}\0${envDir ?? ""}\0${envSocket ?? ""}`;
  const known = found.get(key);
  if (known) return known;
  const r = await localRuntimeSocket(db, node);
  const loc: ServiceLocation = { dir: envDir ?? serviceDirFor(r.socket), controlSocket: r.socket, db };
  // A PostgreSQL node found by asking is remembered; "nobody there yet" is asked again next time.
  if (db.kind === "sqlite" || envSocket || r.node !== undefined) found.set(key, loc);
  return loc;
}

/** defaultDb() may search the folder tree; once per process and folder is enough. */
function defaultDbOf(cwd: string): DbConfig {
  const key = `${cwd}\0${process.env.MODTASKS_DB ?? ""}`;
  let db = dbCache.get(key);
  if (!db) dbCache.set(key, (db = defaultDb(cwd)));
  return db;
}

const dbCache = new Map<string, DbConfig>();
const found = new Map<string, ServiceLocation>();
