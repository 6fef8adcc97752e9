import { cpus } from "node:os";
import { controlSocketPath } from "../control/protocol";
import { ControlServer } from "../control/server";
import { type DbConfig, describeDb, openStore, sessionName } from "../queue/open-store";
import { DEFAULT_KEEP_FINISHED_MS } from "../queue/policy";
import type { QueueStore } from "../queue/store";
import type { TaskTypeInfo } from "../queue/task-types";
import { WorkerPool } from "../workers/pool";
import type { RunRequest } from "../workers/protocol";
import { Dispatcher, type TaskEvent } from "./dispatcher";
import { type LoadedModules, loadModules, publishTypes } from "./modules";
import { makeOwner, NodeMembership } from "./node-membership";
import { workerScriptPath } from "./paths";
import { registerControlOps } from "./control-ops";
import { type EphemeralOptions, EphemeralRunner } from "./ephemeral";
import { RemoteEphemerals } from "./remote-ephemeral";
import { type InsightsEvent, QueueInsights } from "../insights/aggregator";
import { CountsSampler } from "../insights/counts-sampler";
import { LogFeed } from "./log-feed";
import { realClock, type Clock } from "../scheduler/clock";
import { runScript } from "../scheduler/script-runner";
import { type TimedEvent, type TimedTask, TimedScheduler } from "../scheduler/timed-scheduler";
import { TimedStore } from "../scheduler/timed-store";
import { clusterMaintenanceOffset } from "../scheduler/maintenance-offset";
import { resolveMaintenanceOffset, resolveRunTz, type CronDialect, type Zone } from "../cron/index";
import { DefinitionWatcher } from "./definition-watcher";
import { takeOverFromDeadNodes } from "./takeover";
import { BackgroundTasks } from "../prudence/background";
import { CrontabRunner } from "../prudence/crontab-runner";
import { DistributedRunner } from "../prudence/distributed-runner";
import { DistributedStore } from "../prudence/distributed-store";
import { programPreloadPath } from "../prudence/program-runner";
import { resolveDocument } from "../crontab/documents";
import { existsSync } from "node:fs";
import { packageRoot } from "./paths";
import { ServiceManager } from "../services/service-manager"; // backend services (#10)

export type LogFn = (level: "info" | "warn" | "error", text: string) => void;

/**
 * A claim survives this long without a heartbeat. With heartbeats every quarter lease and a
 * takeover check every second, a dead node's tasks run elsewhere within ~7 s: inside the
 * 10 s promised, with room for a loaded machine. Shorter would take over from a node that is
 * merely busy (its event loop blocked for a few seconds).
 */
export const DEFAULT_LEASE_MS = 6000;

