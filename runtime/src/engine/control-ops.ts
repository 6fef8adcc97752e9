import { ControlError, type ControlServer } from "../control/server";
import { buildTaskRows, resolveSchedulableType } from "../queue/scheduling";
import type { ListTasksOptions, ScheduleOptions } from "../queue/types";
import type { Runtime } from "./runtime";
import type { EphemeralOptions } from "./ephemeral";
import type { ExecuteSpec } from "../prudence/background";
import { toJsonText } from "../queue/json-value";
import { registerServiceOps } from "../services/control-ops"; // backend services (#10)

function taskIdOf(v: unknown): number {
  const id = Number(v);
  if (!Number.isInteger(id) || id <= 0) throw new ControlError(`invalid task id ${JSON.stringify(v)}`);
  return id;
}

/**
 * The operations the runtime answers on its control socket. Operations that only read or write
 * the queue are done by clients directly on the database; these are the ones that need the
 * running process: wake-ups, live events, killing a running worker, status, reload, stop.
 */
export function registerControlOps(rt: Runtime, server: ControlServer): void {
  registerServiceOps(rt, server); // services, service-start, service-stop, service-restart (#10)

  server.handle("wake", () => {
    rt.wake();
  });

  server.handle("status", () => rt.status());

  // Live events; with `logs: true` also the runtime's log lines (`log` events), for an editor
  // attached to a runtime whose output it cannot read. `logs` in the reply says they will come.
  server.handle("subscribe", (req, conn) => {
    conn.subscribed = true;
    const logs = req.logs === true;
    if (logs) {
      rt.logFeed.add(conn);
      conn.onClose(() => rt.logFeed.remove(conn));
    }
    return { node: rt.nodeName, logs };
  });

  server.handle("list", (req) => rt.store.list((req.filter ?? {}) as ListTasksOptions));

  server.handle("describe", async (req) => {
    const t = await rt.store.describe(taskIdOf(req.taskId));
    if (!t) throw new ControlError(`No such task #${req.taskId}`);
    return t;
  });

  server.handle("counts", () => rt.store.counts());

  server.handle("types", () => rt.taskTypes);

  server.handle("schedule", async (req) => {
    const lookup = (name: string) => rt.taskTypes.find((t) => t.name === name);
    const datas = Array.isArray(req.dataList) ? (req.dataList as unknown[]) : [req.data ?? null];
    const info = resolveSchedulableType(lookup, String(req.type));
    const rows = buildTaskRows(info, datas, (req.options ?? {}) as ScheduleOptions, Date.now());
    const ids = await rt.store.transaction((tx) => tx.insertTasks(rows));
    rt.wake();
    return ids;
  });

  server.handle("ephemeral", async (req, conn) => {
    const type = String(req.type ?? "").toLowerCase();
    const info = rt.taskTypes.find((t) => t.name === type);
    if (!info) throw new ControlError(`No such ephemeral task type '${req.type}'`);
    if (info.kind !== "ephemeral") throw new ControlError(`'${req.type}' is a managed task; use scheduleManagedTask`);
    try {
      toJsonText(req.data ?? null, "data");
    } catch (e) {
      throw new ControlError(`Cannot run ${type}: ${(e as Error).message}`);
    }
    // The caller going away (closed connection: exit, abort) kills the run.
    const gone = new AbortController();
    conn.onClose(() => gone.abort());
    return rt.runEphemeral(info, req.data ?? null, (req.options ?? {}) as EphemeralOptions, gone.signal);
  });

  server.handle("retry", async (req) => {
    const ids = (Array.isArray(req.taskIds) ? req.taskIds : [req.taskId]).map(taskIdOf);
    const n = await rt.store.retry(ids, Date.now());
    rt.wake();
    return n;
  });

  server.handle("reschedule", async (req) => {
    const id = await rt.store.rescheduleFinished(taskIdOf(req.taskId), Date.now());
    if (id === undefined) throw new ControlError(`Task #${req.taskId} is not finished (or does not exist)`);
    rt.wake();
    return id;
  });

  server.handle("delete", async (req) => {
    const id = taskIdOf(req.taskId);
    if (rt.isRunning(id)) await rt.cancelRunning(id);
    return rt.store.remove(id);
  });

  server.handle("cancel", async (req) => {
    const id = taskIdOf(req.taskId);
    // A run of this node is killed first, and its end recorded as cancelled: on SQLite the run's
    // open transaction may hold the one write lock, so writing the request first would wait
    // until the run ended by itself.
    if (rt.isRunning(id) && (await rt.cancelRunning(id))) return "cancelled";
    const r = await rt.store.requestCancel(id, Date.now(), String(req.error ?? "Task was cancelled"));
    if (r === "requested" && rt.isRunning(id)) {
      await rt.cancelRunning(id);
      return "cancelled";
    }
    // Running on another node: tell it now rather than at its next heartbeat.
    if (r === "requested") await rt.store.transaction((tx) => tx.notify("modtasks_cancel", String(id)));
    return r;
  });

  server.handle("scheduled", () => rt.scheduler.list());

  server.handle("trigger", async (req) => {
    const when = req.when === undefined || req.when === null ? undefined : Number(req.when);
    // wait: false answers once the request is stored (`modtasks trigger --no-wait`).
    if (req.wait === false) return { requested: String(req.name), after: await rt.scheduler.request(String(req.name), when) };
    const done = await rt.scheduler.trigger(String(req.name), when);
    return { ok: done.ok, error: done.error, warning: done.warning, start: done.start };
  });

  server.handle("set-enabled", async (req) => {
    await rt.scheduler.setEnabled(String(req.name), req.enabled !== false);
    return { name: req.name, enabled: req.enabled !== false };
  });

  // Prudence-style background tasks (node-local, not durable). A handler's error message is the reply.
  server.handle("execute", (req) => ({ taskId: rt.background.execute(req.spec as ExecuteSpec) }));
  server.handle("execute-result", (req) => rt.background.result(Number(req.taskId), Number(req.timeout ?? 0)));
  server.handle("execute-state", (req) => rt.background.state(Number(req.taskId)));
  server.handle("execute-cancel", (req) => rt.background.cancel(Number(req.taskId)));
  server.handle("distributed-wake", () => rt.distributed?.wake());
  server.handle("background", () => ({ tasks: rt.background.list(), ...rt.background.sizes }));

  server.handle("insights", async () => {
    // The counts as of now (also a chart sample): the reply is current even between samples.
    rt.insights.record({ event: "queue-counts", at: Date.now(), counts: await rt.store.counts() });
    const retries = await rt.store.list({ state: "retrying", limit: 200 });
    return rt.insights.snapshot(Date.now(), { retries: retries.map((t) => ({ id: t.id, type: t.type, failures: t.failures, runAt: t.runAt, lastError: t.lastError })) });
  });

  server.handle("reload", async () => {
    await rt.reload();
    return { types: rt.taskTypes.length };
  });

  server.handle("stop", () => {
    setImmediate(() => void rt.stop());
    return { stopping: true };
  });
}
