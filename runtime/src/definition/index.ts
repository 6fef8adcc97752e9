/**
 * The one model of a module definition (issue #2): parse moduledefinition.xml into a typed model
 * of its `<servicemanager>` section, check it, and describe it (the schema table). Used by the
 * `modtasks check` CLI, the language server and the runtime.
 *
 *   const def = parseModuleDefinition(text, { file });          // never throws
 *   const findings = checkModuleDefinition(def, { fs: nodeFs }); // sorted, exact spans
 */
export { parseModuleDefinition, moduleNameFromPath, type ParseOptions } from "./parse";
export { checkModuleDefinition, clearCheckCaches, type CheckOptions } from "./check";
export type {
  Applicability,
  Declaration,
  DeclarationKind,
  ModuleDefinition,
  QueuedTaskDecl,
  RunAtStartupDecl,
  RunOnceDecl,
  RunOnceWhen,
  ScheduledTaskDecl,
  ServerType,
  TargetRef,
  TaskClusterDecl,
} from "./model";
export { evaluateApplicability, serverTypeRank, type ApplicabilityContext, type ApplicabilityResult } from "./applicability";
export {
  APPLICABILITY_ATTRIBUTES,
  ELEMENTS,
  MODULEDEFINITION_NAMESPACE,
  PRIORITIES,
  RUNONCE_WHEN,
  SERVER_TYPES,
  attributeSchema,
  elementSchema,
  type AttributeSchema,
  type AttributeType,
  type ElementSchema,
  type EnumValue,
} from "./schema";
export { CODES, CODE_INFO, type DefinitionCode } from "./codes";
export { resolveTarget, resolveImport, targetsOf, escapesModule, TASK_BASE_CLASS, type ResolvedTarget } from "./targets";
export { memoryFs, overlayFs, type ModuleFs } from "./module-fs";
export { nodeFs, nodeModuleFs } from "./node-fs";
export { scanExports, scanFile, type ExportInfo, type ScanResult } from "./exports";
export { parseTargetRef, languageOf } from "./target-ref";
export { parseSemverRange, satisfies } from "./semver";
