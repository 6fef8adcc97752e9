import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import * as vscode from "vscode";
import { ControlClient } from "../../runtime/src/control/client";
import { folderPaths, primaryFolder, readSettings } from "./config";
import { dbArgument, describeDbLocation, socketFor, workspaceDb, type DbLocation } from "./db-location";
import type { RuntimeEvent } from "./runtime-api";
import { findLocalNodes } from "./runtime-discovery";
import { displayCommand, locateRuntime, runArguments, type RuntimeCommand } from "./runtime-locator";

export type RuntimeState = "stopped" | "starting" | "running" | "error";

/** `{"event":"log",…}`: a line of the runtime's log (subscribe with `logs: true`). */
function isLogEvent(e: { event: string; [k: string]: unknown }): e is { event: "log"; level: string; text: string; at?: number } {
  return e.event === "log" && typeof e.text === "string" && typeof e.level === "string";
}

/** How long a starting runtime may take to open its control socket. */
const START_TIMEOUT_MS = 30_000;
/** How long a stopping runtime may take to return its tasks to the queue before it is killed. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * The extension's link to the modtasks runtime: a process it started (`owned`), or one it
 * attached to (started in a terminal with `modtasks run`). Either way all commands and live
 * events go over the runtime's control socket; the extension host never opens the database.
 */
export class RuntimeConnection implements vscode.Disposable {
  private _state: RuntimeState = "stopped";
  private client: ControlClient | undefined;
  private process: ChildProcess | undefined;
  private starting: Promise<boolean> | undefined;
  private stopping = false;
  private db: DbLocation | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<RuntimeState>();
  private readonly eventEmitter = new vscode.EventEmitter<RuntimeEvent>();
  /** Fires on every state change (stopped, starting, running, error). */
  readonly onDidChangeState = this.stateEmitter.event;
  /** Live events pushed by the runtime (task-started, task-finished, scheduled-…). */
  readonly onDidReceiveEvent = this.eventEmitter.event;
  /** The last error that stopped or prevented the runtime. */
  lastError: string | undefined;

  constructor(
    readonly output: vscode.OutputChannel,
    private readonly extensionPath: string,
  ) {}

  get state(): RuntimeState {
    return this._state;
  }

  get connected(): boolean {
    return this._state === "running" && !!this.client?.connected;
  }

  /** True when this window started the runtime (and so stops it on exit). */
  get owned(): boolean {
    return !!this.process && this.process.exitCode === null;
  }

  get database(): string | undefined {
    return this.db ? describeDbLocation(this.db) : undefined;
  }

  get pid(): number | undefined {
    return this.client?.hello?.pid;
  }

  /** The connected runtime's node name ("local" unless it runs in a cluster under another name). */
  get node(): string | undefined {
    return this.client?.hello?.node;
  }

  /**
   * What running the `modtasks` command for this workspace needs (the read-only queue view while
   * no runtime runs): the command as Start Runtime would run it, the database, the folder.
   */
  commandLine(): { ok: true; runtime: RuntimeCommand; db: DbLocation; cwd: string } | { ok: false; message: string } {
    const where = this.resolveDb();
    if ("error" in where) return { ok: false, message: where.error };
    const settings = readSettings();
    const folders = folderPaths();
    const located = locateRuntime({ settingPath: settings.runtimePath, nodePath: settings.nodePath, workspaceFolders: folders, extensionPath: this.extensionPath });
    if (!located.ok) return { ok: false, message: located.message };
    return { ok: true, runtime: located.runtime, db: where.db, cwd: folders[0]! };
  }

  private setState(s: RuntimeState): void {
    if (this._state === s) return;
    this._state = s;
    void vscode.commands.executeCommand("setContext", "modtasks.runtimeState", s);
    this.stateEmitter.fire(s);
  }

  private log(line: string): void {
    this.output.appendLine(`[${new Date().toLocaleTimeString()}] ${line}`);
  }

