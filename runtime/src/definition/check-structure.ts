import type { Finding } from "../text/finding";
import type { Span } from "../text/span";
import { closestMatch } from "../text/suggest";
import type { XmlAttribute, XmlElement } from "../xml/types";
import { CODES } from "./codes";
import type { ModuleDefinition } from "./model";
import { type AttributeSchema, type ElementSchema, attributeSchema, elementSchema } from "./schema";
import { parseSemverRange } from "./semver";
import { ENV_NAME_PATTERN, QUALIFIED_NAME_PATTERN, isName, parseBoolean, parseInteger, parseTimeOfDay } from "./values";

/**
 * Structural checks driven by the schema table: which elements may appear where, which attributes
 * each has, which are required, and whether each value has the right form (enum, name, integer,
 * boolean, version range, ...). What the values mean (duplicates, clusters, units, cron masks,
 * files) is checked elsewhere.
 */
export function checkStructure(def: ModuleDefinition, out: Finding[]): void {
  if (def.servicemanager) checkElement(def.servicemanager, elementSchema("servicemanager")!, out);
}

const NON_SPACE = /\S/;

/** The span to underline for a value: the value itself, or the whole attribute when the value is empty. */
export function valueRange(attr: XmlAttribute): Span {
  return attr.valueSpan.end > attr.valueSpan.start ? attr.valueSpan : attr.span;
}

function checkElement(el: XmlElement, schema: ElementSchema, out: Finding[]): void {
  if (schema.deprecated) {
    out.push({
      span: el.nameSpan,
      severity: "warning",
      code: CODES.deprecatedElement,
      message: `<${el.name}> is deprecated: ${schema.deprecated}`,
      tags: ["deprecated"],
    });
  }
  for (const attr of el.attributes) {
    if (isXmlReserved(attr.name)) continue;
    const as = attributeSchema(schema.name, attr.name);
    if (!as) {
      // maxfailures on an ephemeral task gets its own, clearer finding.
      if (schema.name === "ephemeraltask" && attr.name === "maxfailures") continue;
      const candidates = schema.attributes.map((a) => a.name).filter((n) => !el.attr(n));
      const suggestion = closestMatch(attr.name, candidates);
      out.push({
        span: attr.nameSpan,
        severity: "error",
        code: CODES.unknownAttribute,
        message: `<${el.name}> has no attribute '${attr.name}'${suggestion ? `; did you mean '${suggestion}'?` : ""}`,
        ...(suggestion ? { data: { replacement: suggestion, fixTitle: `Change to '${suggestion}'` } } : {}),
      });
      continue;
    }
    if (as.deprecated) {
      out.push({
        span: attr.nameSpan,
        severity: "warning",
        code: CODES.deprecatedAttribute,
        message: `'${attr.name}' is deprecated: ${as.deprecated}`,
        tags: ["deprecated"],
        ...deprecatedFix(el, attr),
      });
    }
    checkValue(attr, as, out);
  }
  for (const as of schema.attributes) {
    if (!as.required || el.attr(as.name)) continue;
    const at = el.attributes.length > 0 ? el.attributes[el.attributes.length - 1]!.span.end : el.nameSpan.end;
    out.push({
      span: el.nameSpan,
      severity: "error",
      code: CODES.missingAttribute,
      message: `<${el.name}> needs a '${as.name}' attribute`,
      data: { edits: [{ span: { start: at, end: at }, newText: ` ${as.name}=""` }], fixTitle: `Add '${as.name}'` },
    });
  }
  for (const child of el.children) {
    if (child.type === "element") {
      const childSchema = schema.children.includes(child.name) ? elementSchema(child.name) : undefined;
      if (childSchema) {
        checkElement(child, childSchema, out);
        continue;
      }
      const suggestion = closestMatch(child.name, schema.children);
      const edits: { span: Span; newText: string }[] = [];
      if (suggestion) {
        edits.push({ span: child.nameSpan, newText: suggestion });
        if (child.endTagSpan) edits.push({ span: { start: child.endTagSpan.start + 2, end: child.endTagSpan.start + 2 + child.name.length }, newText: suggestion });
      }
      const allowed = schema.children.length > 0 ? `; expected ${schema.children.map((c) => `<${c}>`).join(", ")}` : `; <${el.name}> has no child elements`;
      out.push({
        span: child.nameSpan,
        severity: "error",
        code: CODES.unknownElement,
        message: suggestion ? `Unknown element <${child.name}> in <${el.name}>; did you mean <${suggestion}>?` : `Unknown element <${child.name}> in <${el.name}>${allowed}`,
        ...(suggestion ? { data: { replacement: suggestion, edits, fixTitle: `Change to '<${suggestion}>'` } } : {}),
      });
    } else if ((child.type === "text" || child.type === "cdata") && !schema.text) {
      const v = child.value;
      if (!NON_SPACE.test(v)) continue;
      const lead = v.length - v.trimStart().length;
      const trail = v.length - v.trimEnd().length;
      const span = child.type === "text" ? { start: child.sourceOffsetOf(lead), end: child.sourceOffsetOf(v.length - trail) } : child.span;
      out.push({ span, severity: "error", code: CODES.unexpectedText, message: `Text is not allowed inside <${el.name}>; only elements belong here` });
    }
  }
}

