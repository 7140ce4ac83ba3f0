/**
 * A small, explicit schema for configuration from the environment (12-factor).
 *
 * Each variable is declared once with its parser, default, and whether it is secret. The
 * declarations are data: `bernstein check` reads them to verify that a deployment provides
 * every variable a service requires, and `.env.example` is generated from them.
 */
import { BernsteinError, ErrorCode } from '../errors.js';

export interface EnvVar<T> {
  readonly name: string;
  readonly description: string;
  /** Raw default used when the variable is unset or empty; undefined = required or optional. */
  readonly default: string | undefined;
  /** Required variables have no default and must be set. */
  readonly required: boolean;
  /** Secret values are never logged and belong in a Kubernetes Secret. */
  readonly secret: boolean;
  /**
   * Set on the address of another service (the host, or its port): `bernstein check` resolves the
   * value as the cluster would (a Service of the namespace, and one of its ports).
   */
  readonly peer?: Peer;
  /** Parses the raw string; throws an Error whose message says what is expected. */
  parse(raw: string): T;
}

/** Which service a variable addresses (`redis`, `postgres`) and which part of its address it is. */
export interface Peer {
  readonly service: string;
  readonly role: 'host' | 'port';
}

type Options = { description: string; secret?: boolean; peer?: Peer };

function def<T>(name: string, parse: (raw: string) => T, o: Options & { default?: string; required: boolean }): EnvVar<T> {
  return { name, description: o.description, default: o.default, required: o.required, secret: o.secret ?? false, ...(o.peer ? { peer: o.peer } : {}), parse };
}

const parsers = {
  string: (raw: string): string => raw,
  port: (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > 65535) throw new Error('expected a port number from 1 to 65535');
    return n;
  },
  positiveInt: (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || !Number.isSafeInteger(n)) throw new Error('expected a whole number of at least 1');
    return n;
  },
  nonNegativeInt: (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new Error('expected a whole number of at least 0');
    return n;
  },
  hostname: (raw: string): string => {
    if (!/^[A-Za-z0-9._:[\]-]+$/.test(raw)) throw new Error('expected a host name or IP address');
    return raw;
  },
};

type WithParse<T> = Options & { parse: (raw: string) => T };

function required(name: string, o: Options): EnvVar<string>;
function required<T>(name: string, o: WithParse<T>): EnvVar<T>;
function required<T>(name: string, o: Options & { parse?: (raw: string) => T }): EnvVar<T | string> {
  return def<T | string>(name, o.parse ?? parsers.string, { ...o, required: true });
}

function optional(name: string, o: Options): EnvVar<string | undefined>;
function optional<T>(name: string, o: WithParse<T>): EnvVar<T | undefined>;
function optional<T>(name: string, o: Options & { parse?: (raw: string) => T }): EnvVar<T | string | undefined> {
  return def<T | string | undefined>(name, o.parse ?? parsers.string, { ...o, required: false });
}

function withDefault(name: string, dflt: string, o: Options): EnvVar<string>;
function withDefault<T>(name: string, dflt: string, o: WithParse<T>): EnvVar<T>;
function withDefault<T>(name: string, dflt: string, o: Options & { parse?: (raw: string) => T }): EnvVar<T | string> {
  return def<T | string>(name, o.parse ?? parsers.string, { ...o, default: dflt, required: false });
}

/** Declares a variable: `required` (no default), `optional` (may be absent) or with a default. */
export const env = {
  required,
  optional,
  withDefault,
  parsers,
  oneOf<const V extends readonly string[]>(values: V) {
    const allowed = (raw: string): raw is V[number] => values.includes(raw);
    return (raw: string): V[number] => {
      if (!allowed(raw)) throw new Error(`expected one of ${values.join(', ')}`);
      return raw;
    };
  },
};

export type Spec = Record<string, EnvVar<unknown>>;
export type ConfigOf<S extends Spec> = { readonly [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

export interface ConfigProblem {
  variable: string;
  problem: string;
}

/**
 * Reads and validates every variable of `spec` from `source`. Collects every problem before
 * failing, so a misconfigured deployment is fixed in one round, not one variable at a time.
 */
export function loadConfig<S extends Spec>(spec: S, source: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const problems: ConfigProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(spec)) {
    const given = source[v.name];
    const raw = given === undefined || given === '' ? v.default : given;
    if (raw === undefined) {
      if (v.required) problems.push({ variable: v.name, problem: `is required: ${v.description}` });
      else out[key] = undefined;
      continue;
    }
    try {
      out[key] = v.parse(raw);
    } catch (err) {
      const shown = v.secret ? '(secret value hidden)' : JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
      problems.push({ variable: v.name, problem: `is invalid: ${(err as Error).message}; got ${shown}` });
    }
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.variable} ${p.problem}`).join('\n');
    throw new BernsteinError(ErrorCode.CONFIG_INVALID, `invalid configuration:\n${lines}`, 500, { problems });
  }
  return out as ConfigOf<S>;
}

/** Secret-free view of a loaded config, for the start-up log line. */
export function redact<S extends Spec>(spec: S, config: ConfigOf<S>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(spec)) {
    const value = (config as Record<string, unknown>)[key];
    out[v.name] = v.secret && value !== undefined ? '[redacted]' : value;
  }
  return out;
}