  /** The database and socket for this workspace; undefined (with a reason) when there is no folder. */
  private resolveDb(): { db: DbLocation; socket: string } | { error: string } {
    const folder = primaryFolder();
    if (!folder) return { error: "Open a folder that contains a module (moduledefinition.xml) first." };
    try {
      const db = workspaceDb(folder, readSettings().database);
      return { db, socket: socketFor(db) };
    } catch (e) {
      return { error: `modtasks.runtime.database: ${(e as Error).message}` };
    }
  }

  /**
   * Connects to a runtime that already runs for this workspace. Quiet by default: activation
   * calls it to pick up a runtime started in a terminal. Resolves whether it connected.
   */
  async attach(opts: { quiet?: boolean } = {}): Promise<boolean> {
    if (this.connected) return true;
    const where = this.resolveDb();
    if ("error" in where) {
      if (!opts.quiet) this.fail(where.error);
      return false;
    }
    let ok = await this.connect(where.socket);
    // PostgreSQL: a node of the cluster may run on this machine under another name.
    if (!ok && where.db.kind === "postgres") {
      for (const n of await findLocalNodes(where.db)) if ((ok = await this.connect(n.socket))) break;
    }
    if (ok) {
      this.db = where.db;
      this.lastError = undefined;
      const node = this.client?.hello?.node;
      this.log(`attached to the runtime${node && node !== "local" ? ` '${node}'` : ""} (pid ${this.client?.hello?.pid}) on ${this.client?.hello?.db ?? describeDbLocation(where.db)}`);
      this.setState("running");
    } else if (!opts.quiet) {
      this.log(`no runtime listens on ${where.socket}`);
    }
    return ok;
  }

  private async connect(socket: string): Promise<boolean> {
    const client = new ControlClient(socket);
    // A runtime this window started writes its log to our pipe; one started elsewhere (a terminal)
    // sends it over the socket when asked, so the output channel shows it either way.
    const wantLogs = !this.owned;
    let reply: { logs?: boolean } | null;
    try {
      await client.connect();
      client.onEvent((e) => {
        if (isLogEvent(e)) this.echoLog(e);
        else this.eventEmitter.fire(e as RuntimeEvent);
      });
      client.onClose(() => this.onClientClosed(client));
      reply = await client.request<{ logs?: boolean } | null>("subscribe", wantLogs ? { logs: true } : {});
    } catch {
      client.close();
      return false;
    }
    this.client?.close();
    this.client = client;
    if (wantLogs && reply?.logs !== true) this.log("this runtime does not send its log (an older modtasks): see the terminal it runs in");
    return true;
  }

  /** A line of an attached runtime's log, as its terminal shows it (with its own time). */
  private echoLog(e: { level: string; text: string; at?: number }): void {
    const time = new Date(typeof e.at === "number" ? e.at : Date.now()).toLocaleTimeString();
    this.output.appendLine(`[${time}] ${e.level === "info" ? "" : `${e.level}: `}${e.text}`);
  }