/** The zone of crontab masks: the option, else the machine's (as Prudence: the JVM's). */
function crontabZone(name: string | undefined): Zone {
  if (!name) return { kind: "iana", name: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC" };
  const r = resolveRunTz(name, 0);
  if (!r.zone) throw new Error(`invalid crontab time zone '${name}': ${r.issues[0]?.message ?? "unknown zone"}`);
  return r.zone;
}

export interface RuntimeOptions {
  db: DbConfig;
  /** Module folders, or folders to search for modules. */
  moduleDirs: string[];
  nodeName?: string;
  /** Workers of the default cluster (`system:default`); default: number of cores. */
  workers?: number;
  /** How long a claim holds without a heartbeat before another node may take the task over. */
  leaseMs?: number;
  /** Safety-net poll for work that arrived without a wake-up. */
  pollMs?: number;
  keepFinishedMs?: number;
  memoryLimitMb?: number;
  /** Listen on this socket instead of the default beside the database. */
  socketPath?: string;
  /** Do not listen on a control socket at all (embedded use in tests). */
  noControlSocket?: boolean;
  serverType?: string;
  /** At most this many scheduled (`<task>`) runs at once on this node (default 4, as WebHare). */
  maxScheduledRuns?: number;
  /** Cron dialect for `runat` (default "webhare"; must match the editor's setting). */
  runatDialect?: CronDialect;
  /** Minutes of the `maintenance` zone; default: WEBHARE_MAINTENANCE_OFFSET or the stored per-installation value. */
  maintenanceOffset?: number;
  /** Re-read module definitions when they change on disk (default true). */
  watch?: boolean;
  /** Time for the scheduler (tests). */
  clock?: Clock;
  /** Workers for Prudence-style entry points, and the limit of program processes (default 2 × cores + 1, as Prudence). */
  backgroundWorkers?: number;
  /** Allow codeTask() and `<% %>` crontab lines (literal code). Never in an untrusted workspace. */
  allowCodeTasks?: boolean;
  /** Run `crontab.system` files (programs). Never in an untrusted workspace. */
  systemCrontab?: boolean;
  /** Zone of crontab masks (default: the host's, as Prudence). */
  crontabZone?: string;
  log?: LogFn;
}

export interface RuntimeStatus {
  node: string;
  owner: string;
  pid: number;
  startedAt: number;
  db: string;
  socket: string | null;
  modules: LoadedModules["modules"];
  problems: LoadedModules["problems"];
  clusters: { name: string; size: number; idle: number; busy: number; workers: ReturnType<WorkerPool["snapshot"]> }[];
  running: { id: number; type: string; started: number; cluster: string }[];
  counts: Awaited<ReturnType<QueueStore["counts"]>>;
  /** `age`: ms since the node's last heartbeat, by the database's clock (absent from runtimes before it was added). */
  nodes: { name: string; host: string; pid: number; heartbeat: number; age?: number; started: number; info: Record<string, unknown> }[];
  scheduled: Awaited<ReturnType<TimedScheduler["list"]>>;
  /** At most this many scheduled runs at once (the timeline's collision limit). */
  maxScheduledRuns: number;
  background: { workers: number; programsRunning: number; tasks: ReturnType<BackgroundTasks["list"]>; crontab: CrontabRunner["entries"] };
}

/**
 * The local runtime: loads modules, registers as a node, runs one worker pool and dispatcher per
 * task cluster, and serves the control socket. `modtasks run` is a thin shell around this.
 */
export class Runtime {
  readonly startedAt = Date.now();
  private readonly pools = new Map<string, WorkerPool>();
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly eventListeners = new Set<(e: TaskEvent) => void>();
  private modules: LoadedModules = { modules: [], types: [], clusters: [], scheduled: [], problems: [] };
  private control: ControlServer | undefined;
  private socketPath: string | undefined;
  private stopping: Promise<void> | undefined;
  private readonly idleWaiters = new Set<() => void>();
  private readonly unlisten: (() => void)[] = [];
  private markStopped!: () => void;
  /** Resolves once stop() has finished (whoever called it: a signal, the control socket, a takeover). */
  readonly stopped = new Promise<void>((r) => (this.markStopped = r));
  /** Keeps the process alive while the runtime runs, even with no workers or socket. */
  private readonly keepAlive = setInterval(() => {}, 1 << 30);
  readonly membership: NodeMembership;
  readonly ephemeral: EphemeralRunner;
  /** Cluster (PostgreSQL): ephemeral tasks handed to and from other nodes. */
  remoteEphemerals: RemoteEphemerals | undefined;
  /** Other nodes with a fresh heartbeat, as of the last look (otherNodesAlive). */
  private otherLiveNodes = 0;
  /** How the queue behaved over the last hour (control op `insights`, the timeline's second tab). */
  readonly insights = new QueueInsights();
  /** Queue counts for the insights chart: at start, after task events (throttled), and every 10 s. */
  private countsSampler: CountsSampler | undefined;
  /** Control connections that asked for the log (`subscribe` with `logs: true`): attached editors. */
  readonly logFeed = new LogFeed();
  scheduler!: TimedScheduler;
  background!: BackgroundTasks;
  private crontab: CrontabRunner | undefined;
  distributed: DistributedRunner | undefined;
  private backgroundPool: WorkerPool | undefined;
  private watcher: DefinitionWatcher | undefined;
  /** Backend service processes (#10, runtime/src/services); set in boot. */
  services: ServiceManager | undefined;
  readonly log: LogFn;
  readonly leaseMs: number;

  private constructor(
    readonly store: QueueStore,
    readonly opts: RuntimeOptions,
    owner: string,
  ) {
    const print = opts.log;
    this.log = (level, text) => {
      print?.(level, text);
      this.logFeed.publish(level, text);
    };
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.ephemeral = new EphemeralRunner((cluster) => this.pools.get(cluster), (run) =>
      this.emit({ event: "task-finished", id: run.id, type: run.type, state: "finished", outcome: run.ok ? "completed" : "failed", kind: "ephemeral" }),
    );
    this.membership = new NodeMembership(store, opts.nodeName ?? "local", owner, this.leaseMs, () => this.nodeInfo(), this.log);
  }

  static async start(opts: RuntimeOptions): Promise<Runtime> {
    const owner = makeOwner(opts.nodeName ?? "local");
    const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    // The runtime's own statements are short: one that gets no answer within half a lease
    // means the database is unreachable, and the node must stop claiming before its lease ends.
    const store = await openStore(opts.db, { applicationName: sessionName(owner), queryTimeoutMs: Math.max(1000, Math.floor(leaseMs / 2)) });
    const rt = new Runtime(store, opts, owner);
    try {
      await rt.boot();
    } catch (e) {
      await rt.stop().catch(() => {});
      throw e;
    }
    return rt;
  }

  get nodeName(): string {
    return this.membership.name;
  }

  private nodeInfo(): Record<string, unknown> {
    return {
      workerPids: [...this.pools.values()].flatMap((p) => p.pids()),
      running: [...this.dispatchers.values()].flatMap((d) => d.runningTasks().map((t) => t.id)),
      clusters: [...this.pools.values()].map((p) => ({ name: p.name, size: p.size, busy: p.busy })),
      socket: this.socketPath ?? null,
      // Other nodes' status says when this node's heartbeat is too old (its runs are taken over).
      leaseMs: this.leaseMs,
    };
  }

  /** Start-up, in order; each step is one method below. */
  private async boot(): Promise<void> {
    this.modules = await loadModules(this.opts.moduleDirs, { serverType: this.opts.serverType });
    for (const p of this.modules.problems) this.log("warn", `${p.file}:${p.line}: ${p.message}`);
    // Known before registering: the node row tells processes on this machine where to reach us.
    this.socketPath = this.opts.noControlSocket ? undefined : (this.opts.socketPath ?? controlSocketPath(this.opts.db, this.nodeName));
    await this.membership.register();
    await publishTypes(this.store, this.modules.types);
    this.syncPools();
    await this.createScheduler();
    this.createBackgroundTasks();
    await this.listenForNotifications();
    await this.startControlSocket();
    // Backend services (#10): after the control socket, whose path the service processes get.
    this.services = ServiceManager.forRuntime(this, this.control);
    this.startTimers();
    await this.purge();
    this.wake();
    await this.scheduler.start();
    await this.startPrudence();
    this.startWatching();
    this.log("info", `runtime '${this.nodeName}' started on ${describeDb(this.opts.db)} with ${this.modules.modules.length} module(s), ${this.modules.types.length} task type(s)`);
  }

  private async createScheduler(): Promise<void> {
    this.scheduler = new TimedScheduler({
      store: new TimedStore(this.store),
      owner: this.membership.owner,
      clock: this.opts.clock ?? realClock,
      run: (task, signal) => this.runScheduledScript(task, signal),
      maxParallel: this.opts.maxScheduledRuns ?? 4,
      leaseMs: this.leaseMs,
      dialect: this.opts.runatDialect ?? "webhare",
      // The same order as the editor: WEBHARE_MAINTENANCE_OFFSET, then the setting/flag; without
      // either, the value stored in the database (the first node's), so every node agrees.
      maintenanceOffsetMinutes: await clusterMaintenanceOffset(this.store, resolveMaintenanceOffset({ env: process.env, ...(this.opts.maintenanceOffset !== undefined ? { override: this.opts.maintenanceOffset } : {}) }), this.log),
      onEvent: (e) => this.emitTimed(e),
      log: this.log,
    });
    await this.scheduler.sync(this.modules.scheduled);
  }

  private get backgroundSize(): number {
    return this.opts.backgroundWorkers ?? 2 * Math.max(1, cpus().length) + 1;
  }

  private createBackgroundTasks(): void {
    this.background = new BackgroundTasks({
      modules: () => this.modules.modules,
      pool: () => this.getBackgroundPool(this.backgroundSize),
      programSlots: this.backgroundSize,
      allowCodeTasks: !!this.opts.allowCodeTasks,
      preload: programPreloadPath(packageRoot),
      env: () => this.childEnv(),
      log: this.log,
      onRunEnd: () => setImmediate(() => this.checkIdle()),
    });
  }

  /** PostgreSQL: other processes and nodes wake us, hand us work and ask for cancels by NOTIFY. */
  private async listenForNotifications(): Promise<void> {
    if (this.store.notifies) {
      const remote = new RemoteEphemerals(this.store, {
        owner: this.membership.owner,
        types: () => this.modules.types,
        freeWorkers: (cluster) => {
          const p = this.pools.get(cluster);
          return p && p.waiting === 0 ? p.idle : 0;
        },
        ephemeral: this.ephemeral,
        log: this.log,
      });
      this.remoteEphemerals = remote;
      this.unlisten.push(
        await this.store.listen("modtasks_ephemeral", () => remote.notified()),
        await this.store.listen("modtasks_events", (payload) => {
          remote.onEvent(payload);
          this.scheduler.noteFinishedElsewhere(payload); // a triggered run that another node ran
        }),
      );
    }
    this.unlisten.push(
      await this.store.listen("modtasks_timed", () => void this.scheduler.tick()),
      await this.store.listen("modtasks_wake", () => this.wake()),
      await this.store.listen("modtasks_cancel", (payload) => {
        this.remoteEphemerals?.onCancel(payload);
        const id = Number(payload);
        if (this.isRunning(id)) void this.cancelRunning(id);
      }),
      await this.store.listen("modtasks_distributed", () => this.distributed?.wake()),
    );
  }

  private async startControlSocket(): Promise<void> {
    if (this.opts.noControlSocket) return;
    this.control = new ControlServer(this.socketPath!, { pid: process.pid, node: this.nodeName, db: describeDb(this.opts.db) });
    registerControlOps(this, this.control);
    await this.control.listen();
  }

  private startTimers(): void {
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => {
        fn().catch((e: unknown) => this.log("error", e instanceof Error ? e.message : String(e)));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    // Heartbeat: a quarter of the lease, so missed beats still leave the lease valid.
    every(Math.max(100, Math.floor(this.leaseMs / 4)), () => this.heartbeat());
    every(Math.min(1000, Math.max(100, Math.floor(this.leaseMs / 4))), () =>
      takeOverFromDeadNodes({
        store: this.store,
        owner: this.membership.owner,
        leaseMs: this.leaseMs,
        remoteEphemerals: this.remoteEphemerals,
        log: this.log,
        onTasksRecovered: () => this.wake(),
        onTimedRecovered: () => void this.scheduler.tick(),
        // Rows leased to this node that none of its dispatchers holds go back to the queue.
        holdsRun: (id) => [...this.dispatchers.values()].some((d) => d.holds(id)),
      }),
    );
    // Hourly, or as often as the retention when it is shorter (a 10-minute retention means ~10 minutes).
    every(Math.min(60 * 60 * 1000, Math.max(1000, this.opts.keepFinishedMs ?? Infinity)), () => this.purge());
    // Counts change without events here too (other processes, other nodes): sample every 10 s as well.
    const sampler = new CountsSampler({
      read: () => this.store.counts(),
      record: (e) => this.insights.record(e),
      onError: (e) => this.log("error", `queue counts: ${e instanceof Error ? e.message : String(e)}`),
    });
    this.countsSampler = sampler;
    void sampler.sample();
    every(10_000, () => sampler.sample());
  }

  /** Prudence-style crontabs, distributed tasks and startup documents. */
  private async startPrudence(): Promise<void> {
    this.crontab = new CrontabRunner({
      background: this.background,
      clock: this.opts.clock ?? realClock,
      zone: crontabZone(this.opts.crontabZone),
      systemCrontab: !!this.opts.systemCrontab,
      env: () => this.childEnv(),
      log: this.log,
    });
    this.crontab.sync(this.modules.modules);
    this.distributed = new DistributedRunner(this.store, {
      node: this.nodeName,
      owner: this.membership.owner,
      background: this.background,
      maxParallel: this.backgroundSize,
      log: this.log,
      onFinished: (id) => this.control?.broadcast({ event: "distributed-finished", id }),
    });
    this.distributed.wake();
    this.runStartupDocuments();
  }

  private startWatching(): void {
    if (this.opts.watch === false) return;
    this.watcher = new DefinitionWatcher(
      () => this.modules.modules.map((m) => m.file),
      () => {
        this.log("info", "a module definition changed: reloading");
        void this.reload().catch((e: unknown) => this.log("error", `reload failed: ${e instanceof Error ? e.message : String(e)}`));
      },
    );
    this.watcher.start();
  }

  private async heartbeat(): Promise<void> {
    let ok: boolean;
    try {
      ok = await this.membership.beat();
    } catch (e) {
      // The database is unreachable: stop claiming; runs in flight may still finish.
      for (const d of this.dispatchers.values()) d.setPaused(true);
      throw new Error(`heartbeat failed, not claiming new tasks: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!ok) {
      this.log("error", "another runtime took over this node's name: stopping");
      void this.stop();
      return;
    }
    await this.scheduler.renewLeases(Date.now() + this.leaseMs);
    for (const d of this.dispatchers.values()) d.setPaused(false);
    this.distributed?.wake(); // safety net for a lost NOTIFY
    this.remoteEphemerals?.wake(); // safety net for a lost NOTIFY
    // Cancels requested by other processes while our runs went on.
    for (const id of await this.store.cancelRequestedRuns(this.membership.owner)) void this.cancelRunning(id);
  }

  private async purge(): Promise<void> {
    const before = Date.now() - (this.opts.keepFinishedMs ?? DEFAULT_KEEP_FINISHED_MS);
    await new DistributedStore(this.store).purge(before);
    const n = await this.store.purgeFinished(before);
    if (n) this.log("info", `purged ${n} finished task(s)`);
  }

  /** Creates, resizes or retires pools to match the loaded clusters. */
  private syncPools(): void {
    const defaultSize = this.opts.workers ?? Math.max(1, cpus().length);
    const wanted = new Map<string, number>();
    for (const t of this.modules.types) {
      if (wanted.has(t.cluster)) continue;
      const decl = this.modules.clusters.find((c) => c.name === t.cluster);
      wanted.set(t.cluster, decl ? decl.workers : defaultSize);
    }
    for (const [name, size] of wanted) {
      let pool = this.pools.get(name);
      if (!pool) {
        pool = new WorkerPool({
          name,
          size,
          workerScript: workerScriptPath(),
          db: this.opts.db,
          types: this.modules.types,
          ...(this.opts.memoryLimitMb ? { memoryLimitMb: this.opts.memoryLimitMb } : {}),
          ...(this.socketPath ? { socket: this.socketPath } : {}),
          env: this.workerEnv(),
          log: this.log,
        });
        pool.on("wake", () => this.wake());
        pool.on("idle", () => this.remoteEphemerals?.workerFree());
        this.watchEphemeral(pool);
        this.pools.set(name, pool);
        const d = new Dispatcher({
          store: this.store,
          pool,
          owner: this.membership.owner,
          node: this.nodeName,
          leaseMs: this.leaseMs,
          pollMs: this.opts.pollMs ?? 1000,
          types: () => this.modules.types.filter((t) => t.cluster === name && t.kind === "managed"),
          onEvent: (e) => this.emit(e),
          onIdle: () => this.checkIdle(),
          log: this.log,
        });
        this.dispatchers.set(name, d);
        pool.start();
      } else {
        pool.updateTypes(this.modules.types);
        if (pool.size !== size) pool.resize(size);
      }
    }
  }

  /** Re-reads the module definitions (after an edit) and applies them without a restart. */
  async reload(): Promise<void> {
    this.modules = await loadModules(this.opts.moduleDirs, { serverType: this.opts.serverType });
    await publishTypes(this.store, this.modules.types);
    this.syncPools();
    for (const p of this.pools.values()) p.recycle();
    await this.scheduler.sync(this.modules.scheduled);
    this.crontab?.sync(this.modules.modules);
    await this.services?.reconcile(this.modules.modules);
    this.watcher?.refresh();
    this.wake();
    await this.scheduler.tick();
    this.control?.broadcast({ event: "reloaded", types: this.modules.types.length, scheduled: this.modules.scheduled.length });
    for (const l of this.reloadListeners) l();
  }

  private readonly reloadListeners = new Set<() => void>();
  /** Called after every reload of the module definitions (an edit on disk, or the `reload` op). */
  onReloaded(fn: () => void): () => void {
    this.reloadListeners.add(fn);
    return () => this.reloadListeners.delete(fn);
  }

  /** Ephemeral runs have no database row: their progress is told through events. */
  private watchEphemeral(pool: WorkerPool): void {
    pool.on("started", (req: RunRequest, pid: number | undefined) => {
      if (req.kind === "ephemeral") this.emit({ event: "task-started", id: req.task.id, type: req.task.type, node: this.nodeName, kind: "ephemeral", ...(pid ? { pid } : {}) });
    });
    pool.on("queued", (req: RunRequest) => {
      if (req.kind === "ephemeral") this.emit({ event: "task-queued", id: req.task.id, type: req.task.type, node: this.nodeName, kind: "ephemeral" });
    });
  }

  /** The pool for Prudence-style entry points, started on first use (it is 2 × cores + 1 processes). */
  private getBackgroundPool(size: number): WorkerPool {
    if (!this.backgroundPool) {
      this.backgroundPool = new WorkerPool({
        name: "prudence:background",
        size,
        workerScript: workerScriptPath(),
        db: this.opts.db,
        types: this.modules.types,
        ...(this.socketPath ? { socket: this.socketPath } : {}),
        env: this.workerEnv(),
        log: this.log,
      });
      this.backgroundPool.start();
    }
    return this.backgroundPool;
  }

  /** Prudence: each module's `startup` document runs once at start with context "initial". */
  private runStartupDocuments(): void {
    for (const m of this.modules.modules) {
      if (!resolveDocument(m.dir, "/startup/", existsSync).ok) continue;
      try {
        this.background.execute({ module: m.name, document: "/startup/", context: "initial" });
      } catch (e) {
        this.log("warn", `startup document of ${m.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /** What worker processes learn of their runtime: its node, and the name of its database sessions. */
  private workerEnv(): NodeJS.ProcessEnv {
    // MODTASKS_DB: task code's openRuntime()/openBackendService() mean this runtime's database,
    // and clients check that the runtime at MODTASKS_SOCKET serves the database they mean.
    return { MODTASKS_DB_SESSION: sessionName(this.membership.owner), MODTASKS_NODE: this.nodeName, MODTASKS_DB: this.opts.db.kind === "sqlite" ? `sqlite:${this.opts.db.path}` : this.opts.db.url };
  }

  /** The environment of processes the runtime starts: they find their database and runtime. */
  private childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      MODTASKS_DB: this.opts.db.kind === "sqlite" ? `sqlite:${this.opts.db.path}` : this.opts.db.url,
      ...(this.socketPath ? { MODTASKS_SOCKET: this.socketPath } : {}),
      MODTASKS_NODE: this.nodeName,
      ...extra,
    };
  }

  /** Runs one `<task>` script (a process of its own, in the module folder). */
  private runScheduledScript(task: TimedTask, signal: AbortSignal) {
    if (!task.script) return Promise.resolve({ ok: false, error: "the task names no script", warning: null, output: "", exitCode: null });
    return runScript({
      script: task.script,
      args: task.args,
      cwd: task.moduleDir,
      env: this.childEnv({ MODTASKS_TASK: task.name }),
      timeoutMs: (task.timeoutMinutes || 60) * 60_000,
      timeoutMinutes: task.timeoutMinutes || 60,
      clock: this.opts.clock ?? realClock,
      signal,
      onOutput: (stream, text) => this.log(stream === "stderr" ? "warn" : "info", `[${task.name}] ${text.trimEnd()}`),
    });
  }

  private emitTimed(e: TimedEvent): void {
    this.control?.broadcast(e);
    if (e.event === "scheduled-finished") setImmediate(() => this.checkIdle());
    for (const l of this.timedListeners) l(e);
    if (e.event === "scheduled-finished" && this.store.notifies) {
      // Waiters on other nodes (scheduleTimedTask) learn of the end too.
      void this.store.transaction((tx) => tx.notify("modtasks_events", JSON.stringify(e))).catch(() => {});
    }
  }

  private readonly timedListeners = new Set<(e: TimedEvent) => void>();
  onTimedEvent(fn: (e: TimedEvent) => void): () => void {
    this.timedListeners.add(fn);
    return () => this.timedListeners.delete(fn);
  }

  get taskTypes(): readonly TaskTypeInfo[] {
    return this.modules.types;
  }

  get loaded(): LoadedModules {
    return this.modules;
  }

  /** Look for runnable work now (new tasks were committed, or a scheduled task was triggered). */
  wake(): void {
    for (const d of this.dispatchers.values()) d.wake();
  }

  onEvent(fn: (e: TaskEvent) => void): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }

  private emit(e: TaskEvent): void {
    if (e.event !== "task-queued") this.insights.record({ ...e, at: Date.now() } as InsightsEvent);
    this.countsSampler?.poke();
    for (const l of this.eventListeners) l(e);
    this.control?.broadcast(e);
  }

  /**
   * Runs an ephemeral task for a caller of this node: here when a worker is free (or there is
   * nowhere else to go), else handed to another node of the cluster through the database.
   */
  async runEphemeral(info: TaskTypeInfo, data: unknown, options: EphemeralOptions, signal: AbortSignal): Promise<unknown> {
    const pool = this.pools.get(info.cluster);
    // Busy: every worker runs something, or runs already wait. (A worker still starting up is not busy.)
    const busyHere = !pool || pool.waiting > 0 || pool.busy >= pool.size;
    if (this.remoteEphemerals && busyHere && (await this.otherNodesAlive())) return this.remoteEphemerals.submit(info, data, options, signal);
    return this.ephemeral.run(info, data, options, signal);
  }

  private liveNodesCheckedAt = 0;
  /** Whether another node has a fresh heartbeat (looked up at most once a second). */
  private async otherNodesAlive(): Promise<boolean> {
    if (Date.now() - this.liveNodesCheckedAt > 1000) {
      // Heartbeat ages are the database's clock: this node's own clock may be skewed.
      this.otherLiveNodes = (await this.store.listNodes()).filter((n) => n.age <= this.leaseMs && n.instance !== this.membership.owner).length;
      this.liveNodesCheckedAt = Date.now();
    }
    return this.otherLiveNodes > 0;
  }

  /** Kills a task this runtime runs and records it as cancelled; false when it does not run it. */
  async cancelRunning(id: number): Promise<boolean> {
    for (const d of this.dispatchers.values()) if (await d.cancel(id)) return true;
    return false;
  }

  isRunning(id: number): boolean {
    for (const d of this.dispatchers.values()) if (d.isRunning(id)) return true;
    return false;
  }

  async status(): Promise<RuntimeStatus> {
    const nodes = await this.store.listNodes();
    return {
      node: this.nodeName,
      owner: this.membership.owner,
      pid: process.pid,
      startedAt: this.startedAt,
      db: describeDb(this.opts.db),
      socket: this.control?.path ?? null,
      modules: this.modules.modules,
      problems: this.modules.problems,
      clusters: [...this.pools.values()].map((p) => ({ name: p.name, size: p.size, idle: p.idle, busy: p.busy, workers: p.snapshot() })),
      running: [...this.dispatchers.entries()].flatMap(([cluster, d]) => d.runningTasks().map((t) => ({ ...t, cluster }))),
      counts: await this.store.counts(),
      nodes: nodes.map((n) => ({ name: n.name, host: n.host, pid: n.pid, heartbeat: n.heartbeat, age: n.age, started: n.started, info: n.info })),
      scheduled: await this.scheduler.list(),
      maxScheduledRuns: this.opts.maxScheduledRuns ?? 4,
      background: { workers: this.background.sizes.workers, programsRunning: this.background.sizes.programsRunning, tasks: this.background.list(), crontab: this.crontab?.entries ?? [] },
    };
  }

  /**
   * Resolves when nothing is runnable: no run in flight and no pending task of a loaded type
   * that is due within `graceMs`. Tasks waiting for a later retry or notBefore do not count.
   */
  async whenIdle(graceMs = 0): Promise<void> {
    for (;;) {
      if (await this.isIdle(graceMs)) return;
      await new Promise<void>((r) => this.idleWaiters.add(r));
    }
  }

  private async isIdle(graceMs: number): Promise<boolean> {
    for (const d of this.dispatchers.values()) if (!d.quiet) return false;
    for (const p of this.pools.values()) if (p.busy > 0) return false;
    for (const p of this.pools.values()) if (p.waiting > 0) return false;
    if (this.scheduler.runningNames.length > 0 || this.scheduler.queuedStartupRuns > 0) return false;
    // Background tasks still to finish (a repeating one never does, so it does not count).
    if (this.background?.list().some((t) => t.running > 0 || (!t.done && !t.repeating))) return false;
    const names = this.modules.types.filter((t) => t.kind === "managed").map((t) => t.name);
    const next = await this.store.nextRunAt(names);
    return next === undefined || next > Date.now() + graceMs;
  }

  private checkIdle(): void {
    if (!this.idleWaiters.size) return;
    const waiters = [...this.idleWaiters];
    this.idleWaiters.clear();
    for (const w of waiters) w();
  }

  /** Stops claiming, kills the workers, returns their tasks to the queue, and unregisters. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const t of this.timers) clearInterval(t);
      this.countsSampler?.stop();
      for (const u of this.unlisten) u();
      this.watcher?.stop();
      this.crontab?.stop();
      this.remoteEphemerals?.stop();
      await this.distributed?.stop();
      await this.background?.stop();
      await this.scheduler?.stop();
      await this.services?.stop(); // backend services (#10)
      for (const d of this.dispatchers.values()) d.setPaused(true);
      await Promise.all([...this.pools.values(), ...(this.backgroundPool ? [this.backgroundPool] : [])].map((p) => p.stop()));
      await Promise.all([...this.dispatchers.values()].map((d) => d.stop()));
      try {
        await this.store.recoverLeases({ now: Date.now(), deadOwners: [this.membership.owner] });
        await this.membership.unregister();
      } catch (e) {
        this.log("error", `could not return running tasks to the queue: ${e instanceof Error ? e.message : String(e)}`);
      }
      await this.control?.close();
      this.control?.dropConnections();
      await this.store.close();
      clearInterval(this.keepAlive);
      this.markStopped();
    })();
    return this.stopping;
  }
}
