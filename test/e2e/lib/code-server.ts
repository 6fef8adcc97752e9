/**
 * A real VS Code for the suite: code-server (VS Code's server and web workbench) with the
 * extension installed from its VSIX, in its own process group so that stopping it also stops the
 * extension host, the language server and the runtime the extension started.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REPO_ROOT = join(__dirname, "..", "..", "..");
export const E2E_DIR = join(__dirname, "..");

/** A fresh temp folder for one run of the suite; removed by `cleanup()` unless MODTASKS_E2E_KEEP is set. */
export function makeRunDir(): string {
  return mkdtempSync(join(tmpdir(), "mte2e-"));
}

/**
 * The workspace the scenarios open: the example module, the suite's own module, and
 * node_modules/modtasks pointing at this repository (what `npm install modtasks` gives a user:
 * the extension finds the runtime there, and task code imports "modtasks" from it).
 */
export function prepareWorkspace(dir: string): string {
  const ws = join(dir, "ws");
  mkdirSync(join(ws, "node_modules"), { recursive: true });
  cpSync(join(REPO_ROOT, "examples", "hello"), join(ws, "hello"), { recursive: true, filter: (src) => !src.includes(".modtasks") });
  cpSync(join(E2E_DIR, "workspace-template", "e2emod"), join(ws, "e2emod"), { recursive: true });
  symlinkSync(REPO_ROOT, join(ws, "node_modules", "modtasks"), "dir");
  return ws;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface CodeServerOptions {
  entry: string;
  vsix: string;
  /** More extensions to install (VSIX files). */
  extraVsix?: string[];
  dir: string;
  /** Workspace trust on (true: the folder opens in Restricted Mode until trusted) or off. */
  workspaceTrust: boolean;
  name: string;
}

export class CodeServer {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {}

  /** Installs the VSIX into a fresh profile and starts code-server; resolves when it is healthy. */
  static async start(o: CodeServerOptions): Promise<CodeServer> {
    const base = join(o.dir, o.name);
    const ud = join(base, "ud");
    const exts = join(base, "exts");
    mkdirSync(join(ud, "User"), { recursive: true });
    mkdirSync(exts, { recursive: true });
    const settings = {
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "workbench.enableExperiments": false,
      "telemetry.telemetryLevel": "off",
      "update.mode": "none",
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "security.workspace.trust.enabled": o.workspaceTrust,
      "security.workspace.trust.startupPrompt": "never",
      "security.workspace.trust.banner": "always",
      "editor.hover.delay": 150,
      "workbench.reduceMotion": "on",
      "files.autoSave": "off",
      "window.commandCenter": false,
      "chat.commandCenter.enabled": false,
      "workbench.layoutControl.enabled": false,
    };
    writeFileSync(join(ud, "User", "settings.json"), JSON.stringify(settings, null, 2));
    const port = await freePort();
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: join(base, "xdg", "config"),
      XDG_DATA_HOME: join(base, "xdg", "data"),
      XDG_CACHE_HOME: join(base, "xdg", "cache"),
      XDG_STATE_HOME: join(base, "xdg", "state"),
      // The maintenance offset is fixed so hovers are predictable.
      WEBHARE_MAINTENANCE_OFFSET: "60",
    };
    delete (env as Record<string, string | undefined>).VSCODE_IPC_HOOK_CLI;
    const common = ["--user-data-dir", ud, "--extensions-dir", exts];
    const installs = [o.vsix, ...(o.extraVsix ?? [])].flatMap((v) => ["--install-extension", v]);
    const install = spawnSync(process.execPath, [o.entry, ...common, ...installs, "--force"], { env, encoding: "utf8", timeout: 120_000 });
    if (install.status !== 0) throw new Error(`code-server --install-extension failed:\n${install.stdout}\n${install.stderr}`);

    const logFile = join(base, "code-server.log");
    const log = createWriteStream(logFile);
    const args = [
      o.entry,
      ...common,
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--auth",
      "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-getting-started-override",
      ...(o.workspaceTrust ? [] : ["--disable-workspace-trust"]),
    ];
    // detached: its own process group (setsid), so stop() reaches every descendant.
    const child = spawn(process.execPath, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const cs = new CodeServer(port, child, logFile);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${cs.log()}`);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (r.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`code-server did not become healthy:\n${cs.log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return cs;
  }

  url(folder: string): string {
    return `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(folder)}`;
  }

  log(): string {
    try {
      return readFileSync(this.logFile, "utf8").split("\n").slice(-40).join("\n");
    } catch {
      return "";
    }
  }

  /** Stops code-server and everything it started, by process group (never by name). */
  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (!pid || this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once("exit", () => r()));
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-pid, sig);
      } catch {
        // already gone
      }
    };
    signal("SIGTERM");
    const t = setTimeout(() => signal("SIGKILL"), 5000);
    await exited;
    clearTimeout(t);
    // Descendants that outlived the leader (the runtime's workers) share the group.
    signal("SIGKILL");
  }
}

export function cleanup(dir: string): void {
  if (process.env.MODTASKS_E2E_KEEP) return;
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}
