import type { Severity } from "../text/finding";

/**
 * Every diagnostic code the module-definition checker emits, with its usual severity and what it
 * means. Codes are stable: users switch checks off by code and quick fixes attach to them. The
 * README table lists the same codes (a test keeps the two in step). Cron and zone codes come from
 * the cron engine (`runtime/src/cron`) and are passed through unchanged.
 */
export const CODES = {
  xmlSyntax: "xml-syntax",
  notAModuleDefinition: "not-a-module-definition",
  foreignModuleDefinition: "foreign-module-definition",
  wrongNamespace: "wrong-namespace",
  duplicateServicemanager: "duplicate-servicemanager",
  unknownElement: "unknown-element",
  unknownAttribute: "unknown-attribute",
  unexpectedText: "unexpected-text",
  missingAttribute: "missing-attribute",
  emptyAttribute: "empty-attribute",
  invalidEnum: "invalid-enum",
  invalidName: "invalid-name",
  invalidInteger: "invalid-integer",
  invalidBoolean: "invalid-boolean",
  invalidVersionRange: "invalid-version-range",
  invalidEnvName: "invalid-env-name",
  invalidTime: "invalid-time",
  duplicateTag: "duplicate-tag",
  duplicateType: "duplicate-type",
  missingTaskTarget: "missing-task-target",
  conflictingTaskTarget: "conflicting-task-target",
  maxfailuresOnEphemeral: "maxfailures-on-ephemeral",
  unknownCluster: "unknown-cluster",
  deprecatedAttribute: "deprecated-attribute",
  deprecatedElement: "deprecated-element",
  timeoutUnits: "timeout-units",
  runtzWithoutRunat: "runtz-without-runat",
  serverTypeRange: "empty-server-type-range",
  targetSyntax: "target-syntax",
  targetOutsideModule: "target-outside-module",
  targetNotFound: "target-not-found",
  exportNotFound: "export-not-found",
  exportNotTaskClass: "export-not-task-class",
  exportNotFunction: "export-not-function",
  targetUnverified: "target-unverified",
  moduleNotInWorkspace: "module-not-in-workspace",
  harescriptNeedsWebhare: "harescript-needs-webhare",
} as const;

export type DefinitionCode = (typeof CODES)[keyof typeof CODES];

export interface CodeInfo {
  severity: Severity;
  /** One line for the README table and `--help`-style listings. */
  summary: string;
}

export const CODE_INFO: Record<DefinitionCode, CodeInfo> = {
  "xml-syntax": { severity: "error", summary: "The file is not well-formed XML (unclosed tag, missing quote, bad entity, ...)." },
  "not-a-module-definition": { severity: "error", summary: "The root element is not `<module>` (a misspelt `<module>`, or another element in WebHare's namespace)." },
  "foreign-module-definition": { severity: "info", summary: "A `moduledefinition.xml` of another tool (its root is neither close to `<module>` nor in WebHare's namespace, e.g. Nexacro's `<ModuleDefinition>`): not checked." },
  "wrong-namespace": { severity: "warning", summary: "`<module>` lacks `xmlns=\"http://www.webhare.net/xmlns/system/moduledefinition\"`." },
  "duplicate-servicemanager": { severity: "error", summary: "A second `<servicemanager>`; only the first is read." },
  "unknown-element": { severity: "error", summary: "An element that is not allowed at that place in `<servicemanager>` (with a suggestion when one is close)." },
  "unknown-attribute": { severity: "error", summary: "An attribute the element does not have (with a suggestion when one is close)." },
  "unexpected-text": { severity: "error", summary: "Text inside `<servicemanager>` or a declaration, where only elements belong." },
  "missing-attribute": { severity: "error", summary: "A required attribute is missing (underlines the element name)." },
  "empty-attribute": { severity: "error", summary: "A required path attribute (`script`) is empty." },
  "invalid-enum": { severity: "error", summary: "A value outside the allowed list (`priority`, `when`, `minservertype`, ...); lists the values and suggests the closest." },
  "invalid-name": { severity: "error", summary: "`tag`, `type` or `cluster` does not match the name pattern (a letter, `_` or `$`, then letters, digits, `_`, `$`)." },
  "invalid-integer": { severity: "error", summary: "Not a whole number, or below the minimum (negative timeouts, zero workers)." },
  "invalid-boolean": { severity: "error", summary: "Not `true`, `false`, `1` or `0`." },
  "invalid-version-range": { severity: "error", summary: "`webhareversion`/`postgresversion` is not a semantic version range." },
  "invalid-env-name": { severity: "warning", summary: "`ifenvironset`/`unlessenvironset` holds something that is not an environment variable name." },
  "invalid-time": { severity: "error", summary: "The deprecated `runtime` is not a time `H:MM`." },
  "duplicate-tag": { severity: "error", summary: "Two `<task>`s (or `<runonce>`s, or `<taskcluster>`s) with the same tag; points at the second, related to the first." },
  "duplicate-type": { severity: "error", summary: "Two managed/ephemeral tasks with the same type (case-insensitive); points at the second." },
  "missing-task-target": { severity: "error", summary: "A managed/ephemeral task with neither `objectname` nor `taskrunner`." },
  "conflicting-task-target": { severity: "error", summary: "A managed/ephemeral task with both `objectname` and `taskrunner`." },
  "maxfailures-on-ephemeral": { severity: "error", summary: "`maxfailures` on an `<ephemeraltask>` (ephemeral tasks are never retried)." },
  "unknown-cluster": { severity: "error", summary: "`cluster` names no `<taskcluster>` of this module (nor `system:default`, nor another module's)." },
  "deprecated-attribute": { severity: "warning", summary: "`runtime`, `runinterval`, `requireversion`, `beforeversion`: deprecated, with the replacement." },
  "deprecated-element": { severity: "warning", summary: "`<runatstartup>`: deprecated, use `<task runatstartup=\"true\">`." },
  "timeout-units": { severity: "warning", summary: "A `timeout` that looks like the wrong unit: minutes on `<task>`, milliseconds on managed/ephemeral tasks." },
  "runtz-without-runat": { severity: "warning", summary: "`runtz` on a task without `runat` has no effect." },
  "empty-server-type-range": { severity: "warning", summary: "`minservertype` is above `maxservertype`: the declaration never applies." },
  "target-syntax": { severity: "error", summary: "`objectname`/`taskrunner` is not `path#ExportName`, or has an empty part." },
  "target-outside-module": { severity: "error", summary: "A path that leaves the module folder (`..`, a drive letter, a symlink pointing out)." },
  "target-not-found": { severity: "error", summary: "The file a `script`/`objectname`/`taskrunner` names does not exist (`Unable to find '<path>'`)." },
  "export-not-found": { severity: "error", summary: "The file exists but does not export the named class/function/object type." },
  "export-not-task-class": { severity: "error", summary: "The `objectname` export is not a class extending `ManagedTaskBase`." },
  "export-not-function": { severity: "error", summary: "The `taskrunner` export is not a function." },
  "target-unverified": { severity: "info", summary: "The export could not be verified statically (re-export from another file, `export *`, base class imported from elsewhere)." },
  "module-not-in-workspace": { severity: "info", summary: "A `mod::other/...` path whose module is not next to this one; not checked." },
  "harescript-needs-webhare": { severity: "info", summary: "A HareScript target: checked for existence, but only a WebHare server can run it." },
};
