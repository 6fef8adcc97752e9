/**
 * Which service processes a set of modules declares:
 *  - every `<runatstartup script="...">` of a moduledefinition.xml (WebHare's own, deprecated,
 *    way of starting a long-running script): started with the runtime, restarted when it crashes;
 *    the names it serves are learned when it calls runBackendService;
 *  - every entry of the `services` section of the module's modtasks.json (config.ts), always-on
 *    or on demand, whose name is known up front.
 */
import { readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { evaluateApplicability } from "../definition/applicability";
import { parseModuleDefinition } from "../definition/parse";
import type { ModuleInfo } from "../engine/modules";
import { readServiceConfig } from "./config";

export interface ServiceProcessDecl {
  /** A stable key: `<module>:<script path relative to the module>`. */
  key: string;
  moduleName: string;
  moduleDir: string;
  /** Absolute path of the script. */
  script: string;
  source: "runatstartup" | "modtasks.json";
  /** The service name the process must register (modtasks.json); absent for `<runatstartup>`. */
  name?: string;
  onDemand: boolean;
}

export interface ServiceDeclarations {
  processes: ServiceProcessDecl[];
  problems: string[];
}

const RUNNABLE = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"]);

export function findServiceDeclarations(modules: readonly ModuleInfo[], opts: { serverType?: string | undefined; env?: NodeJS.ProcessEnv } = {}): ServiceDeclarations {
  const out: ServiceDeclarations = { processes: [], problems: [] };
  const names = modules.map((m) => m.name);
  for (const mod of modules) {
    let text: string;
    try {
      text = readFileSync(mod.file, "utf8");
    } catch {
      continue; // loadModules already reported it
    }
    const def = parseModuleDefinition(text, { file: mod.file, moduleName: mod.name });
    const ctx = { env: opts.env ?? process.env, serverType: opts.serverType ?? "development", modules: names };
    for (const d of def.runAtStartup) {
      if (!d.scriptRef || !evaluateApplicability(d, ctx).applies) continue;
      const base = d.scriptRef.module && d.scriptRef.module !== mod.name ? join(dirname(mod.dir), d.scriptRef.module) : mod.dir;
      const script = join(base, d.scriptRef.path);
      if (!RUNNABLE.has(extname(script).toLowerCase())) {
        out.problems.push(`${mod.file}: <runatstartup script="${d.script}">: not started: only TypeScript and JavaScript scripts run here`);
        continue;
      }
      out.processes.push({ key: `${mod.name}:${d.scriptRef.path}`, moduleName: mod.name, moduleDir: mod.dir, script, source: "runatstartup", onDemand: false });
    }
    const config = readServiceConfig(mod.dir, mod.name);
    out.problems.push(...config.problems);
    for (const s of config.services) {
      if (out.processes.some((p) => p.name === s.name)) {
        out.problems.push(`${join(mod.dir, "modtasks.json")}: service '${s.name}' is declared twice`);
        continue;
      }
      out.processes.push({ key: s.name, moduleName: mod.name, moduleDir: mod.dir, script: s.script, source: "modtasks.json", name: s.name, onDemand: s.onDemand });
    }
  }
  return out;
}
