import { resolve } from "node:path";

/**
 * File access for the cross-file checks. Paths are absolute (a relative path is taken relative to
 * the implementation's root, if it has one). The language server implements this over its open
 * documents plus the disk, so a target file being edited is checked as it is in the editor.
 */
export interface ModuleFs {
  /** Whether a file (not a folder) exists at this path. */
  exists(path: string): boolean;
  readText(path: string): string | undefined;
  /** The path with symbolic links resolved, when the file system can tell (catches links out of the module). */
  realpath?(path: string): string | undefined;
}

/** An in-memory tree: keys are absolute paths (or paths relative to `/`). For tests and unsaved buffers. */
export function memoryFs(files: Record<string, string>): ModuleFs {
  const map = new Map(Object.entries(files).map(([p, t]) => [resolve("/", p), t]));
  // Paths built by the checker are already normalised; only others go through resolve().
  const get = (p: string) => map.get(p) ?? (p.startsWith("/") && !p.includes("/.") && !p.includes("//") ? undefined : map.get(resolve("/", p)));
  return {
    exists: (p) => get(p) !== undefined,
    readText: get,
  };
}

/** Files from `overlay` (e.g. open editor buffers, by absolute path) take precedence over `base`. */
export function overlayFs(overlay: ReadonlyMap<string, string>, base: ModuleFs): ModuleFs {
  const fs: ModuleFs = {
    exists: (p) => overlay.has(p) || base.exists(p),
    readText: (p) => overlay.get(p) ?? base.readText(p),
  };
  if (base.realpath) fs.realpath = (p) => base.realpath!(p);
  return fs;
}
