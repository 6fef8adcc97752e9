export { parseXml } from "./parser";
export { nodeAt } from "./node-at";
export type { XmlAttribute, XmlDocument, XmlElement, XmlMisc, XmlNode, XmlPosition, XmlText } from "./types";
