import type { XmlAttribute } from "../xml/types";
import type { TargetRef } from "./model";

/**
 * Reads a path attribute (`script`, `objectname`, `taskrunner`) into a TargetRef:
 * `lib/tasks.ts#SendMail`, `mod::othermodule/lib/tasks.whlib#SendMail`, or just `scripts/x.ts`.
 * A leading `/` means the module folder, as in WebHare (`/lib/x.whlib` = `lib/x.whlib`).
 * Spans are document offsets, exact even when entities appear in the value.
 */
const MOD_PREFIX = /^mod::([^/]*)\/?/;

export function parseTargetRef(attr: XmlAttribute): TargetRef | undefined {
  const raw = attr.value;
  if (raw.trim() === "") return undefined;
  const hash = raw.indexOf("#");
  const pathPart = hash >= 0 ? raw.slice(0, hash) : raw;
  let pathStart = 0;
  let module: string | undefined;
  let path = pathPart;
  const mod = pathPart.startsWith("mod::") ? MOD_PREFIX.exec(pathPart) : null;
  if (mod) {
    module = mod[1];
    path = pathPart.slice(mod[0].length);
  } else {
    while (path.startsWith("/")) {
      path = path.slice(1);
      pathStart++;
    }
  }
  const ref: TargetRef = {
    raw,
    path,
    pathSpan: attr.sourceSpanOf({ start: mod ? 0 : pathStart, end: pathPart.length }),
    language: languageOf(path),
  };
  if (module !== undefined) ref.module = module;
  if (hash >= 0) {
    ref.exportName = raw.slice(hash + 1);
    ref.exportSpan = attr.sourceSpanOf({ start: hash + 1, end: raw.length });
  }
  return ref;
}

export function languageOf(path: string): TargetRef["language"] {
  const ext = extensionOf(path);
  if (ext === "ts" || ext === "tsx" || ext === "mts" || ext === "cts") return "typescript";
  if (ext === "js" || ext === "jsx" || ext === "mjs" || ext === "cjs") return "javascript";
  if (ext === "whlib" || ext === "whscr" || ext === "shtml" || ext === "whsock") return "harescript";
  return "other";
}

/**
 * The lower-cased extension: what `/\.([A-Za-z0-9]+)$/` captures (letters and digits after the
 * last '.', up to the end), or "" when that does not match, and "?" when it is longer than any
 * extension languageOf knows. Without the regular expression: this runs for every path attribute
 * of every check.
 */
function extensionOf(path: string): string {
  let i = path.length;
  while (i > 0 && isAlnum(path.charCodeAt(i - 1))) i--;
  if (i === path.length || i === 0 || path.charCodeAt(i - 1) !== 46 /* . */) return "";
  // Longer than any extension languageOf knows (`whsock`): no need to copy it.
  return path.length - i > 6 ? "?" : path.slice(i).toLowerCase();
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
