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

/**
 * For discovery: the text's root element is another tool's (no root at all is not: that is a
 * broken module). Discovery runs before every load, so the usual case, a first start tag
 * `<module`, is answered without parsing the whole file a second time.
 */
export function isForeignModuleDefinitionText(text: string): boolean {
  if (firstStartTagName(text) === "module") return false;
  const root = parseXml(text).root;
  return root !== undefined && isForeignRoot(root);
}

/** The name of the first start tag, past the prolog, comments and DOCTYPE; undefined if unclear. */
function firstStartTagName(text: string): string | undefined {
  let i = text.indexOf("<");
  while (i >= 0) {
    if (text.startsWith("<?", i)) i = text.indexOf("?>", i + 2);
    else if (text.startsWith("<!--", i)) i = text.indexOf("-->", i + 4);
    else if (text.startsWith("<!", i)) return undefined; // a DOCTYPE may hold '>' in its subset: let the parser decide
    else {
      let j = i + 1;
      while (j < text.length && !/[\s/>]/.test(text[j]!)) j++;
      return text.slice(i + 1, j);
    }
    if (i < 0) return undefined;
    i = text.indexOf("<", i);
  }
  return undefined;
}