/** `xmlns`, `xmlns:*` and `xml:*`: namespace declarations and XML's own attributes. */
function isXmlReserved(name: string): boolean {
  // Most names do not start with 'x': one comparison instead of three.
  return name.charCodeAt(0) === 120 && (name === "xmlns" || name.startsWith("xmlns:") || name.startsWith("xml:"));
}

/** Whether `v` is one of the enum's values (a loop: `some` with a closure ran per attribute). */
function isEnumValue(values: readonly { value: string }[], v: string): boolean {
  for (let i = 0; i < values.length; i++) if (values[i]!.value === v) return true;
  return false;
}

/** Runs of non-space in an `envList` value. Shared: exec until null leaves lastIndex at 0 again. */
const NON_SPACE_RUN = /\S+/g;

function checkValue(attr: XmlAttribute, as: AttributeSchema, out: Finding[]): void {
  const v = attr.value;
  const t = as.type;
  if (t.kind === "text" || t.kind === "cron" || t.kind === "zone" || t.kind === "moduleList" || t.kind === "serverMasks") return;
  switch (t.kind) {
    case "name":
    case "qualifiedName": {
      const ok = t.kind === "name" ? isName(v) : QUALIFIED_NAME_PATTERN.test(v);
      if (ok) return;
      const fixed = toName(v, t.kind === "qualifiedName");
      pushError(out, valueRange(attr), 
        CODES.invalidName,
        v === ""
          ? `'${attr.name}' must not be empty`
          : `'${v}' is not a valid ${attr.name}: start with a letter, _ or $, then use only letters, digits, _ or $${t.kind === "qualifiedName" ? " (optionally prefixed by 'module:')" : ""}`,
        fixed && fixed !== v ? { data: { replacement: fixed, fixTitle: `Change to '${fixed}'` } } : {},
      );
      return;
    }
    case "enum": {
      if (isEnumValue(t.values, v)) return;
      const names = t.values.map((e) => e.value);
      const suggestion = closestMatch(v.trim(), names);
      pushError(out, valueRange(attr), CODES.invalidEnum, `'${v}' is not a valid ${attr.name}; use one of ${names.join(", ")}${suggestion ? ` (did you mean '${suggestion}'?)` : ""}`, {
        data: { ...(suggestion ? { replacement: suggestion, fixTitle: `Change to '${suggestion}'` } : {}), allowed: names },
      });
      return;
    }
    case "integer": {
      const n = parseInteger(v);
      const unit = t.unit === "minutes" ? " of minutes" : t.unit === "milliseconds" ? " of milliseconds" : "";
      if (n === undefined) {
        pushError(out, valueRange(attr), CODES.invalidInteger, `'${attr.name}' must be a whole number${unit}, not '${v}'`);
        return;
      }
      if (n < t.min) {
        const advice = attr.name === "maxfailures" ? "; leave it out to retry forever" : "";
        pushError(out, valueRange(attr), CODES.invalidInteger, t.min === 0 ? `'${attr.name}' must not be negative${advice}` : `'${attr.name}' must be at least ${t.min}`);
      }
      return;
    }
    case "boolean": {
      if (parseBoolean(v) !== undefined) return;
      const lower = v.trim().toLowerCase();
      const fixed = lower === "true" || lower === "yes" || lower === "on" ? "true" : lower === "false" || lower === "no" || lower === "off" ? "false" : undefined;
      pushError(out, valueRange(attr), CODES.invalidBoolean, `'${attr.name}' must be true or false, not '${v}'`, fixed ? { data: { replacement: fixed, fixTitle: `Change to '${fixed}'` } } : {});
      return;
    }
    case "semver": {
      const r = parseSemverRange(v);
      if ("error" in r) pushError(out, valueRange(attr), CODES.invalidVersionRange, `'${attr.name}' must be a semantic version range such as '>=5.6' or '^5.6.2': ${r.error}`);
      return;
    }
    case "envList": {
      const re = NON_SPACE_RUN;
      for (let m = re.exec(v); m; m = re.exec(v)) {
        if (ENV_NAME_PATTERN.test(m[0])) continue;
        out.push({
          span: attr.sourceSpanOf({ start: m.index, end: m.index + m[0].length }),
          severity: "warning",
          code: CODES.invalidEnvName,
          message: `'${m[0]}' is not an environment variable name (letters, digits and _; separate names with spaces)`,
        });
      }
      return;
    }
    case "time": {
      if (!parseTimeOfDay(v)) pushError(out, valueRange(attr), CODES.invalidTime, `'${attr.name}' must be a time of day as H:MM, not '${v}'`);
      return;
    }
    case "path": {
      if (v.trim() === "" && as.required) pushError(out, valueRange(attr), CODES.emptyAttribute, `'${attr.name}' must not be empty: give a path relative to the module folder`);
      return;
    }
  }
}

