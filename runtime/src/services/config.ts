/**
 * The `services` section of an optional `modtasks.json` beside a moduledefinition.xml:
 *
 *   { "services": { "greeter": { "script": "lib/greeter-service.ts", "onDemand": true } } }
 *
 * declares the service `<module>:greeter`, served by a process running `script` (relative to the
 * module folder). `onDemand: true`: started when a client opens it; otherwise started with the
 * runtime and restarted when it crashes. Other top-level keys are left to other features.
 */
import { existsSync, readFileSync } from "node:fs";
import { extname, isAbsolute, join, normalize, sep } from "node:path";

export const CONFIG_FILE = "modtasks.json";

export interface ServiceConfigEntry {
  /** `module:name`, lower case. */
  name: string;
  /** Absolute path of the script. */
  script: string;
  onDemand: boolean;
}

export interface ServiceConfig {
  services: ServiceConfigEntry[];
  /** What is wrong with the file, one message per problem ("modtasks.json: services.x.script: ..."). */
  problems: string[];
}

const LOCAL_NAME = /^[a-z0-9_][a-z0-9_.-]*$/;
const SCRIPT_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"]);

/** Reads `<moduleDir>/modtasks.json`; a missing file is an empty configuration. */
export function readServiceConfig(moduleDir: string, moduleName: string): ServiceConfig {
  const file = join(moduleDir, CONFIG_FILE);
  if (!existsSync(file)) return { services: [], problems: [] };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return { services: [], problems: [`${file}: cannot read: ${(e as Error).message}`] };
  }
  return parseServiceConfig(text, moduleDir, moduleName, file);
}

/** Validates the text of a modtasks.json; every problem is reported, valid entries are kept. */
export function parseServiceConfig(text: string, moduleDir: string, moduleName: string, file = CONFIG_FILE): ServiceConfig {
  const out: ServiceConfig = { services: [], problems: [] };
  const problem = (where: string, msg: string) => out.problems.push(`${file}: ${where ? `${where}: ` : ""}${msg}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    problem("", `not valid JSON (${(e as Error).message})`);
    return out;
  }
  if (!isObject(json)) {
    problem("", "must be a JSON object");
    return out;
  }
  if (json.services === undefined) return out;
  if (!isObject(json.services)) {
    problem("services", 'must be an object of services by name, e.g. { "greeter": { "script": "lib/greeter.ts" } }');
    return out;
  }
  for (const [key, value] of Object.entries(json.services)) {
    const where = `services.${key}`;
    if (!LOCAL_NAME.test(key)) {
      problem(where, "a service name is lower-case letters, digits, '_', '.', '-' (the module name is added: the service is 'module:name')");
      continue;
    }
    if (!isObject(value)) {
      problem(where, 'must be an object with a "script"');
      continue;
    }
    let ok = true;
    for (const k of Object.keys(value)) {
      if (k !== "script" && k !== "onDemand") {
        problem(`${where}.${k}`, 'unknown setting (known: "script", "onDemand")');
        ok = false;
      }
    }
    const script = value.script;
    if (typeof script !== "string" || !script.trim()) {
      problem(`${where}.script`, "must be the path of the service's script, relative to the module folder");
      continue;
    }
    const rel = normalize(script);
    if (isAbsolute(script) || rel === ".." || rel.startsWith(`..${sep}`)) {
      problem(`${where}.script`, `'${script}' must be inside the module folder`);
      continue;
    }
    if (!SCRIPT_EXTENSIONS.has(extname(script).toLowerCase())) {
      problem(`${where}.script`, `'${script}' must be a TypeScript or JavaScript file (.ts, .mts, .cts, .js, .mjs, .cjs)`);
      continue;
    }
    const abs = join(moduleDir, rel);
    if (!existsSync(abs)) {
      problem(`${where}.script`, `'${script}' does not exist`);
      continue;
    }
    if (value.onDemand !== undefined && typeof value.onDemand !== "boolean") {
      problem(`${where}.onDemand`, "must be true or false");
      continue;
    }
    if (ok) out.services.push({ name: `${moduleName.toLowerCase()}:${key}`, script: abs, onDemand: value.onDemand === true });
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
