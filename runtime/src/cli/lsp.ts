import { existsSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../engine/paths";
import { CliError } from "./command";

/**
 * `modtasks lsp --stdio`: the same language server bundle the VS Code extension ships, for any
 * LSP client (Neovim, Helix, Sublime LSP). It loads no native modules.
 */
export async function run(args: string[]): Promise<number> {
  if (!args.includes("--stdio")) throw new CliError("usage: modtasks lsp --stdio (the only transport; the server speaks LSP on stdin/stdout)");
  const server = join(packageRoot(), "dist", "server", "server.js");
  if (!existsSync(server)) throw new CliError(`the language server is not built (${server}); run \`npm run build\``, 70);
  // The server reads process.argv for its transport; it runs until the client exits.
  process.argv = [process.argv[0]!, server, "--stdio"];
  require(server);
  await new Promise<void>(() => {});
  return 0;
}
