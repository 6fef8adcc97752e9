/**
 * What a `script`/`objectname`/`taskrunner` value points to, for hover, go-to-definition,
 * links and completion: the resolved file (through the shared `resolveTarget`), the named
 * export (through the shared export scanner), and the export's signature line as written.
 */
import { dirname } from "node:path";
import { scanFile, type ExportInfo, type ScanResult } from "../../../runtime/src/definition/exports";
import type { ModuleDefinition, TargetRef } from "../../../runtime/src/definition/model";
import type { ModuleFs } from "../../../runtime/src/definition/module-fs";
import { languageOf } from "../../../runtime/src/definition/target-ref";
import { resolveTarget, type ResolvedTarget } from "../../../runtime/src/definition/targets";

export interface TargetInfo {
  resolved: ResolvedTarget;
  file?: string;
  text?: string;
  scan?: ScanResult;
  /** The export named after `#`, when found. */
  export?: ExportInfo;
}

export function targetInfo(def: ModuleDefinition, ref: TargetRef, fs: ModuleFs): TargetInfo {
  const opts = def.file ? { fs, moduleDir: dirname(def.file) } : { fs };
  const resolved = resolveTarget(def, ref, opts);
  const info: TargetInfo = { resolved };
  if (!resolved.ok) return info;
  info.file = resolved.file;
  const text = fs.readText(resolved.file);
  if (text === undefined) return info;
  info.text = text;
  const lang = languageOf(resolved.file);
  if (lang === "other") return info;
  info.scan = scanFile(text, lang);
  if (ref.exportName !== undefined && ref.exportName !== "") {
    const hs = lang === "harescript";
    const want = hs ? ref.exportName.toLowerCase() : ref.exportName;
    const e = info.scan.exports.find((x) => (hs ? x.name.toLowerCase() : x.name) === want);
    if (e) info.export = e;
  }
  return info;
}

/** The declaration around an export as written: from the start of its line to its body (`{`), at most a few lines. */
export function signatureOf(text: string, e: ExportInfo): string {
  let start = text.lastIndexOf("\n", e.span.start - 1) + 1;
  // A CommonJS `exports.x = ...` or a declaration: start at the line; keep it.
  let depth = 0;
  let end = e.span.end;
  const limit = Math.min(text.length, e.span.end + 400);
  for (; end < limit; end++) {
    const c = text[end]!;
    if (c === "(" || c === "<" || c === "[") depth++;
    else if (c === ")" || c === ">" || c === "]") depth = Math.max(0, depth - 1);
    else if ((c === "{" || c === ";") && depth === 0) break;
    else if (c === "=" && text[end + 1] === ">" && depth === 0) break;
    else if (c === "\n" && depth === 0 && end > e.span.end && /\b(OBJECTTYPE|FUNCTION|MACRO)\b/i.test(text.slice(start, end))) break;
  }
  while (start < e.span.start && /\s/.test(text[start]!)) start++;
  return text.slice(start, end).replace(/\s+$/, "").replace(/\s*\n\s*/g, " ");
}

/** The JSDoc (`/** ... *\/`) right above an export, as plain text, if there is one. */
export function docCommentOf(text: string, e: ExportInfo): string | undefined {
  const lineStart = text.lastIndexOf("\n", e.span.start - 1) + 1;
  const before = text.slice(Math.max(0, lineStart - 2000), lineStart).replace(/\s+$/, "");
  if (!before.endsWith("*/")) return undefined;
  const open = before.lastIndexOf("/**");
  if (open < 0) return undefined;
  return before
    .slice(open + 3, before.length - 2)
    .split("\n")
    .map((l) => l.replace(/^\s*\*\s?/, ""))
    .join("\n")
    .trim();
}
