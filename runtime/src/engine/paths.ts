import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The modtasks package folder (holds package.json named "modtasks"), for finding built files. */
export function packageRoot(): string {
  for (let dir = __dirname; ; ) {
    const pj = join(dir, "package.json");
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === "modtasks") return dir;
      } catch {
        // keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the modtasks package folder");
    dir = up;
  }
}

/** The built worker program: beside the running bundle, or in the package's dist folder. */
export function workerScriptPath(): string {
  const beside = join(__dirname, "worker.js");
  if (existsSync(beside)) return beside;
  const built = join(packageRoot(), "dist", "runtime", "worker.js");
  if (!existsSync(built)) throw new Error(`the worker program is not built (${built}); run \`npm run build\``);
  return built;
}
