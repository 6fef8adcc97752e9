/**
 * Starts, watches and restarts the runtime's service processes (declarations.ts says which).
 *
 * One process per declaration. Its state, written down once:
 *
 *   stopped ──start──▶ running ──exit 0, or stop──▶ stopped
 *                        │
 *                        └─crash (exit ≠ 0 or signal)─▶ always-on: restarting ──backoff──▶ running
 *                                                       on demand: stopped (started again on the next open)
 *
 * A process reports over its IPC channel which names it listens on and how many clients each
 * has (service.ts, tellManager); the manager never guesses from sockets.
 */
import { type ChildProcess, fork } from "node:child_process";
import { EventEmitter } from "node:events";
import { rmdirSync, rmSync } from "node:fs";
import { relative } from "node:path";
import { controlSocketPath } from "../control/protocol";
import type { ControlServer } from "../control/server";
import type { ModuleInfo } from "../engine/modules";
import type { Runtime } from "../engine/runtime";
import type { DbConfig } from "../queue/open-store";
import { typeScriptLoaderArgs } from "../workers/task-loader";
import type { StartAnswer } from "./client";
import { findServiceDeclarations, type ServiceProcessDecl } from "./declarations";
import { ensureServiceDir, serviceDirFor, serviceSocketPath } from "./names";

export type ServiceState = "stopped" | "running" | "restarting" | "stopping";

/** One row of `modtasks services`: a service name and the process that serves it. */
export interface ServiceStatus {
  /** `module:name`; null for a `<runatstartup>` script that has not registered a service. */
  name: string | null;
  /** The process's declaration key (`module:name`, or `module:script` for `<runatstartup>`). */
  key: string;
  module: string;
  /** Script path relative to the module folder. */
  script: string;
  source: ServiceProcessDecl["source"];
  onDemand: boolean;
  state: ServiceState;
  /** The process accepts clients for this name now. */
  listening: boolean;
  pid: number | null;
  startedAt: number | null;
  uptimeMs: number | null;
  connections: number;
  /** Times the process was started again (after a crash, or by a restart). */
  restarts: number;
  lastExit: ExitInfo | null;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  at: number;
  /** Last line the process wrote to stderr before it exited, if any. */
  stderr: string;
}

export interface ServiceManagerOptions {
  modules: readonly ModuleInfo[];
  serviceDir: string;
  /** The runtime's control socket, given to service processes (MODTASKS_SOCKET); null without one. */
  controlSocket: string | null;
  db: DbConfig;
  serverType?: string | undefined;
  log: (level: "info" | "warn" | "error", text: string) => void;
  /** First restart delay after a crash; doubles per crash in a row, up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A process that ran this long before crashing starts the backoff over. */
  healthyAfterMs?: number;
  /** How long stop waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
}

interface ManagedProcess {
  decl: ServiceProcessDecl;
  state: ServiceState;
  proc: ChildProcess | undefined;
  startedAt: number | undefined;
  /** Names this process listens on now, with their connection counts. */
  listening: Map<string, number>;
  /** Every name it ever registered (so a client can ask for it while it restarts). */
  known: Set<string>;
  restarts: number;
  crashStreak: number;
  backoff: NodeJS.Timeout | undefined;
  lastExit: ExitInfo | undefined;
  stderrTail: string;
  /** The next exit is asked for (stop or restart): no backoff. */
  stopRequested: boolean;
  exited: Promise<void> | undefined;
}

/** What a service process sends its runtime (service.ts, tellManager). */
type ServiceMessage = { t: "listening"; name: string; path: string } | { t: "connections"; name: string; count: number };

const STDERR_TAIL = 4000;

function newProcess(decl: ServiceProcessDecl): ManagedProcess {
  return {
    decl,
    state: "stopped",
    proc: undefined,
    startedAt: undefined,
    listening: new Map(),
    known: new Set(decl.name ? [decl.name] : []),
    restarts: 0,
    crashStreak: 0,
    backoff: undefined,
    lastExit: undefined,
    stderrTail: "",
    stopRequested: false,
    exited: undefined,
  };
}

/**
 * The runtime's service processes. Events: "listening" {key, name, pid}, "connections"
 * {key, name, count}, "exit" {key, pid, exit}, "state" {key, names, state, pid}, "backoff"
 * {key, delay, crashes} (a crashed always-on process restarts after `delay` ms).
 */
export class ServiceManager extends EventEmitter {
  private readonly processes: ManagedProcess[] = [];
  private stopping = false;
  readonly dir: string;
  problems: string[];

