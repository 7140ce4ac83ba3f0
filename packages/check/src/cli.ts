/** `bernstein check [paths…]`: argument handling, exit codes, output. */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { FILES, gradingSummary } from './bernstein.js';
import { ConfigError, loadConfigFile, type FileConfig } from './config.js';
import { checkUnits, DEFAULT_KUBERNETES_VERSION, selectRules } from './engine.js';
import { ClusterFileError, resolveCluster } from './cluster/file.js';
import { InputError, loadUnits } from './load/inputs.js';
import { KustomizeError } from './load/kustomize.js';
import { USER_PROFILES, type Finding, type Unit, type UserProfile } from './model.js';
import { renderJson } from './render/json.js';
import { renderJunit } from './render/junit.js';
import { renderSarif } from './render/sarif.js';
import { renderText } from './render/text.js';

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly isTTY: boolean;
  readonly cwd: string;
}

const defaultIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
  cwd: process.cwd(),
};

const FORMATS = ['text', 'json', 'sarif', 'junit'] as const;
type Format = (typeof FORMATS)[number];

export const USAGE = `Usage: bernstein check [options] [path ...]

Checks Kubernetes manifests (files, directories, Kustomize directories), compose files and
Dockerfiles. Paths default to the current directory.

Options:
  --profile <name>   bernstein | production (repeatable). Default: production, plus bernstein
                     when the input has the Bernstein file layout (3 or more of its 19 files).
                     Syntax, schema and cross-reference rules run with every profile.
  --format <fmt>     text (default) | json | sarif | junit (one testsuite per grading category)
  --config <file>    YAML/JSON: {profiles: [...], rules: {<rule-id>: off|error|warning|info},
                     external: [{kind, name, namespace?, keys?}]}
  --output <file>    write the report to a file instead of standard output
  --kubernetes-version <major.minor>
                     Kubernetes version the manifests target (default ${DEFAULT_KUBERNETES_VERSION})
  --cluster <c>      the cluster the scheduling, rollout and drain analyses model: a preset
                     (default, kind, k3d, production) or a YAML file of nodes (see README)
  --list-rules       print the rules of the selected profiles and exit
  -h, --help         this help

Suppress a rule on one object with the annotation
  bernstein.dev/ignore: "rule-a,rule-b"   (or "all")

Objects created in the cluster out of band (e.g. production Secrets) are declared, with their
keys, under "external:" in --config or in a bernstein-check.yaml next to the kustomization
checked; references to them resolve, references to undeclared keys are still reported.

Exit codes: 0 no error-level finding, 1 error-level findings, 2 usage error or crash.
`;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

class UsageError extends Error {}

/** "1.34" (a leading "v" and a patch release are accepted: "v1.34.2"); undefined when not given. */
function parseKubernetesVersion(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const m = /^v?(1)\.(\d{1,3})(?:\.\d+)?$/.exec(v.trim());
  if (!m) throw new UsageError(`--kubernetes-version "${v}" is not a Kubernetes version such as 1.34 (expected <major>.<minor>, major 1)`);
  return `${m[1]}.${Number(m[2])}`;
}

function looksBernstein(units: readonly Unit[]): boolean {
  const names = new Set(units.flatMap((u) => u.fileNames));
  return Object.keys(FILES).filter((f) => names.has(f)).length >= 3;
}

export async function run(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        allowPositionals: true,
        options: {
          profile: { type: 'string', multiple: true },
          format: { type: 'string', default: 'text' },
          config: { type: 'string' },
          cluster: { type: 'string' },
          output: { type: 'string' },
          'list-rules': { type: 'boolean', default: false },
          'kubernetes-version': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const format = values.format as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`unknown format "${values.format}" (expected ${FORMATS.join(', ')})`);
    for (const p of values.profile ?? []) {
      if (!USER_PROFILES.includes(p as UserProfile)) throw new UsageError(`unknown profile "${p}" (expected ${USER_PROFILES.join(', ')})`);
    }
    const config: FileConfig = values.config ? await loadConfigFile(values.config) : {};
    const units = await loadUnits(positionals.length > 0 ? positionals : ['.'], { cwd: io.cwd });
    const profiles: UserProfile[] = values.profile?.length
      ? [...new Set(values.profile as UserProfile[])]
      : config.profiles?.length
        ? [...config.profiles]
        : looksBernstein(units)
          ? ['production', 'bernstein']
          : ['production'];
    const kubernetesVersion = parseKubernetesVersion(values['kubernetes-version']);
    const opts = { profiles, config, ...(kubernetesVersion !== undefined ? { kubernetesVersion } : {}), ...(values.cluster !== undefined ? { cluster: resolveCluster(values.cluster, io.cwd) } : {}) };
    if (values['list-rules']) {
      for (const { rule, severity } of selectRules(opts)) io.stdout(`${rule.id.padEnd(28)} ${severity.padEnd(8)} ${rule.description}\n`);
      return 0;
    }
    const findings = await checkUnits(units, opts);
    const report = render(format, findings, opts, io.isTTY && !values.output);
    if (values.output) await writeFile(values.output, report);
    else io.stdout(report);
    return findings.some((f) => f.severity === 'error') ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`bernstein check: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof InputError || err instanceof ConfigError || err instanceof KustomizeError || err instanceof ClusterFileError) {
      io.stderr(`bernstein check: ${err.message}\n`);
      return 2;
    }
    io.stderr(`bernstein check: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return 2;
  }
}

function render(format: Format, findings: readonly Finding[], opts: Parameters<typeof selectRules>[0], colour: boolean): string {
  const grading = opts.profiles.includes('bernstein') ? gradingSummary(findings) : undefined;
  if (format === 'json') return renderJson(findings, grading);
  if (format === 'junit') return renderJunit(findings, selectRules(opts).map((r) => r.rule));
  if (format === 'sarif') return renderSarif(findings, selectRules(opts).map((r) => r.rule), version());
  return renderText(findings, { colour, ...(grading ? { grading } : {}) });
}
