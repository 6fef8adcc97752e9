/**
 * One document's analysis: its model and every finding, computed from the text, the settings
 * and the workspace. Pure apart from file reads through the ModuleFs it is given. The findings
 * of a module definition are exactly what the shared checker reports (the runtime uses the same
 * checker), so the editor never accepts what the runtime rejects.
 */
import { dirname } from "node:path";
import type { CronDialect, MaintenanceOffset, Zone } from "../../../runtime/src/cron/index";
import { resolveRunTz } from "../../../runtime/src/cron/index";
import { checkCrontab } from "../../../runtime/src/crontab/check";
import type { CrontabEntry } from "../../../runtime/src/crontab/parse";
import { checkModuleDefinition } from "../../../runtime/src/definition/check";
import type { ModuleDefinition } from "../../../runtime/src/definition/model";
import type { ModuleFs } from "../../../runtime/src/definition/module-fs";
import { parseModuleDefinition } from "../../../runtime/src/definition/parse";
import type { Finding } from "../../../runtime/src/text/finding";
import { LineIndex } from "../../../runtime/src/text/line-index";
import { isSystemCrontab, type FileKind } from "../paths";
import { checkScheduleCalls, type TaskLookup } from "./check-calls";
import { findScheduleCalls, type ScheduleCall } from "./schedule-calls";
import { checkServiceCalls, type ServiceLookup } from "./service-calls";
import { scanServiceCalls, type ServiceCallSite } from "../../../runtime/src/services/scan-calls";

/** What an analysis depends on besides the document's text. */
export interface AnalysisEnv {
  dialect: CronDialect;
  maintenance: MaintenanceOffset;
  /** Zone of crontab files. */
  crontabZone: Zone;
  fs: ModuleFs;
  lookup: TaskLookup;
  /** Service registrations of the workspace, for openBackendService names. */
  services: ServiceLookup;
  now: number;
}

interface Base {
  uri: string;
  /** Absolute path, when the document is a file. */
  path?: string;
  version: number;
  text: string;
  lines: LineIndex;
  /** Every finding, before `modtasks.diagnostics.disabled` is applied. */
  findings: Finding[];
}

export interface DefinitionDoc extends Base {
  kind: "moduledefinition";
  def: ModuleDefinition;
}

export interface CrontabDoc extends Base {
  kind: "crontab";
  /** `crontab.system`: entries start commands (their `document` is the command). */
  system: boolean;
  entries: CrontabEntry[];
}

export interface CodeDoc extends Base {
  kind: "code";
  calls: ScheduleCall[];
  /** runBackendService / openBackendService names. */
  services: ServiceCallSite[];
}

export interface OtherDoc extends Base {
  kind: "other";
}

export type AnalyzedDoc = DefinitionDoc | CrontabDoc | CodeDoc | OtherDoc;

export interface DocInput {
  uri: string;
  path?: string;
  version: number;
  text: string;
  kind: FileKind;
}

export function analyzeDocument(doc: DocInput, env: AnalysisEnv): AnalyzedDoc {
  const base = { uri: doc.uri, version: doc.version, text: doc.text, ...(doc.path !== undefined ? { path: doc.path } : {}) };
  switch (doc.kind) {
    case "moduledefinition": {
      const def = parseModuleDefinition(doc.text, doc.path !== undefined ? { file: doc.path } : {});
      // Checked on first use: hover and completion while typing need the model, not the findings.
      let findings: Finding[] | undefined;
      const check = () =>
        (findings ??= checkModuleDefinition(def, {
          runatDialect: env.dialect,
          maintenanceOffsetMinutes: env.maintenance.offsetMinutes,
          now: env.now,
          ...(doc.path !== undefined ? { fs: env.fs, moduleDir: dirname(doc.path) } : {}),
        }));
      const result = { ...base, kind: "moduledefinition", lines: def.lines, def } as Omit<DefinitionDoc, "findings">;
      return Object.defineProperty(result, "findings", { get: check, enumerable: true }) as DefinitionDoc;
    }
    case "crontab": {
      const system = isSystemCrontab(doc.path ?? doc.uri);
      const r = checkCrontab(doc.text, doc.path, doc.path !== undefined ? env.fs : undefined, system);
      return { ...base, kind: "crontab", system, lines: new LineIndex(doc.text), entries: r.entries, findings: r.findings };
    }
    case "code": {
      const calls = findScheduleCalls(doc.text);
      const services = scanServiceCalls(doc.text);
      const findings = [...checkScheduleCalls(calls, env.lookup), ...checkServiceCalls(services, doc.path, env.services)].sort((a, b) => a.span.start - b.span.start);
      return { ...base, kind: "code", lines: new LineIndex(doc.text), calls, services, findings };
    }
    default:
      return { ...base, kind: "other", lines: new LineIndex(doc.text), findings: [] };
  }
}

/** The zone crontab files are evaluated in: the setting, else the machine's local zone, else UTC. */
export function crontabZone(setting: string): Zone {
  const name = setting || Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  return resolveRunTz(name === "UTC" ? "" : name, 0).zone ?? { kind: "utc" };
}
