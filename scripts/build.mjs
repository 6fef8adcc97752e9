// Bundles the extension, the language server and the runtime with esbuild.
// Why bundle: the extension must ship no node_modules (and nothing native) into VS Code's
// process, and the runtime starts faster from one file than from hundreds.
import { build } from "esbuild";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const watch = process.argv.includes("--watch");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** Every bundle: source entry, output file, and what must stay outside the bundle. */
const bundles = [
  // VS Code provides `vscode`; nothing native may be bundled or loaded here.
  { entry: "client/src/extension.ts", out: "dist/client/extension.js", external: ["vscode"] },
  // The language server runs inside VS Code's Node too: no externals at all.
  { entry: "server/src/main.ts", out: "dist/server/server.js", external: [] },
  // The runtime is its own Node process: native and heavy packages stay in node_modules.
  { entry: "runtime/src/cli/main.ts", out: "dist/runtime/cli.js", external: ["better-sqlite3", "pg", "pg-native", "tsx", "tsx/*"] },
  { entry: "runtime/src/workers/worker-main.ts", out: "dist/runtime/worker.js", external: ["better-sqlite3", "pg", "pg-native", "tsx", "tsx/*"] },
  { entry: "runtime/src/api/index.ts", out: "dist/runtime/index.js", external: ["better-sqlite3", "pg", "pg-native", "tsx", "tsx/*"] },
  // Preloaded into every process running module code: "modtasks" resolves without node_modules.
  { entry: "runtime/src/workers/package-resolve.ts", out: "dist/runtime/package-resolve.js", external: [] },
  // Preloaded into Prudence-style program processes (sets document.context).
  { entry: "runtime/src/prudence/program-preload.ts", out: "dist/runtime/program-preload.js", external: [] },
  // The timeline panel's webview script runs in the browser (shipped from client/media: no CDN).
  { entry: "client/media/timeline/src/main.ts", out: "client/media/timeline/timeline.js", external: [], platform: "browser", format: "iife" },
];

const started = Date.now();
let built = 0;
for (const b of bundles) {
  const entry = join(root, b.entry);
  if (!existsSync(entry)) continue; // parts that do not exist yet are skipped, not faked
  mkdirSync(dirname(join(root, b.out)), { recursive: true });
  await build({
    entryPoints: [entry],
    outfile: join(root, b.out),
    bundle: true,
    platform: b.platform ?? "node",
    target: b.platform === "browser" ? "es2022" : "node20",
    format: b.format ?? "cjs",
    sourcemap: true,
    external: b.external,
    logLevel: "warning",
    // Keep names so stack traces and `constructor.name` checks stay readable.
    keepNames: true,
    define: { MODTASKS_VERSION: JSON.stringify(pkg.version) },
  });
  built++;
}
if (!watch) console.log(`modtasks: built ${built} bundle(s) in ${Date.now() - started} ms`);
