import { ControlError, type ControlServer } from "../control/server";
import type { Runtime } from "./runtime";

/**
 * The operations the runtime answers on its control socket. Operations that only read or write
 * the queue are done by clients directly on the database; these are the ones that need the
 * running process: wake-ups, live events, killing a running worker, status, reload, stop.
 */
export function registerControlOps(rt: Runtime, server: ControlServer): void {
  server.handle("wake", () => {
    rt.wake();
  });

  server.handle("status", () => rt.status());

  server.handle("subscribe", (_req, conn) => {
    conn.subscribed = true;
    return { node: rt.nodeName };
  });

  server.handle("cancel", async (req) => {
    const id = Number(req.taskId);
    if (!Number.isInteger(id) || id <= 0) throw new ControlError(`invalid task id ${JSON.stringify(req.taskId)}`);
    const r = await rt.store.requestCancel(id, Date.now(), String(req.error ?? "Task was cancelled"));
    if (r === "requested" && rt.isRunning(id)) {
      await rt.cancelRunning(id);
      return "cancelled";
    }
    return r;
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
