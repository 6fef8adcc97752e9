import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * The WebHare corpus (real module trees) the project is tested on: `../shared/corpus/webhare`
 * beside the checkout, as the project's layout has it; `MODTASKS_CORPUS` overrides; a checkout
 * elsewhere (a CI clone in another folder) falls back to the workplace's copy.
 */
export const corpusRoot: string = (() => {
  const candidates = [process.env.MODTASKS_CORPUS, join(__dirname, "..", "..", "..", "shared", "corpus", "webhare"), "/work/shared/corpus/webhare"].filter(
    (p): p is string => !!p,
  );
  const found = candidates.find((p) => existsSync(join(p, "system", "moduledefinition.xml")));
  if (!found) throw new Error(`the WebHare corpus is missing (looked in ${candidates.join(", ")}); set MODTASKS_CORPUS`);
  return found;
})();
