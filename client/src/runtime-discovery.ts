/**
 * Finding a runtime of a PostgreSQL cluster on this machine: the runtime's own rule
 * (runtime/src/control/discover.ts, driver-free), so the extension and application code find the
 * same node. Each node listens on a socket derived from the database URL and its node name; the
 * extension, which knows the database but not the node names, asks every such socket who it is.
 * No `vscode` import (unit-tested without VS Code).
 */
export { findLocalNodes, type LocalNode } from "../../runtime/src/control/discover";
