import { build } from "esbuild";
import { join } from "node:path";

/** Bundles suite.ts into one CommonJS file an extension host can load (`vscode` stays external). */
export async function buildSuite(outDir: string): Promise<string> {
  const out = join(outDir, "suite.js");
  await build({
    entryPoints: [join(__dirname, "suite.ts")],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
    logLevel: "warning",
  });
  return out;
}
