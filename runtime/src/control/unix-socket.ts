import { chmodSync, existsSync, unlinkSync } from "node:fs";
import { createConnection, type Server } from "node:net";

/**
 * Listening on a Unix socket the way every modtasks server does (control socket, backend
 * services): a socket file left by a dead process is replaced, a live one is an error, and only
 * this user may connect (mode 0600). Never TCP.
 */
export async function listenOnSocket(server: Server, path: string, busy: () => string): Promise<void> {
  await removeStaleSocket(path, busy);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  try {
    chmodSync(path, 0o600);
  } catch {
    // Some filesystems do not support it; the folder's permissions still apply.
  }
}

/** A socket file nobody answers on is stale: removed. One somebody answers on: `busy()` is thrown. */
async function removeStaleSocket(path: string, busy: () => string): Promise<void> {
  if (!existsSync(path)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const s = createConnection(path);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
  if (alive) throw new Error(busy());
  try {
    unlinkSync(path);
  } catch {
    // removed meanwhile
  }
}
