/**
 * The @vscode/test-electron runner (test/e2e/electron/run.ts): the end-to-end scenarios in a
 * desktop VS Code. Runs when VSCODE_EXECUTABLE points to one; skipped, visibly, otherwise (these
 * machines have none: code-server is the CI path, see workbench.test.ts).
 */
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { runDesktopSuite } from "./electron/run";

const exe = process.env.VSCODE_EXECUTABLE;
const why = !exe ? "VSCODE_EXECUTABLE is not set (no desktop VS Code on this machine)" : !existsSync(exe) ? `VSCODE_EXECUTABLE=${exe} does not exist` : false;

describe("e2e: desktop VS Code (@vscode/test-electron)", () => {
  it("runs the end-to-end scenarios in desktop VS Code", { skip: why, timeout: 600_000 }, async () => {
    await runDesktopSuite(exe!);
  });
});
