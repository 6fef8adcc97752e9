/**
 * Other tools name their files moduledefinition.xml too (Nexacro's `<ModuleDefinition>`). Such
 * a file is no WebHare module: the checker passes over it with an info, and module discovery
 * does not count it, so a folder walk neither fails on it nor stops at its folder. A root in
 * WebHare's namespace, or one a typo away from `<module>`, is a broken WebHare module instead.
 */
import { editDistance } from "../text/suggest";
import { parseXml } from "../xml/parser";
import type { XmlElement } from "../xml/types";
import { MODULEDEFINITION_NAMESPACE } from "./schema";

export function isForeignRoot(root: XmlElement): boolean {
  if (root.localName === "module") return false;
  const inWebHareNamespace = root.attributes.some((a) => (a.name === "xmlns" || a.name.startsWith("xmlns:")) && a.value === MODULEDEFINITION_NAMESPACE);
  return !inWebHareNamespace && editDistance(root.localName.toLowerCase(), "module", 3) > 2;
}

/** For discovery: the text's root element is another tool's (no root at all is not: that is a broken module). */
export function isForeignModuleDefinitionText(text: string): boolean {
  const root = parseXml(text).root;
  return root !== undefined && isForeignRoot(root);
}