  constructor(private readonly opts: ServiceManagerOptions) {
    super();
    this.dir = opts.serviceDir;
    const decls = findServiceDeclarations(opts.modules, { serverType: opts.serverType });
    this.problems = decls.problems;
    for (const d of decls.processes) this.processes.push(newProcess(d));
  }

  /**
   * Applies the declarations after a reload: a new process starts (unless on demand), a removed
   * one stops, a changed one (script, name, on demand) restarts if it ran; the others keep
   * running untouched, with their clients.
   */
  async reconcile(modules: readonly ModuleInfo[]): Promise<void> {
    if (this.stopping) return;
    const decls = findServiceDeclarations(modules, { serverType: this.opts.serverType });
    for (const p of decls.problems) if (!this.problems.includes(p)) this.opts.log("warn", p);
    this.problems = decls.problems;
    const wanted = new Map(decls.processes.map((d) => [d.key, d]));
    const work: Promise<void>[] = [];
    for (const p of [...this.processes]) {
      const d = wanted.get(p.decl.key);
      wanted.delete(p.decl.key);
      if (!d) {
        this.processes.splice(this.processes.indexOf(p), 1);
        this.opts.log("info", `service process ${p.decl.key} is no longer declared: stopping it`);
        work.push(this.stopProcess(p));
      } else if (d.script !== p.decl.script || d.name !== p.decl.name || d.onDemand !== p.decl.onDemand) {
        const ran = p.proc !== undefined;
        p.decl = d;
        p.known = new Set(d.name ? [d.name] : []);
        work.push(
          this.stopProcess(p).then(() => {
            if (!this.stopping && (ran || !d.onDemand)) this.spawn(p);
          }),
        );
      }
    }
    for (const d of wanted.values()) {
      const p = newProcess(d);
      this.processes.push(p);
      ensureServiceDir(this.dir);
      if (!d.onDemand) this.spawn(p);
      else this.changed(p);
    }
    await Promise.all(work);
  }

  /** The runtime's hook (runtime.ts, boot): the services of its modules, in its service folder. */
  static forRuntime(rt: Runtime, control: ControlServer | undefined): ServiceManager {
    const controlSocket = control?.path ?? rt.opts.socketPath ?? controlSocketPath(rt.opts.db, rt.nodeName);
    const m = new ServiceManager({
      modules: rt.loaded.modules,
      serviceDir: serviceDirFor(controlSocket),
      controlSocket: control ? control.path : null,
      db: rt.opts.db,
      serverType: rt.opts.serverType,
      log: rt.log,
    });
    if (control) m.broadcastTo(control);
    m.start();
    return m;
  }

  /** Creates the service folder and starts every always-on process. */
  start(): void {
    for (const p of this.problems) this.opts.log("warn", p);
    // Only runtimes that run services make the folder (runBackendService makes it too).
    if (this.processes.length) ensureServiceDir(this.dir);
    for (const p of this.processes) if (!p.decl.onDemand) this.spawn(p);
  }

  /** Sends state changes to the control socket's subscribers (the extension's tree view). */
  broadcastTo(control: ControlServer): void {
    this.on("state", (row: { key: string; state: ServiceState; pid: number | null }) => control.broadcast({ event: "service-state", ...row }));
  }

  status(): ServiceStatus[] {
    const now = Date.now();
    const rows: ServiceStatus[] = [];
    for (const p of this.processes) {
      const names: (string | null)[] = p.known.size ? [...p.known] : [null];
      for (const name of names) {
        const running = p.proc !== undefined && p.startedAt !== undefined;
        rows.push({
          name,
          key: p.decl.key,
          module: p.decl.moduleName,
          script: relative(p.decl.moduleDir, p.decl.script),
          source: p.decl.source,
          onDemand: p.decl.onDemand,
          state: p.state,
          listening: name !== null && p.listening.has(name),
          pid: p.proc?.pid ?? null,
          startedAt: running ? p.startedAt! : null,
          uptimeMs: running ? now - p.startedAt! : null,
          connections: name !== null ? (p.listening.get(name) ?? 0) : 0,
          restarts: p.restarts,
          lastExit: p.lastExit ?? null,
        });
      }
    }
    return rows.sort((a, b) => (a.name ?? a.key).localeCompare(b.name ?? b.key));
  }

