import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

/**
 * The extension's logic that is tested here without VS Code lives in modules that must not
 * import `vscode` (directly or through another module), nor a database driver.
 */
const PURE = [
  "command-args.ts",
  "db-location.ts",
  "declared-tasks.ts",
  "format.ts",
  "queue-model.ts",
  "runtime-api.ts",
  "runtime-discovery.ts",
  "runtime-locator.ts",
  "service-model.ts",
  "stored-queue.ts",
  "task-data.ts",
  "xml-coexistence.ts",
];
const SRC = join(__dirname, "..", "..", "client", "src");

describe("pure client modules", () => {
  for (const file of PURE) {
    it(`${file} imports neither vscode nor a driver`, () => {
      const text = readFileSync(join(SRC, file), "utf8");
      const imports = [...text.matchAll(/^import[^"']*["']([^"']+)["']/gm)].map((m) => m[1]!);
      for (const spec of imports) {
        assert.notEqual(spec, "vscode", `${file} imports vscode`);
        assert.ok(!/better-sqlite3|^pg$|open-store|sqlite-store|postgres-store/.test(spec), `${file} imports ${spec}`);
        if (spec.startsWith("./")) assert.ok(PURE.includes(spec.slice(2) + ".ts"), `${file} imports ${spec}, which is not a pure module`);
      }
    });
  }

  it("the built extension bundle contains no database driver", () => {
    const bundle = join(__dirname, "..", "..", "dist", "client", "extension.js");
    let text: string;
    try {
      text = readFileSync(bundle, "utf8");
    } catch {
      return; // not built: the build step of `npm test` runs first in CI
    }
    assert.doesNotMatch(text, /require\(["'](better-sqlite3|pg)["']\)/);
  });
});
