/**
 * The cluster sizes the manifests fit, computed by `bernstein check`'s cluster model
 * (@bernstein/check: analyzeCluster, minimumCluster), for the operations guide and the deploy
 * README: the fewest course-sized workers each overlay needs, and how many poll and result
 * replicas the HorizontalPodAutoscalers' maxima place on each cluster preset. The docs carry
 * the table this module prints between two markers; a test compares them, so the numbers in
 * the docs are always the analysis' own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeCluster, CLUSTER_PRESETS, loadUnits, minimumCluster, type ClusterModel, type K8sObject } from '@bernstein/check';
import { kubernetesDir, type Combination } from './layout.js';
import { writeCombination } from './render.js';

/** The presets of `bernstein check --cluster` the table covers, in its column order. */
export const SIZE_PRESETS = ['default', 'kind', 'k3d', 'production'] as const;
export type SizePreset = (typeof SIZE_PRESETS)[number];

/** What the table is computed on: the overlays, and the base with autoscaling alone. */
export const SIZED_UNITS = ['base', 'overlays/local', 'overlays/production', 'overlays/instance-2', 'base+autoscaling'] as const;
export type SizedUnit = (typeof SIZED_UNITS)[number];

const AUTOSCALING_ONLY: Combination = { name: 'base+autoscaling', components: ['autoscaling'] };

export interface HpaFit {
  /** The Deployment the HPA scales. */
  readonly target: string;
  readonly maxReplicas: number;
  /** Replicas that fit when this HPA alone is at its maximum. */
  readonly fit: number;
  /** Replicas placed when every HPA of the unit is at its maximum at once. */
  readonly fitTogether: number;
}

export interface UnitSizes {
  readonly unit: SizedUnit;
  /** Fewest workers of 2 CPU / 4 GiB (beside a tainted control plane) on which everything is placed, rolls out and drains. */
  readonly minimumWorkers: number | undefined;
  /** The same with every HPA at its maximum at once (undefined: no HPA). */
  readonly minimumWorkersAtMaximum: number | undefined;
  readonly hpa: Readonly<Record<SizePreset, readonly HpaFit[]>>;
}

async function objectsOf(unit: SizedUnit, work: string): Promise<readonly K8sObject[]> {
  const dir = unit === 'base+autoscaling' ? await writeCombination(work, AUTOSCALING_ONLY) : join(kubernetesDir, unit);
  const [rendered] = await loadUnits([dir]);
  if (!rendered) throw new Error(`${unit}: nothing rendered`);
  return rendered.objects;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const at = (v: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((x, k) => (isRecord(x) ? x[k] : undefined), v);

function targetOf(hpa: K8sObject): { kind: string; name: string; namespace: string; max: number } | undefined {
  const kind = at(hpa.data, 'spec', 'scaleTargetRef', 'kind');
  const name = at(hpa.data, 'spec', 'scaleTargetRef', 'name');
  const max = at(hpa.data, 'spec', 'maxReplicas');
  return typeof kind === 'string' && typeof name === 'string' && typeof max === 'number' ? { kind, name, namespace: hpa.namespace ?? 'default', max } : undefined;
}

/** The objects with every HPA's target at the HPA's maxReplicas, and the HPAs removed. */
export function atHpaMaximum(objects: readonly K8sObject[]): readonly K8sObject[] {
  const targets = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').flatMap((h) => targetOf(h) ?? []);
  return objects
    .filter((o) => o.kind !== 'HorizontalPodAutoscaler')
    .map((o) => {
      const t = targets.find((x) => x.kind === o.kind && x.name === o.name && x.namespace === (o.namespace ?? 'default'));
      const data: unknown = structuredClone(o.data);
      if (!t || !isRecord(data) || !isRecord(data.spec)) return o;
      data.spec.replicas = t.max;
      return { ...o, data };
    });
}

function hpaFits(objects: readonly K8sObject[], cluster: ClusterModel): HpaFit[] {
  const together = analyzeCluster(atHpaMaximum(objects), cluster);
  return analyzeCluster(objects, cluster).hpa.map((h) => ({
    target: h.workload.name,
    maxReplicas: h.maxReplicas,
    fit: h.fit,
    fitTogether: together.workloads.find((w) => w.workload.kind === h.workload.kind && w.workload.name === h.workload.name && w.workload.namespace === h.workload.namespace)?.placed ?? 0,
  }));
}

export async function computeClusterSizes(): Promise<UnitSizes[]> {
  const work = await mkdtemp(join(tmpdir(), 'bernstein-sizes-'));
  try {
    const out: UnitSizes[] = [];
    for (const unit of SIZED_UNITS) {
      const objects = await objectsOf(unit, work);
      const hasHpa = objects.some((o) => o.kind === 'HorizontalPodAutoscaler');
      const hpa = Object.fromEntries(SIZE_PRESETS.map((p) => [p, hpaFits(objects, CLUSTER_PRESETS[p] as ClusterModel)])) as Record<SizePreset, HpaFit[]>;
      out.push({
        unit,
        minimumWorkers: minimumCluster(objects)?.workers,
        minimumWorkersAtMaximum: hasHpa ? minimumCluster(atHpaMaximum(objects), { maxWorkers: 24 })?.workers : undefined,
        hpa,
      });
    }
    return out;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export const SIZES_BEGIN = '<!-- cluster-sizes:begin (printed by `npm run cluster-sizes -w @bernstein/manifests-tests`; tests/manifests/test/cluster-sizes.test.ts checks it) -->';
export const SIZES_END = '<!-- cluster-sizes:end -->';

const workers = (n: number | undefined): string => (n === undefined ? 'more than 24' : `${n}`);
const label = (unit: SizedUnit): string => (unit === 'base+autoscaling' ? '`base` + `components/autoscaling`' : `\`${unit}\``);

/** The Markdown block (markers included) the docs carry. */
export function sizesMarkdown(sizes: readonly UnitSizes[]): string {
  const lines = [
    SIZES_BEGIN,
    '| rendered | fewest workers (2 CPU / 4 GiB each, beside a tainted control plane) | with every HPA at its maximum at once |',
    '|---|---|---|',
    ...sizes.map((s) => `| ${label(s.unit)} | ${workers(s.minimumWorkers)} | ${s.minimumWorkersAtMaximum === undefined ? 'no HPA' : workers(s.minimumWorkersAtMaximum)} |`),
    '',
    `| HPA maximum: replicas placed, this HPA alone / all at once | ${SIZE_PRESETS.map((p) => `\`${p}\``).join(' | ')} |`,
    `|---|${SIZE_PRESETS.map(() => '---').join('|')}|`,
  ];
  for (const s of sizes) {
    const targets = s.hpa.default.map((h) => h.target);
    for (const target of targets) {
      const cells = SIZE_PRESETS.map((p) => {
        const h = s.hpa[p].find((x) => x.target === target);
        return h ? `${h.fit} / ${h.fitTogether}` : '–';
      });
      lines.push(`| ${label(s.unit)}: ${target} (max ${s.hpa.default.find((x) => x.target === target)?.maxReplicas ?? '?'}) | ${cells.join(' | ')} |`);
    }
  }
  lines.push(SIZES_END);
  return lines.join('\n');
}

/** The block between the markers in a document, markers included (undefined: none). */
export function sizesBlockOf(text: string): string | undefined {
  const start = text.indexOf(SIZES_BEGIN);
  const end = text.indexOf(SIZES_END);
  return start < 0 || end < start ? undefined : text.slice(start, end + SIZES_END.length);
}
