/**
 * Entry point of the language server bundle (dist/server/server.js): `--stdio`, `--node-ipc`
 * or `--socket=<port>`, as vscode-languageserver reads them from the command line.
 */
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { startServer } from "./server";

const transports = ["--stdio", "--node-ipc", "--socket", "--pipe", "--clientProcessId"];
if (!process.argv.some((a) => transports.some((t) => a === t || a.startsWith(`${t}=`)))) {
  process.stderr.write("usage: node server.js --stdio | --node-ipc | --socket=<port> | --pipe=<name>\n");
  process.exit(2);
}
// In stdio mode stdout is the protocol channel: anything else printed there would corrupt it.
console.log = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(" ")}\n`);
startServer(createConnection(ProposedFeatures.all));
