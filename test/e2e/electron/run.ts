/**
 * The same end-to-end scenarios in desktop VS Code, through @vscode/test-electron, for machines
 * that have one (this project's CI machines do not: see shared/reference/vscode-e2e.md).
 *
 *   VSCODE_EXECUTABLE=/path/to/code node --import tsx test/e2e/electron/run.ts
 *   (or `node test/run.mjs electron`, which skips visibly without VSCODE_EXECUTABLE)
 *
 * Uses the unpacked extension (extensionDevelopmentPath = the repository, built), a fresh user
 * data folder and a temp workspace from prepareWorkspace(); never downloads VS Code.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, makeRunDir, prepareWorkspace, REPO_ROOT } from "../lib/code-server";
import { buildSuite } from "./build-suite";

export async function runDesktopSuite(vscodeExecutablePath: string): Promise<void> {
  const { runTests } = await import("@vscode/test-electron");
  const dir = makeRunDir();
  try {
    const ws = prepareWorkspace(join(dir, "desktop"));
    const suiteDir = join(dir, "suite");
    mkdirSync(suiteDir, { recursive: true });
    const suite = await buildSuite(suiteDir);
    // extensionTestsPath must export run(): a thin wrapper that prints the report.
    const entry = join(suiteDir, "index.js");
    writeFileSync(entry, `exports.run = async () => { const r = await require(${JSON.stringify(suite)}).run(); console.log(r.join("\\n")); };\n`);
    const userData = join(dir, "user-data");
    mkdirSync(join(userData, "User"), { recursive: true });
    writeFileSync(join(userData, "User", "settings.json"), JSON.stringify({ "workbench.startupEditor": "none", "telemetry.telemetryLevel": "off", "update.mode": "none" }));
    const code = await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: entry,
      launchArgs: [ws, "--disable-workspace-trust", "--disable-extensions", "--skip-welcome", "--skip-release-notes", `--user-data-dir=${userData}`, `--extensions-dir=${join(dir, "exts")}`],
      extensionTestsEnv: { WEBHARE_MAINTENANCE_OFFSET: "60" },
    });
    if (code !== 0) throw new Error(`the desktop suite failed (exit code ${code})`);
  } finally {
    cleanup(dir);
  }
}

if (require.main === module) {
  const exe = process.env.VSCODE_EXECUTABLE;
  if (!exe) {
    process.stderr.write("VSCODE_EXECUTABLE is not set: point it at a desktop VS Code (code, Code.exe, Visual Studio Code.app/Contents/MacOS/Electron)\n");
    process.exit(2);
  }
  runDesktopSuite(exe).then(
    () => process.stdout.write("desktop suite passed\n"),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
