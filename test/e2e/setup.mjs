// Installs what the end-to-end suite needs: Debian's Chromium, ripgrep and libkrb5-dev (for
// code-server's native modules), then code-server, playwright-core and vsce into
// test/e2e/node_modules. Idempotent and cached: a second run only checks (well under a second).
//
//   node test/e2e/setup.mjs          # standalone (CI, or before running the suite by hand)
//   import { ensureE2eTools } from "./setup.mjs"   # the suite's `before`
//
// Why so: no desktop VS Code and no Playwright browser download is possible on these machines
// (see shared/reference/vscode-e2e.md); code-server + Debian's Chromium is a real VS Code.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const stampFile = join(here, "node_modules", ".modtasks-e2e-stamp");
export const CHROMIUM = process.env.MODTASKS_E2E_CHROMIUM ?? "/usr/bin/chromium";
/** @vscode/ripgrep version code-server 4.100.3 pulls in, and the rg build it looks for. */
const RIPGREP_CACHE = { dir: "vscode-ripgrep-cache-1.15.11", file: "ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" };

function log(text) {
  process.stderr.write(`e2e setup: ${text}\n`);
}

function run(cmd, args, opts = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ""}\n${r.stderr ?? ""}`.trim().split("\n").slice(-30).join("\n");
    throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status ?? r.signal}):\n${out}`);
  }
  return { ...r, ms: Date.now() - started };
}

function dpkgInstalled(pkg) {
  const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" });
  return r.status === 0 && r.stdout.includes("install ok installed");
}

/** Debian packages: Chromium (the browser), ripgrep (code-server's search), libkrb5-dev (its native build). */
function ensureAptPackages() {
  const wanted = ["chromium", "ripgrep", "libkrb5-dev"];
  const missing = wanted.filter((p) => !dpkgInstalled(p));
  if (!missing.length) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(", ")}. Install them as root: apt-get install -y --no-install-recommends ${missing.join(" ")}`);
  }
  log(`apt-get install ${missing.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run("apt-get", ["update", "-qq"], { env });
  const r = run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { env });
  log(`apt-get done in ${Math.round(r.ms / 1000)} s`);
}

/**
 * @vscode/ripgrep's postinstall downloads rg from GitHub (unreachable here) unless its cache
 * already holds the tarball; build that tarball from Debian's rg.
 */
function ensureRipgrepCache() {
  const dir = join(tmpdir(), RIPGREP_CACHE.dir);
  const file = join(dir, RIPGREP_CACHE.file);
  if (existsSync(file)) return;
  const staging = join(tmpdir(), `modtasks-rg-${process.pid}`);
  mkdirSync(staging, { recursive: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync("/usr/bin/rg", join(staging, "rg"));
  run("tar", ["czf", file, "-C", staging, "rg"]);
  rmSync(staging, { recursive: true, force: true });
}

function manifestHash() {
  const h = createHash("sha256").update(readFileSync(join(here, "package.json")));
  if (existsSync(join(here, "package-lock.json"))) h.update(readFileSync(join(here, "package-lock.json")));
  return h.digest("hex");
}

function ensureNodeModules() {
  const hash = manifestHash();
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === hash) return;
  log("npm install (code-server, playwright-core, vsce) into test/e2e");
  const env = {
    ...process.env,
    // The image's npmrc says yes=false, which breaks node-pty's postinstall (it runs npx).
    npm_config_yes: "true",
    npm_config_fund: "false",
    npm_config_audit: "false",
    npm_config_update_notifier: "false",
  };
  const r = run("npm", ["install", "--unsafe-perm", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: here, env });
  writeFileSync(stampFile, manifestHash());
  log(`npm install done in ${Math.round(r.ms / 1000)} s`);
}

function sleepMs(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Test files run in parallel (test/run.mjs), and each e2e file calls this in its `before`: one
 * installs while the others wait, then find everything in place. The lock is a folder (atomic
 * mkdir) holding the owner's pid; a lock whose owner died is taken over.
 */
function withInstallLock(fn) {
  const lock = join(here, ".setup-lock");
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lock, "pid"), "utf8"));
      } catch {
        // being written
      }
      if (owner && !alive(owner)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`e2e setup: ${lock} is held by pid ${owner} for too long`);
      else sleepMs(250);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Paths the suite needs; installs whatever is missing first. */
export function ensureE2eTools() {
  const started = Date.now();
  withInstallLock(() => {
    ensureAptPackages();
    ensureRipgrepCache();
    ensureNodeModules();
  });
  const tools = {
    codeServer: join(here, "node_modules", "code-server", "out", "node", "entry.js"),
    vsce: join(here, "node_modules", "@vscode", "vsce", "vsce"),
    chromium: CHROMIUM,
    playwright: join(here, "node_modules", "playwright-core"),
    setupMs: Date.now() - started,
  };
  for (const [name, p] of Object.entries(tools)) {
    if (typeof p === "string" && !existsSync(p)) throw new Error(`e2e setup: ${name} not found at ${p}`);
  }
  return tools;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t = ensureE2eTools();
  log(`ready in ${t.setupMs} ms`);
}
