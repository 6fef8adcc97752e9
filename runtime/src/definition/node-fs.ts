import { readFileSync, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { ModuleFs } from "./module-fs";

/** The real file system; relative paths are taken relative to `root` (default: the current folder). */
export function nodeModuleFs(root?: string): ModuleFs {
  const abs = (p: string) => (root === undefined ? resolve(p) : resolve(root, p));
  return {
    exists(path) {
      try {
        return statSync(abs(path)).isFile();
      } catch {
        return false;
      }
    },
    readText(path) {
      try {
        return readFileSync(abs(path), "utf8");
      } catch {
        return undefined;
      }
    },
    realpath(path) {
      try {
        return realpathSync(abs(path));
      } catch {
        return undefined;
      }
    },
  };
}

/** The real file system, for absolute paths. */
export const nodeFs: ModuleFs = nodeModuleFs();
