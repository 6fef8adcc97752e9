// `npm run package`: packages the built extension as a VSIX with @vscode/vsce 3 (Node 20).
// Uses the copy the e2e suite installed (test/e2e/node_modules) or else npx; everything the
// extension needs is bundled by scripts/build.mjs, so --no-dependencies. Prints the size.
//   node test/e2e/package-vsix.mjs [out.vsix]
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const VSCE_VERSION = "3.9.2";
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");

/** Packages the extension into `out`; returns its size in bytes. */
export function packageVsix(out = join(root, "modtasks.vsix"), opts = { quiet: false, cwd: root }) {
  // The README links to files in the repository by relative paths; they stay as they are (no
  // repository URL is configured to rewrite them against).
  const flags = ["package", "--no-dependencies", "--allow-missing-repository", "--skip-license", "--no-rewrite-relative-links", "-o", out];
  const local = join(here, "node_modules", "@vscode", "vsce", "vsce");
  const [cmd, args] = existsSync(local) ? [process.execPath, [local, ...flags]] : ["npx", ["--yes", `@vscode/vsce@${VSCE_VERSION}`, ...flags]];
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? root, encoding: "utf8", stdio: opts.quiet ? "pipe" : "inherit", env: { ...process.env, npm_config_yes: "true" } });
  if (r.status !== 0) throw new Error(`vsce package failed (exit ${r.status}):\n${r.stdout ?? ""}${r.stderr ?? ""}`);
  return statSync(out).size;
}

/** The files `vsce package` would put in the VSIX (relative paths). */
export function listVsixFiles() {
  const local = join(here, "node_modules", "@vscode", "vsce", "vsce");
  const r = spawnSync(process.execPath, [local, "ls", "--no-dependencies"], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`vsce ls failed: ${r.stderr}`);
  return r.stdout.split("\n").map((l) => l.trim()).filter(Boolean);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = resolve(process.argv[2] ?? join(root, "modtasks.vsix"));
  const size = packageVsix(out);
  process.stdout.write(`modtasks: ${out} is ${(size / 1024).toFixed(1)} KiB\n`);
}
