import { CliError } from "./command";

/**
 * A small, strict argument parser: `--name value`, `--name=value`, boolean `--flag`, and
 * positionals. Unknown options are an error (a typo must not silently change behaviour).
 */
export interface OptionSpec {
  /** "string" takes a value; "boolean" does not; "number" takes a value and checks it. */
  type: "string" | "boolean" | "number";
  /** Allowed values, for "string" options. */
  choices?: readonly string[];
  /** May be given more than once (values collected in order). */
  multiple?: boolean;
  short?: string;
}

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | boolean | number | string[] | undefined>;
}

export function parseArgs(args: string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const options: ParsedArgs["options"] = {};
  const positionals: string[] = [];
  const byShort = new Map(Object.entries(spec).filter(([, s]) => s.short).map(([n, s]) => [s.short!, n]));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
    } else if (a.length === 2 && a[0] === "-" && a[1] !== "-" && isNaN(Number(a))) {
      name = byShort.get(a[1]!);
      if (!name) throw new CliError(`unknown option '${a}'`);
    } else {
      positionals.push(a);
      continue;
    }
    const s = spec[name];
    if (!s) throw new CliError(`unknown option '--${name}'`);
    let value: string | boolean | number;
    if (s.type === "boolean") {
      if (inline !== undefined) throw new CliError(`option '--${name}' takes no value`);
      value = true;
    } else {
      const raw = inline ?? args[++i];
      if (raw === undefined) throw new CliError(`option '--${name}' needs a value`);
      if (s.type === "number") {
        const n = Number(raw);
        if (raw.trim() === "" || !Number.isFinite(n)) throw new CliError(`option '--${name}' needs a number, got '${raw}'`);
        value = n;
      } else {
        if (s.choices && !s.choices.includes(raw)) throw new CliError(`option '--${name}' must be one of ${s.choices.join(", ")}; got '${raw}'`);
        value = raw;
      }
    }
    if (s.multiple) {
      const prev = options[name];
      options[name] = [...(Array.isArray(prev) ? prev : []), String(value)];
    } else options[name] = value;
  }
  return { positionals, options };
}
