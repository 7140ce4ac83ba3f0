import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { componentCombinations, renderCombination, type Combination, type K8sObject } from '../lib/index.js';
import { allInvariants } from './invariants.js';
import { connectionAllowed, find, get, ofKind, spec, workloads, type Peer } from './k8s.js';

const combinations = componentCombinations();
const renders = new Map<string, { combination: Combination; objects: K8sObject[] }>();
let work: string;

const app = (name: string, namespace = 'default'): Peer => ({ namespace, labels: { app: name, 'app.kubernetes.io/name': name } });
const traefik: Peer = { namespace: 'kube-public', labels: { app: 'traefik', 'app.kubernetes.io/name': 'traefik' } };
const prometheus: Peer = { namespace: 'default', labels: { app: 'prometheus', 'app.kubernetes.io/name': 'prometheus' } };
const cadvisor: Peer = { namespace: 'kube-system', labels: { app: 'cadvisor', 'app.kubernetes.io/name': 'cadvisor' } };
const kedaOperator: Peer = { namespace: 'keda', labels: { app: 'keda-operator', 'app.kubernetes.io/name': 'keda-operator' } };

/** The connections the system needs, and some it must never get once policies are on. */
const NEEDED: [string, Peer, Peer, number][] = [
  ['traefik → poll', traefik, app('poll'), 80],
  ['traefik → result', traefik, app('result'), 80],
  ["traefik → another instance's poll", traefik, app('poll', 'bernstein-2'), 80],
  ['a client → traefik web', app('client', 'elsewhere'), traefik, 80],
  ['a client → traefik websecure', app('client', 'elsewhere'), traefik, 443],
  ['poll → redis', app('poll'), app('redis'), 6379],
  ['worker → redis', app('worker'), app('redis'), 6379],
  ['worker → postgres', app('worker'), app('postgres'), 5432],
  ['result → postgres', app('result'), app('postgres'), 5432],
  ['migrate → postgres', app('migrate'), app('postgres'), 5432],
  ['backup → postgres', app('backup'), app('postgres'), 5432],
  ['poll → DNS', app('poll'), { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, 53],
];
const FORBIDDEN: [string, Peer, Peer, number][] = [
  ['poll → postgres', app('poll'), app('postgres'), 5432],
  ['result → redis', app('result'), app('redis'), 6379],
  ['traefik → redis', traefik, app('redis'), 6379],
  ['traefik → worker', traefik, app('worker'), 8080],
  ['traefik → postgres', traefik, app('postgres'), 5432],
  ["poll → traefik's dashboard", app('poll'), traefik, 8080],
  ['poll → cadvisor', app('poll'), cadvisor, 8080],
  ['cadvisor → anything', cadvisor, app('poll'), 80],
  ['redis → anything', app('redis'), app('poll'), 80],
  ['postgres → anything', app('postgres'), app('redis'), 6379],
  ['another namespace → postgres', app('result', 'elsewhere'), app('postgres'), 5432],
  // Traefik reaches the service port only, never the ops port (/metrics, probes).
  ["traefik → poll's ops port", traefik, app('poll'), 8080],
  ["traefik → result's ops port", traefik, app('result'), 8080],
  ['migrate → redis', app('migrate'), app('redis'), 6379],
  ['backup → redis', app('backup'), app('redis'), 6379],
  ['result → postgres on another port', app('result'), app('postgres'), 5433],
];
/** With monitoring: Prometheus scrapes the ops port, never the service port or the databases. */
const NOT_SCRAPED: [string, Peer, number][] = [
  ['prometheus → poll:80', app('poll'), 80],
  ['prometheus → result:80', app('result'), 80],
  ['prometheus → redis', app('redis'), 6379],
  ['prometheus → postgres', app('postgres'), 5432],
];
const SCRAPED: [string, Peer, number][] = [
  ['prometheus → poll', app('poll'), 8080],
  ['prometheus → result', app('result'), 8080],
  ['prometheus → worker', app('worker'), 8080],
  ['prometheus → cadvisor', cadvisor, 8080],
  ['prometheus → traefik', traefik, 8080],
];

describe('every component combination of the base', () => {
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'bernstein-combinations-'));
    for (const c of combinations) renders.set(c.name, { combination: c, objects: (await renderCombination(work, c)).objects });
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it(`renders all ${combinations.length} combinations`, () => {
    assert.equal(renders.size, combinations.length);
    for (const { objects } of renders.values()) assert.ok(objects.length > 20);
  });

  it('holds every production invariant in each combination', () => {
    const problems: string[] = [];
    for (const [name, { combination, objects }] of renders) {
      const ctx = combination.components.includes('app-only') ? { externalIngressClasses: ['traefik'], sharedTraefik: true } : {};
      problems.push(...allInvariants(objects, ctx).map((p) => `${name}: ${p}`));
    }
    assert.deepEqual(problems, []);
  });

  it('app-only removes Traefik and cAdvisor and nothing of the app', () => {
    for (const { combination, objects } of renders.values()) {
      const edge = objects.filter((o) => ['traefik', 'cadvisor'].includes(o.metadata.name));
      if (combination.components.includes('app-only')) {
        assert.deepEqual(edge.map((o) => o.kind), [], combination.name);
        assert.deepEqual(objects.filter((o) => o.metadata.namespace?.startsWith('kube-')), [], combination.name);
      } else {
        assert.ok(edge.length >= 8, combination.name);
      }
      for (const w of ['redis', 'postgres', 'poll', 'worker', 'result']) assert.ok(find(objects, 'Deployment', w), `${combination.name} lost ${w}`);
    }
  });

  it('network policies allow exactly the needed connections (and DNS), deny the rest', () => {
    for (const { combination, objects } of renders.values()) {
      const enforced = combination.components.includes('network-policies');
      for (const [what, from, to, port] of NEEDED) assert.ok(connectionAllowed(objects, from, to, port), `${combination.name}: ${what} blocked`);
      for (const [what, from, to, port] of FORBIDDEN) assert.equal(connectionAllowed(objects, from, to, port), !enforced, `${combination.name}: ${what}`);
      if (combination.components.includes('monitoring')) {
        for (const [what, to, port] of SCRAPED) assert.ok(connectionAllowed(objects, prometheus, to, port), `${combination.name}: ${what} blocked`);
        // monitoring brings Prometheus' own egress policy: denied with or without network-policies.
        for (const [what, to, port] of NOT_SCRAPED) assert.equal(connectionAllowed(objects, prometheus, to, port), false, `${combination.name}: ${what}`);
      }
      // Only our Prometheus (the app's namespace) may read Traefik's metrics port (app-only
      // leaves Traefik, and its policy, to the first installation).
      if (enforced && !combination.components.includes('app-only')) {
        assert.equal(connectionAllowed(objects, { ...prometheus, namespace: 'elsewhere' }, traefik, 8080), false, `${combination.name}: another namespace's prometheus → traefik`);
      }
      if (enforced && combination.components.includes('canary')) {
        const canary: Peer = { namespace: 'default', labels: { app: 'poll-canary', 'app.kubernetes.io/name': 'poll', track: 'canary' } };
        assert.ok(connectionAllowed(objects, traefik, canary, 80), `${combination.name}: traefik → poll-canary blocked`);
        assert.ok(connectionAllowed(objects, canary, app('redis'), 6379), `${combination.name}: poll-canary → redis blocked`);
      }
    }
  });

  it('keda-worker with network policies lets KEDA (namespace keda) reach Redis on 6379, and nothing else new', () => {
    for (const { combination, objects } of renders.values()) {
      if (!combination.components.includes('network-policies')) continue;
      const scaled = combination.components.includes('keda-worker');
      assert.equal(connectionAllowed(objects, kedaOperator, app('redis'), 6379), scaled, `${combination.name}: keda → redis`);
      const denied: [string, Peer, Peer, number][] = [
        ['keda → redis on another port', kedaOperator, app('redis'), 6380],
        ['keda → postgres', kedaOperator, app('postgres'), 5432],
        ['keda → poll', kedaOperator, app('poll'), 80],
        ['keda → worker', kedaOperator, app('worker'), 8080],
        ['another namespace → redis', { ...kedaOperator, namespace: 'elsewhere' }, app('redis'), 6379],
      ];
      for (const [what, from, to, port] of denied) assert.equal(connectionAllowed(objects, from, to, port), false, `${combination.name}: ${what}`);
    }
    // The only difference keda-worker makes to the policies: one more ingress rule on Redis'.
    const policies = (name: string) => ofKind(renders.get(name)?.objects ?? [], 'NetworkPolicy');
    const without = policies('base+network-policies');
    const withKeda = policies('base+network-policies+keda-worker');
    assert.deepEqual(withKeda.map((p) => p.metadata.name), without.map((p) => p.metadata.name));
    for (const [i, p] of withKeda.entries()) {
      if (p.metadata.name !== 'redis') {
        assert.deepEqual(p, without[i]);
        continue;
      }
      const ingress = spec<{ ingress: unknown[] }>(p).ingress;
      assert.deepEqual({ ...p, spec: { ...spec<object>(p), ingress: ingress.slice(0, -1) } }, without[i]);
      assert.deepEqual(ingress.at(-1), { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } } }], ports: [{ protocol: 'TCP', port: 6379 }] });
    }
  });

  it('autoscaling hands poll and result to CPU autoscalers that may exceed the node count', () => {
    for (const { combination, objects } of renders.values()) {
      if (!combination.components.includes('autoscaling')) {
        assert.equal(ofKind(objects, 'HorizontalPodAutoscaler').length, 0);
        continue;
      }
      for (const name of ['poll', 'result']) {
        const hpa = spec<{ minReplicas: number; maxReplicas: number; metrics: { resource: { name: string } }[] }>(get(objects, 'HorizontalPodAutoscaler', name));
        assert.ok(hpa.minReplicas >= 2 && hpa.maxReplicas > 3);
        assert.equal(hpa.metrics[0]?.resource.name, 'cpu');
        const d = get(objects, 'Deployment', name);
        assert.equal(spec<{ replicas?: number }>(d).replicas, undefined, `${name}: replicas would fight the HPA`);
        const pod = workloads([d])[0]?.pod;
        assert.equal(pod?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, undefined, name);
      }
    }
  });

  it('keda-worker scales the worker on the lag of the votes stream of its consumer group', () => {
    for (const { combination, objects } of renders.values()) {
      const so = find(objects, 'ScaledObject', 'worker');
      assert.equal(Boolean(so), combination.components.includes('keda-worker'), combination.name);
      if (!so) continue;
      const s = spec<{ scaleTargetRef: { name: string }; triggers: { type: string; metadata: Record<string, string> }[] }>(so);
      assert.equal(s.triggers[0]?.type, 'redis-streams');
      assert.deepEqual([s.triggers[0]?.metadata.stream, s.triggers[0]?.metadata.consumerGroup], ['votes', 'workers']);
      assert.equal(s.triggers[0]?.metadata.hostFromEnv, 'REDIS_HOST');
      assert.equal(spec<{ replicas?: number }>(get(objects, 'Deployment', 'worker')).replicas, undefined);
    }
  });

  it('monitoring scrapes every service and cAdvisor, and its dashboard covers the required panels', () => {
    for (const { combination, objects } of renders.values()) {
      if (!combination.components.includes('monitoring')) continue;
      const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('prometheus-config')) as unknown as { data: Record<string, string>; metadata: { name: string } };
      const config = parse(cm.data['prometheus.yml'] ?? '') as { scrape_configs: { job_name: string }[]; rule_files: string[] };
      assert.deepEqual(config.scrape_configs.map((j) => j.job_name), ['bernstein', 'traefik', 'cadvisor', 'prometheus']);
      const alerts = parse(cm.data['alerts.yml'] ?? '') as { groups: { rules: { alert: string; expr: string }[] }[] };
      assert.ok((alerts.groups[0]?.rules.length ?? 0) >= 6);
      const prom = workloads(objects).find((w) => w.name === 'prometheus');
      assert.equal(prom?.pod.volumes?.find((v) => v.name === 'config')?.configMap?.name, cm.metadata.name, 'Prometheus mounts the generated config');
      const dash = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('grafana-dashboard-bernstein')) as unknown as { data: Record<string, string>; metadata: { labels: Record<string, string> } };
      assert.equal(dash.metadata.labels.grafana_dashboard, '1');
      const json = JSON.parse(dash.data['bernstein.json'] ?? '') as { panels: { title: string; targets: { expr: string }[] }[] };
      const exprs = json.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
      for (const metric of ['bernstein_poll_votes_accepted_total', 'bernstein_worker_stream_lag_entries', 'bernstein_worker_batch_duration_seconds_bucket', 'container_cpu_usage_seconds_total', 'container_memory_working_set_bytes']) {
        assert.ok(exprs.includes(metric), `dashboard lacks ${metric}`);
      }
    }
  });

  it('canary routes poll.dop.io by weight to two versions through Traefik CRDs applied beforehand', () => {
    for (const { combination, objects } of renders.values()) {
      if (!combination.components.includes('canary')) {
        assert.equal(objects.filter((o) => o.apiVersion.startsWith('traefik.io/')).length, 0);
        continue;
      }
      const weighted = spec<{ weighted: { services: { name: string; weight: number }[] } }>(get(objects, 'TraefikService', 'poll-weighted')).weighted.services;
      assert.deepEqual(weighted.map((s) => s.name), ['poll', 'poll-canary']);
      assert.equal(weighted.reduce((a, s) => a + s.weight, 0), 100);
      const route = spec<{ routes: { match: string; priority: number }[] }>(get(objects, 'IngressRoute', 'poll-weighted')).routes[0];
      assert.equal(route?.match, 'Host(`poll.dop.io`)');
      assert.ok((route?.priority ?? 0) > 'Host(`poll.dop.io`) && PathPrefix(`/`)'.length, 'must win over the Ingress rule');
      assert.ok((workloads(objects).find((w) => w.name === 'traefik')?.pod.containers[0]?.args ?? []).includes('--providers.kubernetesCRD=true'));
      assert.deepEqual(ofKind(objects, 'CustomResourceDefinition'), [], 'the CRDs are applied first, from deploy/kubernetes/crds');
      const stable = get(objects, 'Service', 'poll');
      const canaryPods = workloads(objects).find((w) => w.name === 'poll-canary');
      assert.ok(canaryPods && spec<{ selector: Record<string, string> }>(stable).selector.app !== canaryPods.labels.app, 'the stable Service must not select canary pods');
    }
  });
});
