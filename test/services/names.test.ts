/** Service names and socket locations: every process of a workspace must compute the same paths. */
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { describe, it } from "node:test";
import { normalizeServiceName, serviceDirFor, serviceSocketPath } from "../../runtime/src/services/names";

describe("service names and sockets", () => {
  it("normalizes names to lower case and refuses what is not module:name", () => {
    assert.equal(normalizeServiceName(" MyMod:Basket-2 "), "mymod:basket-2");
    for (const bad of ["basket", "a:b:c", ":x", "a:", "a b:c", "../x:y"]) assert.throws(() => normalizeServiceName(bad), /invalid service name/);
    assert.throws(() => normalizeServiceName(3), /must be a string/);
  });

  it("puts the sockets beside the runtime's control socket", () => {
    const saved = process.env.MODTASKS_SERVICE_DIR;
    delete process.env.MODTASKS_SERVICE_DIR;
    try {
      // One folder per database, as there is one runtime (and control socket) per database.
      assert.equal(serviceDirFor("/m/.modtasks/tasks.db.sock"), "/m/.modtasks/tasks.db.services");
      assert.equal(serviceDirFor("/m/.modtasks/other.db.sock"), "/m/.modtasks/other.db.services");
      assert.equal(serviceDirFor("/tmp/modtasks-abc.sock"), "/tmp/modtasks-abc.services");
      process.env.MODTASKS_SERVICE_DIR = "/elsewhere";
      assert.equal(serviceDirFor("/m/.modtasks/tasks.db.sock"), "/elsewhere");
    } finally {
      if (saved === undefined) delete process.env.MODTASKS_SERVICE_DIR;
      else process.env.MODTASKS_SERVICE_DIR = saved;
    }
  });

  it("falls back to a hashed name in the temp folder when the path would not fit a socket address", () => {
    assert.equal(serviceSocketPath("/m/.modtasks/tasks.db.services", "m:basket"), "/m/.modtasks/tasks.db.services/m:basket.sock");
    const deep = `/${"d".repeat(90)}/services`;
    const p = serviceSocketPath(deep, "m:basket");
    assert.ok(p.startsWith(`${tmpdir()}/modtasks-svc-`) && p.endsWith(".sock"), p);
    assert.equal(serviceSocketPath(deep, "m:basket"), p, "stable");
    assert.notEqual(serviceSocketPath(deep, "m:other"), p);
  });
});