  private onClientClosed(client: ControlClient): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (this.stopping) return;
    if (this.owned) {
      this.log("lost the connection to the runtime; it still runs (see its output)");
      this.setState("error");
    } else {
      this.log("the runtime went away");
      this.setState("stopped");
    }
  }

  /** Starts the runtime for the workspace (or attaches to one that already runs). */
  start(): Promise<boolean> {
    this.starting ??= this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(): Promise<boolean> {
    if (this.connected) return true;
    this.setState("starting");
    if (await this.attach({ quiet: true })) return true;
    const where = this.resolveDb();
    if ("error" in where) return this.fail(where.error);
    const settings = readSettings();
    const folders = folderPaths();
    const located = locateRuntime({ settingPath: settings.runtimePath, nodePath: settings.nodePath, workspaceFolders: folders, extensionPath: this.extensionPath });
    if (!located.ok) return this.fail(located.message);
    const args = runArguments(located.runtime, folders, {
      database: dbArgument(where.db),
      workers: settings.workers,
      cronDialect: settings.cronDialect,
      maintenanceOffset: settings.maintenanceOffset,
      crontabTimeZone: settings.crontabTimeZone,
    });
    if (where.db.kind === "sqlite") mkdirSync(dirname(where.db.path), { recursive: true });
    const from = located.runtime.source === "path" ? `PATH${located.runtime.packageDir ? `: ${located.runtime.packageDir}` : ""}` : located.runtime.packageDir;
    this.log(`starting: ${displayCommand(located.runtime.command, args)} (runtime from ${from})`);
    if (located.runtime.note) this.log(`note: ${located.runtime.note}`);
    const child = spawn(located.runtime.command, args, { cwd: folders[0], env: process.env, stdio: ["ignore", "pipe", "pipe"], windowsHide: true });
    this.process = child;
    this.stopping = false;
    const exited = new Promise<string>((resolve) => {
      child.once("error", (e) => resolve(`could not start ${located.runtime.command}: ${e.message}`));
      child.once("exit", (code, signal) => resolve(signal ? `the runtime was killed (${signal})` : `the runtime exited with code ${code}`));
    });
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => this.output.append(chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => this.output.append(chunk));
    void exited.then((why) => this.onProcessExit(child, why));

    // Wait for the control socket, retrying briefly; stop early when the process exits.
    const deadline = Date.now() + START_TIMEOUT_MS;
    let gone: string | undefined;
    void exited.then((why) => (gone = why));
    for (let delay = 100; Date.now() < deadline && !gone; delay = Math.min(delay * 1.5, 500)) {
      if (await this.connect(where.socket)) {
        this.db = where.db;
        this.lastError = undefined;
        this.log(`runtime running (pid ${this.client?.hello?.pid}) on ${describeDbLocation(where.db)}`);
        this.setState("running");
        return true;
      }
      await new Promise((r) => setTimeout(r, delay));
    }
    if (!gone) {
      child.kill("SIGKILL");
      return this.fail(`the runtime did not open its control socket (${where.socket}) within ${START_TIMEOUT_MS / 1000} s`);
    }
    return this.fail(`${gone}. See the output for details.`);
  }

  private onProcessExit(child: ChildProcess, why: string): void {
    if (this.process !== child) return;
    this.process = undefined;
    this.log(why);
    if (this.stopping || this._state === "starting") return;
    this.client?.close();
    this.client = undefined;
    if (/code 0$/.test(why)) this.setState("stopped");
    else {
      this.lastError = why;
      this.setState("error");
    }
  }

  private fail(message: string): false {
    this.lastError = message;
    this.log(`error: ${message}`);
    this.setState("error");
    return false;
  }

  /** Stops the runtime: asks it to stop (it returns running tasks to the queue), then waits. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.process;
    const exited = child && child.exitCode === null ? new Promise<void>((r) => child.once("exit", () => r())) : Promise.resolve();
    try {
      if (this.client?.connected) {
        await this.client.request("stop");
        this.log("asked the runtime to stop");
      }
    } catch (e) {
      this.log(`stop: ${(e as Error).message}`);
    }
    // Hang up at once: a stopping runtime waits for its control connections to close.
    this.client?.close();
    this.client = undefined;
    if (child && child.exitCode === null) {
      const timer = setTimeout(() => child.kill("SIGTERM"), STOP_TIMEOUT_MS);
      const killer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS * 1.5);
      await exited;
      clearTimeout(timer);
      clearTimeout(killer);
    }
    this.client = undefined;
    this.process = undefined;
    this.stopping = false;
    this.setState("stopped");
  }

  async restart(): Promise<boolean> {
    await this.stop();
    return this.start();
  }

  /** Sends one request over the control socket; rejects when no runtime is connected. */
  async request<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    if (!this.client?.connected) throw new Error("No modtasks runtime is running. Start it with “modtasks: Start Runtime”.");
    return this.client.request<T>(op, args);
  }

  dispose(): void {
    // A runtime this window started stops with it; one it attached to keeps running.
    const child = this.process;
    if (child && child.exitCode === null) {
      this.stopping = true;
      try {
        if (this.client?.connected) void this.client.request("stop").catch(() => {});
      } catch {
        // ignore
      }
      const t = setTimeout(() => child.kill("SIGTERM"), 3000);
      t.unref();
    }
    this.client?.close();
    this.stateEmitter.dispose();
    this.eventEmitter.dispose();
  }
}
