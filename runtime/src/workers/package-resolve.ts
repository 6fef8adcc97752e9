/**
 * Preloaded (`--require`) into every process that runs module code: task workers, service
 * processes and Prudence programs. It makes `import … from "modtasks"` work in a module folder
 * that has no node_modules/modtasks of its own, such as a module run by a globally installed
 * CLI. A copy the module installed itself still wins: this answers only when Node's own lookup
 * finds nothing. Covers both module systems, because tsx compiles a `.ts` file to CommonJS or
 * to ESM depending on the nearest package.json.
 */
import Module, { register } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// Built as dist/runtime/package-resolve.js, beside the API bundle it points at.
const entry = join(__dirname, "index.js");
const isModtasks = (request: string) => request === "modtasks";

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const cjs = Module as unknown as { _resolveFilename: ResolveFilename };
const original = cjs._resolveFilename;
cjs._resolveFilename = function (request, parent, isMain, options) {
  try {
    return original.call(this, request, parent, isMain, options);
  } catch (e) {
    if (isModtasks(request) && (e as { code?: string }).code === "MODULE_NOT_FOUND") return entry;
    throw e;
  }
};

const hook = `export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (specifier === "modtasks" && e && e.code === "ERR_MODULE_NOT_FOUND") return { url: ${JSON.stringify(pathToFileURL(entry).href)}, shortCircuit: true };
    throw e;
  }
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