  /** The process that serves (or is declared to serve) a name; also found by its declaration key. */
  private find(name: string): ManagedProcess | undefined {
    const n = name.toLowerCase();
    return this.processes.find((p) => p.known.has(n)) ?? this.processes.find((p) => p.decl.key.toLowerCase() === n);
  }

  /** Every name a client may ask for (for "did you mean"). */
  names(): string[] {
    return this.processes.flatMap((p) => (p.known.size ? [...p.known] : [p.decl.key]));
  }

  /**
   * Starts the process that serves `name` unless it runs, and resolves once it listens on the
   * name, or with why it did not: it exited first, or `timeoutMs` passed.
   */
  async ensureStarted(name: string, timeoutMs = 30_000): Promise<StartAnswer> {
    const p = this.find(name);
    if (!p || this.stopping) return { state: "unknown" };
    const n = name.toLowerCase();
    const pid = p.proc?.pid;
    if (p.listening.has(n) && pid !== undefined) return { state: "listening", pid };
    if (p.state === "stopped") this.spawn(p);
    return this.waitListening(p, n, timeoutMs);
  }

  private waitListening(p: ManagedProcess, name: string, timeoutMs: number): Promise<StartAnswer> {
    return new Promise((resolve) => {
      const finish = (a: StartAnswer) => {
        clearTimeout(timer);
        this.off("listening", onListening);
        this.off("exit", onExit);
        resolve(a);
      };
      const onListening = (e: { key: string; name: string; pid: number }) => {
        if (e.key === p.decl.key && e.name === name) finish({ state: "listening", pid: e.pid });
      };
      const onExit = (e: { key: string; exit: ExitInfo }) => {
        if (e.key !== p.decl.key) return;
        // A crash of an always-on service is followed by a restart: keep waiting for that one.
        if (p.state === "restarting") return;
        finish({ state: "failed", reason: `its process exited (${describeExit(e.exit)}) before it listened` });
      };
      const timer = setTimeout(() => finish({ state: "failed", reason: `it did not start listening within ${timeoutMs} ms` }), timeoutMs);
      timer.unref();
      this.on("listening", onListening);
      this.on("exit", onExit);
    });
  }

  /** Stops the process that serves `name`; it stays stopped until started again. */
  async stopService(name: string): Promise<boolean> {
    const p = this.find(name);
    if (!p) return false;
    await this.stopProcess(p);
    return true;
  }

  /** Stops and starts the process that serves `name`; resolves once it runs again. */
  async restartService(name: string): Promise<StartAnswer> {
    const p = this.find(name);
    if (!p || this.stopping) return { state: "unknown" };
    await this.stopProcess(p);
    p.restarts++;
    this.spawn(p);
    const n = name.toLowerCase();
    if (p.known.has(n)) return this.waitListening(p, n, 30_000);
    return { state: "listening", pid: p.proc?.pid ?? 0 };
  }

