/**
 * The server bundle speaks LSP over each transport vscode-languageserver offers: stdio (every
 * other protocol test), Node IPC (how the VS Code extension may start it) and a socket.
 */
import assert from "node:assert/strict";
import { fork, spawn } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { it } from "node:test";
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, SocketMessageReader, SocketMessageWriter } from "vscode-jsonrpc/node";
import type { InitializeResult } from "vscode-languageserver-protocol";
import { ensureBuilt, serverBundle } from "./lsp-client";

const init = { processId: process.pid, rootUri: null, capabilities: {} };

it("answers initialize over --node-ipc", { timeout: 60_000 }, async () => {
  ensureBuilt();
  const child = fork(serverBundle, ["--node-ipc"], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
  const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  conn.listen();
  const r: InitializeResult = await conn.sendRequest("initialize", init);
  assert.equal(r.serverInfo?.name, "modtasks");
  await conn.sendRequest("shutdown");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  await conn.sendNotification("exit");
  assert.equal(await exited, 0);
  conn.dispose();
});

it("answers initialize over --socket", { timeout: 60_000 }, async () => {
  ensureBuilt();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const accepted = new Promise<import("node:net").Socket>((resolve) => server.once("connection", resolve));
  const child = spawn(process.execPath, [serverBundle, `--socket=${port}`], { stdio: "ignore" });
  const socket = await accepted;
  const conn = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
  conn.listen();
  const r: InitializeResult = await conn.sendRequest("initialize", init);
  assert.equal(r.serverInfo?.name, "modtasks");
  await conn.sendRequest("shutdown");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  await conn.sendNotification("exit");
  assert.equal(await exited, 0);
  conn.dispose();
  server.close();
});

it("refuses to start without a transport", { timeout: 60_000 }, async () => {
  ensureBuilt();
  const child = spawn(process.execPath, [serverBundle], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const code = await new Promise((resolve) => child.once("exit", resolve));
  assert.equal(code, 2);
  assert.match(err, /usage: node server\.js --stdio/);
});
