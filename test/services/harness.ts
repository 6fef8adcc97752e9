import { join } from "node:path";
import { controlSocketPath } from "../../runtime/src/control/protocol";
import { Runtime } from "../../runtime/src/engine/runtime";
import type { DbConfig } from "../../runtime/src/queue/open-store";
import type { ServiceManager, ServiceStatus } from "../../runtime/src/services/service-manager";
import { tempDir } from "../helpers/tmp";

export const SVCMOD = join(__dirname, "..", "fixtures", "services", "svcmod");
export const FIXTURES = join(__dirname, "..", "fixtures", "services");
export const REPO = join(__dirname, "..", "..");

export interface ServiceHarness {
  rt: Runtime;
  services: ServiceManager;
  db: DbConfig;
  controlSocket: string;
  /** What this test process (and child processes given `env`) use to find the services. */
  env: { MODTASKS_SERVICE_DIR: string; MODTASKS_SOCKET: string; MODTASKS_DB: string };
  logs: string[];
  stop(): Promise<void>;
}

/**
 * A runtime (in this process) for the svcmod fixture, with its service processes; this process
 * is pointed at its service folder and control socket the way the runtime points its children.
 */
export async function startServiceHarness(moduleDir = SVCMOD): Promise<ServiceHarness> {
  const tmp = tempDir("mtsv");
  const db: DbConfig = { kind: "sqlite", path: join(tmp.path, "tasks.db") };
  const logs: string[] = [];
  const rt = await Runtime.start({ db, moduleDirs: [moduleDir], workers: 1, watch: false, log: (level, text) => logs.push(`${level}: ${text}`) });
  const services = rt.services!;
  const controlSocket = controlSocketPath(db);
  // What the runtime gives the processes it starts: clients check that the runtime at
  // MODTASKS_SOCKET serves the database they mean (MODTASKS_DB).
  const env = { MODTASKS_SERVICE_DIR: services.dir, MODTASKS_SOCKET: controlSocket, MODTASKS_DB: `sqlite:${db.path}` };
  Object.assign(process.env, env);
  return {
    rt,
    services,
    db,
    controlSocket,
    env,
    logs,
    async stop() {
      await rt.stop();
      tmp.cleanup();
    },
  };
}

/** Resolves with the first status row `pick` returns, checked now and after every change. */
export function waitForStatus(m: ServiceManager, pick: (rows: ServiceStatus[]) => ServiceStatus | undefined): Promise<ServiceStatus> {
  return new Promise((resolve) => {
    const check = () => {
      const row = pick(m.status());
      if (!row) return;
      m.off("state", check);
      m.off("listening", check);
      m.off("connections", check);
      resolve(row);
    };
    m.on("state", check);
    m.on("listening", check);
    m.on("connections", check);
    check();
  });
}

export function row(m: ServiceManager, name: string): ServiceStatus | undefined {
  return m.status().find((r) => r.name === name);
}

export const listening = (name: string) => (rows: ServiceStatus[]) => rows.find((r) => r.name === name && r.listening);
