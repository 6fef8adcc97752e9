import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../engine/paths";

/**
 * Loads the module a task names, once per worker process: module globals and open connections
 * survive between runs, as the seed promises ("its VM is not necessarily created"), while each
 * run gets a new task object.
 */
const loaded = new Map<string, Promise<Record<string, unknown>>>();

/**
 * Node flags for every process that runs module code. `.ts` files load without a build step:
 * tsx's loader (`--import`) compiles TypeScript on import and require alike. And "modtasks"
 * resolves even where the module has no node_modules/modtasks (package-resolve.ts).
 */
export function typeScriptLoaderArgs(): string[] {
  return ["--require", packageResolvePath(), "--import", pathToFileURL(require.resolve("tsx")).href];
}

/** The built resolve preload: beside the running bundle, or in the package's dist folder. */
function packageResolvePath(): string {
  const beside = join(__dirname, "package-resolve.js");
  if (existsSync(beside)) return beside;
  const built = join(packageRoot(), "dist", "runtime", "package-resolve.js");
  if (!existsSync(built)) throw new Error(`the runtime is not built (${built} is missing); run \`npm run build\``);
  return built;
}

export async function loadExport(file: string, exportName: string): Promise<unknown> {
  let p = loaded.get(file);
  if (!p) {
    // WebHare's wording, instead of the loader's long "Cannot find module ... imported from ...".
    if (!existsSync(file)) throw new Error(`Unable to find '${file}'`);
    p = import(pathToFileURL(file).href) as Promise<Record<string, unknown>>;
    loaded.set(file, p);
    // A module that failed to load is tried again next time (the file may have been fixed).
    p.catch(() => loaded.delete(file));
  }
  const ns = await p;
  if (exportName in ns) return ns[exportName];
  // CommonJS modules imported from ESM expose their exports on `default`.
  const def = ns.default as Record<string, unknown> | undefined;
  if (def && typeof def === "object" && exportName in def) return def[exportName];
  if (exportName === "default" && def !== undefined) return def;
  // A default export that is a named class or function also answers to its own name:
  // `module.exports = MyTask` (CommonJS gives Node's import only `default`) runs as `#MyTask`, as
  // the checker (definition/exports.ts) accepts it.
  const fn: unknown = ns.default;
  if (typeof fn === "function" && fn.name === exportName) return fn;
  throw new Error(`'${exportName}' is not exported by ${file}`);
}

/** Forgets loaded modules so the next run loads the edited code (after a definition or file change). */
export function forgetModules(): void {
  loaded.clear();
}
