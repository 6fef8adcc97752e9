/**
 * File access for the server: the disk through a cache, with open editor buffers on top (so a
 * target file being edited is checked as it is in the editor, before it is saved).
 *
 * Why a cache: a 5,000-declaration definition makes the checker ask for thousands of stats and
 * realpaths per keystroke; answered from memory they cost nothing. Entries are dropped when the
 * client reports a file change (`workspace/didChangeWatchedFiles`); for clients that cannot
 * watch files, entries expire after a few seconds instead.
 */
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ModuleFs } from "../../runtime/src/definition/module-fs";
import { nodeFs } from "../../runtime/src/definition/node-fs";

interface Entry<T> {
  value: T;
  at: number;
}

/**
 * The folder whose files a definition or crontab at `path` may read: the folder that holds its
 * module folder, so sibling modules (`mod::other/...`) and imports between modules count. An
 * edit outside it (application code elsewhere) cannot change the file's findings.
 */
export function dependencyScope(path: string): string {
  return dirname(dirname(path));
}

export interface DirEntry {
  name: string;
  dir: boolean;
}

export class ModuleFiles implements ModuleFs {
  private readonly existsCache = new Map<string, Entry<boolean>>();
  private readonly textCache = new Map<string, Entry<string | undefined>>();
  private readonly realCache = new Map<string, Entry<string | undefined>>();
  private readonly overlay = new Map<string, string>();
  /** Milliseconds an entry stays valid; Infinity when the client reports file changes. */
  ttlMs = 3000;
  /** Bumped on every change of a file's content or existence (open buffers included): analyses that read other files key on it. */
  generation = 0;
  /** Recent changes (generation → path; undefined = everything), newest last, to scope a generation to a folder. */
  private readonly changes: { generation: number; path: string | undefined }[] = [];

  private bump(path: string | undefined): void {
    this.generation++;
    this.changes.push({ generation: this.generation, path });
    if (this.changes.length > 2000) this.changes.splice(0, 1000);
  }

  /**
   * The generation of the last change inside `dir` (or of any change that may concern every
   * folder). Analyses of a module key on this, so an edit elsewhere does not make them stale.
   */
  generationUnder(dir: string): number {
    const prefix = dir.endsWith("/") ? dir : `${dir}/`;
    for (let i = this.changes.length - 1; i >= 0; i--) {
      const c = this.changes[i]!;
      if (c.path === undefined || c.path.startsWith(prefix)) return c.generation;
    }
    // Older than the remembered window (or nothing changed): the oldest bound that is safe.
    return this.changes.length > 0 ? this.changes[0]!.generation - 1 : 0;
  }

  constructor(private readonly disk: ModuleFs = nodeFs) {}

  private fresh<T>(e: Entry<T> | undefined): e is Entry<T> {
    return e !== undefined && (this.ttlMs === Infinity || Date.now() - e.at < this.ttlMs);
  }

  exists(path: string): boolean {
    if (this.overlay.has(path)) return true;
    const e = this.existsCache.get(path);
    if (this.fresh(e)) return e.value;
    const value = this.disk.exists(path);
    this.existsCache.set(path, { value, at: Date.now() });
    return value;
  }

  readText(path: string): string | undefined {
    const o = this.overlay.get(path);
    if (o !== undefined) return o;
    const e = this.textCache.get(path);
    if (this.fresh(e)) return e.value;
    const value = this.disk.readText(path);
    this.textCache.set(path, { value, at: Date.now() });
    return value;
  }

  realpath(path: string): string | undefined {
    const e = this.realCache.get(path);
    if (this.fresh(e)) return e.value;
    const value = this.disk.realpath?.(path);
    this.realCache.set(path, { value, at: Date.now() });
    return value;
  }

  /** Folder listing for path completion (not cached: it is asked for once per completion). */
  list(dir: string): DirEntry[] {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const out: DirEntry[] = [];
    for (const name of names.sort()) {
      if (name.startsWith(".") || name === "node_modules") continue;
      try {
        out.push({ name, dir: statSync(join(dir, name)).isDirectory() });
      } catch {
        // vanished or unreadable
      }
    }
    for (const p of this.overlay.keys()) {
      if (p.startsWith(dir + "/") && !p.slice(dir.length + 1).includes("/")) {
        const name = p.slice(dir.length + 1);
        if (!out.some((e) => e.name === name)) out.push({ name, dir: false });
      }
    }
    return out;
  }

  /**
   * For clients that cannot watch files: reads the disk again for every cached entry at least
   * `minAgeMs` old and drops (with a generation bump, so analyses that read it are redone) those
   * whose answer changed, e.g. a target file created in a shell. Returns whether any did.
   * A stat or read per distinct path: a definition names a few files, however many declarations.
   */
  revalidate(minAgeMs = 0): boolean {
    const now = Date.now();
    const changed = new Set<string>();
    const check = <T>(cache: Map<string, Entry<T>>, read: (path: string) => T) => {
      for (const [path, e] of cache) {
        if (changed.has(path) || now - e.at < minAgeMs) continue;
        const value = read(path);
        if (value === e.value) e.at = now;
        else changed.add(path);
      }
    };
    check(this.existsCache, (p) => this.disk.exists(p));
    check(this.textCache, (p) => this.disk.readText(p));
    check(this.realCache, (p) => this.disk.realpath?.(p));
    for (const path of changed) this.invalidate(path);
    return changed.size > 0;
  }

  /** An editor buffer's text (undefined: closed, read the disk again). */
  setOverlay(path: string, text: string | undefined): void {
    const had = this.overlay.has(path);
    if (text === undefined) this.overlay.delete(path);
    else this.overlay.set(path, text);
    // Other analyses read a definition only for its existence (`mod::` siblings); its edits concern nobody else.
    if (!path.endsWith("moduledefinition.xml") || had !== (text !== undefined)) this.bump(path);
  }

  /** A file changed, appeared or disappeared on disk. */
  invalidate(path: string): void {
    this.existsCache.delete(path);
    this.textCache.delete(path);
    this.realCache.delete(path);
    this.bump(path);
  }

  clear(): void {
    this.existsCache.clear();
    this.textCache.clear();
    this.realCache.clear();
    this.bump(undefined);
  }
}
