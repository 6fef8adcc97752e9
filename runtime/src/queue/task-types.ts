import type { TaskTypePolicy } from "./types";

/** Where a task type's code lives, resolved to an absolute file. */
export interface TaskImpl {
  file: string;
  exportName: string;
  /** objectname → a class extending ManagedTaskBase; taskrunner → a function (request) => response. */
  form: "class" | "function";
  language: "typescript" | "javascript" | "harescript" | "other";
}

/** A declared managed or ephemeral task type, as the runtime and the scheduling API use it. */
export interface TaskTypeInfo extends TaskTypePolicy {
  /** `module:type`, lower case. */
  name: string;
  kind: "managed" | "ephemeral";
  moduleName: string;
  moduleDir: string;
  /** Undefined when the declaration names no usable target (the checker reports why). */
  impl?: TaskImpl;
  /** Why the type cannot run here, when it cannot (e.g. HareScript). */
  unrunnable?: string;
  priority: number;
  /** Qualified `<taskcluster>` name, default `system:default`. */
  cluster: string;
}

export type TaskTypeLookup = (name: string) => TaskTypeInfo | undefined;

/** `module:type` syntax as WebHare accepts it (module and type: letters, digits, `_`, `$`, `-`, `.`). */
export const TASK_NAME_PATTERN = /^[A-Za-z0-9_$.-]+:[A-Za-z_$][A-Za-z0-9_$]*$/;
