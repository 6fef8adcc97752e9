import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../engine/paths";
import { CliError } from "./command";

/**
 * `modtasks lsp --stdio`: the same language server bundle the VS Code extension ships, for any
 * LSP client (Neovim, Helix, Sublime LSP). It loads no native modules. It runs in a Node process
 * of its own, started with a small young generation (`--max-semi-space-size=8`): idle memory
 * drops from ~135 MB to ~80 MB, and V8 cannot change that setting after start-up.
 */
export async function run(args: string[]): Promise<number> {
  if (!args.includes("--stdio")) throw new CliError("usage: modtasks lsp --stdio (the only transport; the server speaks LSP on stdin/stdout)");
  const server = join(packageRoot(), "dist", "server", "server.js");
  if (!existsSync(server)) throw new CliError(`the language server is not built (${server}); run \`npm run build\``, 70);
  const child = spawn(process.execPath, ["--max-semi-space-size=8", server, "--stdio", ...args.filter((a) => a !== "--stdio")], { stdio: "inherit" });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => child.kill(sig));
  return new Promise<number>((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on("error", (e) => {
      process.stderr.write(`modtasks lsp: cannot start the server: ${e.message}\n`);
      resolve(70);
    });
  });
}