function pushError(out: Finding[], span: Span, code: string, message: string, extra?: Partial<Finding>): void {
  out.push(extra ? { span, severity: "error", code, message, ...extra } : { span, severity: "error", code, message });
}

/** A close valid name for an invalid one (`my-task` → `my_task`), if there is an obvious one. */
function toName(v: string, qualified: boolean): string | undefined {
  const part = (s: string) => {
    const t = s.trim().replace(/[^\p{L}\p{N}_$]/gu, "_");
    return t === "" ? "" : /^[\p{L}_$]/u.test(t) ? t : `_${t}`;
  };
  if (qualified && v.includes(":")) {
    const [m, ...rest] = v.split(":");
    const a = part(m!);
    const b = part(rest.join("_"));
    return a && b ? `${a}:${b}` : undefined;
  }
  const r = part(v);
  return r || undefined;
}

/** The quick fix for a deprecated `runtime="H:MM"`: the equivalent `runat`. */
function deprecatedFix(el: XmlElement, attr: XmlAttribute): Partial<Finding> {
  if (attr.name !== "runtime" || el.attr("runat")) return {};
  const t = parseTimeOfDay(attr.value);
  if (!t) return {};
  const mask = `${t.minutes} ${t.hours} * * *`;
  // runat is read in runtz (empty: UTC): the title says which clock the time is now on.
  const runtz = el.attr("runtz")?.value.trim() ?? "";
  return { data: { edits: [{ span: attr.span, newText: `runat="${mask}"` }], fixTitle: `Replace with runat="${mask}" (${runtz === "" ? "UTC" : runtz})`, replacementMask: mask } };
}
