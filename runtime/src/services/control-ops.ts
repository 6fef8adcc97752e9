import { ControlError, type ControlServer } from "../control/server";
import type { Runtime } from "../engine/runtime";
import { closestMatch } from "../text/suggest";
import type { ServiceManager } from "./service-manager";

/**
 * The runtime's control operations for backend services:
 *  - `services` → ServiceStatus[] (service-manager.ts)
 *  - `service-start {name, timeoutMs?}` → StartAnswer: `{state: "listening", pid}` once the
 *    service accepts clients, `{state: "failed", reason}`, or `{state: "unknown"}` for a name
 *    this runtime does not declare (openBackendService then keeps waiting: another process may
 *    register it)
 *  - `service-stop {name}` → ServiceStatus[] of that process (stays stopped until started)
 *  - `service-restart {name}` → StartAnswer
 */
export function registerServiceOps(rt: Runtime, server: ControlServer): void {
  const manager = (): ServiceManager => {
    if (!rt.services) throw new ControlError("this runtime runs no services");
    return rt.services;
  };
  const nameOf = (v: unknown): string => {
    if (typeof v !== "string" || !v.trim()) throw new ControlError("a service name ('module:name') is required");
    return v.trim().toLowerCase();
  };
  const unknown = (m: ServiceManager, name: string) => {
    const near = closestMatch(name, m.names());
    return new ControlError(`no service '${name}' is declared or running here${near ? `; did you mean '${near}'?` : ""}`);
  };

  server.handle("services", () => rt.services?.status() ?? []);

  server.handle("service-start", (req) => {
    const timeout = typeof req.timeoutMs === "number" && req.timeoutMs > 0 ? Math.min(req.timeoutMs, 300_000) : 30_000;
    return manager().ensureStarted(nameOf(req.name), timeout);
  });

  server.handle("service-stop", async (req) => {
    const m = manager();
    const name = nameOf(req.name);
    if (!(await m.stopService(name))) throw unknown(m, name);
    return m.status().filter((s) => s.name === name || s.key.toLowerCase() === name);
  });

  server.handle("service-restart", async (req) => {
    const m = manager();
    const name = nameOf(req.name);
    const answer = await m.restartService(name);
    if (answer.state === "unknown") throw unknown(m, name);
    return answer;
  });
}