  private spawn(p: ManagedProcess): void {
    if (this.stopping || p.proc) return;
    if (p.backoff) clearTimeout(p.backoff);
    p.backoff = undefined;
    p.stopRequested = false;
    p.stderrTail = "";
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MODTASKS_SERVICE_PROCESS: "1",
      MODTASKS_SERVICE_DIR: this.dir,
      MODTASKS_DB: this.opts.db.kind === "sqlite" ? `sqlite:${this.opts.db.path}` : this.opts.db.url,
    };
    if (this.opts.controlSocket) env.MODTASKS_SOCKET = this.opts.controlSocket;
    const proc = fork(p.decl.script, [], {
      cwd: p.decl.moduleDir,
      execArgv: [...typeScriptLoaderArgs(), "--enable-source-maps"],
      env,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "json",
    });
    p.proc = proc;
    p.startedAt = Date.now();
    p.state = "running";
    const label = () => `service ${[...p.known][0] ?? p.decl.key} (pid ${proc.pid ?? "?"})`;
    proc.stdout?.on("data", (b: Buffer) => this.opts.log("info", `${label()}: ${b.toString().trimEnd()}`));
    proc.stderr?.on("data", (b: Buffer) => {
      const s = b.toString();
      p.stderrTail = (p.stderrTail + s).slice(-STDERR_TAIL);
      this.opts.log("warn", `${label()}: ${s.trimEnd()}`);
    });
    proc.on("message", (m: { modtasksService?: ServiceMessage }) => {
      if (m && typeof m === "object" && m.modtasksService) this.onMessage(p, proc, m.modtasksService);
    });
    proc.on("error", (e) => this.opts.log("error", `${label()}: ${e.message}`));
    p.exited = new Promise((resolve) => proc.once("exit", (code, signal) => {
      this.onExit(p, proc, code, signal);
      resolve();
    }));
    this.changed(p);
  }

  private onMessage(p: ManagedProcess, proc: ChildProcess, m: ServiceMessage): void {
    if (p.proc !== proc || typeof m.name !== "string") return;
    const name = m.name.toLowerCase();
    if (m.t === "listening") {
      if (p.decl.name && name !== p.decl.name && !p.known.has(name))
        this.opts.log("warn", `${p.decl.script} serves '${name}', but modtasks.json declares it as '${p.decl.name}'`);
      p.known.add(name);
      p.listening.set(name, 0);
      this.opts.log("info", `service '${name}' listens (pid ${proc.pid})`);
      this.emit("listening", { key: p.decl.key, name, pid: proc.pid });
      this.changed(p);
    } else if (m.t === "connections" && p.listening.has(name) && typeof m.count === "number") {
      p.listening.set(name, m.count);
      this.emit("connections", { key: p.decl.key, name, count: m.count });
    }
  }

  private onExit(p: ManagedProcess, proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (p.proc !== proc) return;
    const exit: ExitInfo = { code, signal, at: Date.now(), stderr: lastLine(p.stderrTail) };
    const ranMs = exit.at - (p.startedAt ?? exit.at);
    p.proc = undefined;
    p.startedAt = undefined;
    // A killed process leaves its socket files: clients should see "not there", not "refused".
    for (const name of p.listening.keys()) rmSync(serviceSocketPath(this.dir, name), { force: true });
    p.listening.clear();
    p.lastExit = exit;
    const crashed = code !== 0 || signal !== null;
    if (p.stopRequested || this.stopping || !crashed) {
      p.state = "stopped";
      if (!p.stopRequested && !this.stopping) this.opts.log("info", `${p.decl.key}: exited`);
    } else if (p.decl.onDemand) {
      p.state = "stopped";
      this.opts.log("warn", `${p.decl.key}: crashed (${describeExit(exit)}); it starts again when a client opens it`);
    } else {
      if (ranMs >= (this.opts.healthyAfterMs ?? 30_000)) p.crashStreak = 0;
      const delay = Math.min(this.opts.maxBackoffMs ?? 30_000, (this.opts.backoffMs ?? 250) * 2 ** p.crashStreak);
      p.crashStreak++;
      p.state = "restarting";
      this.opts.log("warn", `${p.decl.key}: crashed (${describeExit(exit)}); restarting in ${delay} ms`);
      this.emit("backoff", { key: p.decl.key, delay, crashes: p.crashStreak });
      p.backoff = setTimeout(() => {
        p.backoff = undefined;
        if (p.state !== "restarting") return;
        p.restarts++;
        this.spawn(p);
      }, delay);
    }
    this.emit("exit", { key: p.decl.key, pid: proc.pid, exit });
    this.changed(p);
  }

  private changed(p: ManagedProcess): void {
    this.emit("state", { key: p.decl.key, names: [...p.known], state: p.state, pid: p.proc?.pid ?? null });
  }

  private async stopProcess(p: ManagedProcess): Promise<void> {
    if (p.backoff) clearTimeout(p.backoff);
    p.backoff = undefined;
    const proc = p.proc;
    if (!proc) {
      if (p.state !== "stopped") {
        p.state = "stopped";
        this.changed(p);
      }
      return;
    }
    p.stopRequested = true;
    p.state = "stopping";
    this.changed(p);
    const exited = p.exited;
    proc.kill("SIGTERM");
    const kill = setTimeout(() => proc.kill("SIGKILL"), this.opts.stopGraceMs ?? 5000);
    await exited;
    clearTimeout(kill);
  }

  /** Stops every service process (the runtime is stopping). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.processes.map((p) => this.stopProcess(p)));
    try {
      rmdirSync(this.dir); // only when empty: sockets of services run by hand stay
    } catch {
      // not empty, or never made
    }
  }
}

export function describeExit(e: ExitInfo): string {
  const how = e.signal ? `killed by ${e.signal}` : `code ${e.code}`;
  return e.stderr ? `${how}: ${e.stderr}` : how;
}

/** The line of a crash's stderr that says what happened: the error line of a stack trace, else the last line. */
function lastLine(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^Node\.js v\d/.test(l));
  const error = lines.findLast((l) => /^([A-Z]\w*)?Error\b/.test(l));
  return (error ?? lines[lines.length - 1] ?? "").slice(0, 300);
}
