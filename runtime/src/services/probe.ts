import { readdirSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { FrameReader, frameLine, WIRE_VERSION } from "./wire";

/** What a service says about itself when probed (`{"v":1,"t":"info"}`). */
export interface ServiceInfo {
  service: string;
  pid: number;
  startedAt: number;
  connections: number;
  path: string;
}

/** Asks the service on `path` who it is; undefined when nothing answers within `timeoutMs`. */
export function probeService(path: string, timeoutMs = 1000): Promise<ServiceInfo | undefined> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    const done = (info?: ServiceInfo) => {
      clearTimeout(timer);
      s.destroy();
      resolve(info);
    };
    const timer = setTimeout(() => done(), timeoutMs);
    const reader = new FrameReader(
      (f) => {
        if (f.t === "info" && typeof f.service === "string")
          done({ service: f.service, pid: Number(f.pid), startedAt: Number(f.startedAt), connections: Number(f.connections), path });
        else done();
      },
      () => done(),
    );
    s.setEncoding("utf8");
    s.on("data", (d: string) => reader.push(d));
    s.on("error", () => done());
    s.on("close", () => done());
    s.on("connect", () => s.write(frameLine({ v: WIRE_VERSION, t: "info" })));
  });
}

/** Probes every socket in a service folder (services started outside the runtime show up too). */
export async function probeServiceDir(dir: string): Promise<ServiceInfo[]> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".sock"));
  } catch {
    return [];
  }
  const found = await Promise.all(names.map((n) => probeService(join(dir, n))));
  return found.filter((i): i is ServiceInfo => i !== undefined);
}
