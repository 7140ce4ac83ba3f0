import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { renderDir, kubernetesDir, type K8sObject } from '../lib/index.js';
import { allInvariants } from './invariants.js';
import { get, ns, ofKind, quantity, spec, workloads, type PodSpec, type Workload } from './k8s.js';
import { join } from 'node:path';

let objects: K8sObject[];
const workload = (name: string): Workload => {
  const w = workloads(objects).find((x) => x.name === name);
  if (!w) throw new Error(`no workload ${name}`);
  return w;
};
const main = (name: string) => {
  const c = workload(name).pod.containers[0];
  if (!c) throw new Error(`${name} has no container`);
  return c;
};

describe('base (the Bernstein layout)', () => {
  before(async () => {
    objects = (await renderDir(join(kubernetesDir, 'base'))).objects;
  });

  it('holds every production invariant', () => {
    assert.deepEqual(allInvariants(objects), []);
  });

  it('puts the app in default, Traefik in kube-public and cAdvisor in kube-system', () => {
    for (const name of ['redis', 'postgres', 'poll', 'worker', 'result']) assert.equal(ns(get(objects, 'Deployment', name)), 'default');
    assert.equal(ns(get(objects, 'Deployment', 'traefik')), 'kube-public');
    assert.equal(ns(get(objects, 'Service', 'traefik')), 'kube-public');
    assert.equal(ns(get(objects, 'DaemonSet', 'cadvisor')), 'kube-system');
  });

  it('runs the course replica counts and memory limits', () => {
    const expected: Record<string, [number, string | undefined]> = {
      redis: [1, undefined], postgres: [1, undefined], poll: [2, '128M'], worker: [1, '256M'], result: [2, '128M'], traefik: [2, undefined],
    };
    for (const [name, [replicas, memory]] of Object.entries(expected)) {
      assert.equal(workload(name).replicas, replicas, name);
      if (memory) assert.equal(main(name).resources?.limits?.memory, memory, name);
    }
  });

  it('lets the database reserve 1 GiB and use up to 4 GiB', () => {
    const r = main('postgres').resources;
    assert.equal(quantity(r?.requests?.memory ?? '0'), 1024 ** 3);
    assert.equal(quantity(r?.limits?.memory ?? '0'), 4 * 1024 ** 3);
  });

  it('probes poll, result and worker on /readyz and /healthz of their ops port 8080, named ops', () => {
    for (const [name, port] of [['poll', 80], ['result', 80], ['worker', 8080]] as const) {
      const c = main(name);
      assert.deepEqual(c.ports?.find((p) => p.name === 'ops')?.containerPort, 8080, `${name} does not expose ops`);
      assert.deepEqual(c.readinessProbe?.httpGet, { path: '/readyz', port: 'ops' }, name);
      assert.deepEqual(c.livenessProbe?.httpGet, { path: '/healthz', port: 'ops' }, name);
      assert.equal(c.env?.find((e) => e.name === 'PORT')?.value, String(port));
    }
    // poll and result: the service port 80 is http, the ops port never routed.
    for (const name of ['poll', 'result']) {
      assert.deepEqual(main(name).ports, [{ name: 'http', containerPort: 80 }, { name: 'ops', containerPort: 8080 }], name);
      assert.equal(main(name).env?.find((e) => e.name === 'OPS_PORT')?.value, '8080');
    }
  });

  it('lets non-root poll, result and Traefik bind port 80 with the safe sysctl', () => {
    for (const name of ['poll', 'result', 'traefik']) {
      const sysctls = workload(name).pod.securityContext?.sysctls ?? [];
      assert.deepEqual(sysctls, [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }], name);
      assert.equal(workload(name).pod.securityContext?.runAsNonRoot, true);
    }
  });

  it('keeps replicated pods one per node with a required anti-affinity on their own label', () => {
    for (const name of ['poll', 'result', 'traefik']) {
      const terms = workload(name).pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
      assert.deepEqual(terms, [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: name } } }], name);
      assert.equal(workload(name).labels.app, name);
    }
  });

  it('has a PodDisruptionBudget for every replicated service', () => {
    for (const [name, namespace] of [['poll', 'default'], ['result', 'default'], ['worker', 'default'], ['traefik', 'kube-public']] as const) {
      const pdb = get(objects, 'PodDisruptionBudget', name, namespace);
      assert.deepEqual(spec<{ maxUnavailable: number }>(pdb).maxUnavailable, 1);
    }
  });

  it('keeps the course variables in ConfigMaps and the credentials base64-encoded in a Secret', () => {
    assert.deepEqual((get(objects, 'ConfigMap', 'redis') as unknown as { data: object }).data, { REDIS_HOST: 'redis', REDIS_PORT: '6379' });
    const pg = (get(objects, 'ConfigMap', 'postgres') as unknown as { data: Record<string, string> }).data;
    assert.deepEqual(Object.keys(pg).sort(), ['POSTGRES_DB', 'POSTGRES_HOST', 'POSTGRES_PORT']);
    const secret = get(objects, 'Secret', 'postgres') as unknown as { data: Record<string, string>; stringData?: unknown };
    assert.deepEqual(Object.keys(secret.data).sort(), ['POSTGRES_PASSWORD', 'POSTGRES_USER']);
    assert.equal(secret.stringData, undefined);
    for (const v of Object.values(secret.data)) {
      assert.equal(Buffer.from(Buffer.from(v, 'base64').toString('utf8')).toString('base64'), v, 'data: must be base64');
    }
    // The server's superuser is the image's "postgres"; no service reads this Secret.
    assert.equal(Buffer.from(secret.data.POSTGRES_USER ?? '', 'base64').toString('utf8'), 'postgres');
    const cookie = (get(objects, 'Secret', 'poll') as unknown as { data: Record<string, string> }).data.COOKIE_SECRETS ?? '';
    assert.ok(Buffer.from(cookie, 'base64').length >= 32, 'COOKIE_SECRETS needs 32 characters');
    // The base's published development key is accepted only because poll runs in development here.
    assert.equal(main('poll').env?.find((e) => e.name === 'NODE_ENV')?.value, 'development');
  });

  it('exposes Traefik on NodePorts 30021 (web) and 30042 (dashboard) and routes poll.dop.io and result.dop.io', () => {
    const ports = spec<{ type: string; ports: { name: string; port: number; nodePort: number }[] }>(get(objects, 'Service', 'traefik'));
    assert.equal(ports.type, 'NodePort');
    assert.deepEqual(ports.ports.map((p) => [p.name, p.port, p.nodePort]), [['web', 80, 30021], ['dashboard', 8080, 30042]]);
    for (const app of ['poll', 'result']) {
      const ing = spec<{ ingressClassName: string; rules: { host: string; http: { paths: { backend: { service: { name: string } } }[] } }[] }>(get(objects, 'Ingress', app));
      assert.equal(ing.ingressClassName, 'traefik');
      assert.equal(ing.rules[0]?.host, `${app}.dop.io`);
      assert.equal(ing.rules[0]?.http.paths[0]?.backend.service.name, app);
    }
    const args = main('traefik').args ?? [];
    for (const a of ['--entryPoints.web.address=:80', '--entryPoints.traefik.address=:8080', '--providers.kubernetesIngress=true', '--providers.kubernetesIngress.ingressClass=traefik', '--api.dashboard=true']) {
      assert.ok(args.includes(a), `traefik lacks ${a}`);
    }
    assert.ok(!args.some((a) => a.startsWith('--providers.kubernetesCRD')), 'the base routes plain Ingresses only');
    assert.equal(spec<{ controller: string }>(get(objects, 'IngressClass', 'traefik')).controller, 'traefik.io/ingress-controller');
  });

  it('grants Traefik exactly what the Ingress provider reads', () => {
    const rules = (get(objects, 'ClusterRole', 'traefik') as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }).rules;
    const can = (group: string, resource: string, verb: string) => rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
    for (const r of ['services', 'endpoints']) assert.ok(can('', r, 'watch'), r);
    // Secrets only in the namespace it watches: a RoleBinding there, never cluster-wide.
    assert.ok(!can('', 'secrets', 'watch'), 'no cluster-wide read of Secrets');
    assert.ok(main('traefik').args?.includes('--providers.kubernetesIngress.namespaces=default'));
    const secrets = get(objects, 'RoleBinding', 'traefik-secrets', 'default') as unknown as { roleRef: { kind: string; name: string }; subjects: { name: string; namespace: string }[] };
    assert.deepEqual([secrets.roleRef.kind, secrets.roleRef.name], ['ClusterRole', 'traefik-secrets']);
    assert.deepEqual(secrets.subjects.map((x) => `${x.namespace}/${x.name}`), ['kube-public/traefik']);
    assert.deepEqual((get(objects, 'ClusterRole', 'traefik-secrets') as unknown as { rules: unknown }).rules, [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }]);
    assert.ok(can('discovery.k8s.io', 'endpointslices', 'list'));
    for (const r of ['ingresses', 'ingressclasses']) assert.ok(can('networking.k8s.io', r, 'watch'), r);
    assert.ok(can('networking.k8s.io', 'ingresses/status', 'update'));
    assert.ok(!rules.some((r) => r.verbs.some((v) => ['create', 'delete', 'patch', '*'].includes(v))), 'Traefik only reads');
    const binding = get(objects, 'ClusterRoleBinding', 'traefik') as unknown as { subjects: { name: string; namespace: string }[] };
    assert.deepEqual(binding.subjects.map((s) => `${s.namespace}/${s.name}`), ['kube-public/traefik']);
    assert.equal(workload('traefik').pod.serviceAccountName, 'traefik');
  });

  it('runs cAdvisor on every node with the five read-only host mounts on port 8080', () => {
    const ds = workload('cadvisor');
    const mounts = Object.fromEntries((ds.pod.containers[0]?.volumeMounts ?? []).map((m) => [m.mountPath, m]));
    const hostPaths = Object.fromEntries((ds.pod.volumes ?? []).map((v) => [v.name, v.hostPath?.path]));
    const expected: Record<string, string> = { '/rootfs': '/', '/var/run': '/var/run', '/sys': '/sys', '/var/lib/docker': '/var/lib/docker', '/dev/disk': '/dev/disk' };
    assert.equal(Object.keys(mounts).length, 5);
    for (const [mountPath, hostPath] of Object.entries(expected)) {
      const m = mounts[mountPath];
      assert.ok(m, `no mount at ${mountPath}`);
      assert.equal(m.readOnly, true, mountPath);
      assert.equal(hostPaths[m.name], hostPath, mountPath);
    }
    assert.equal(ds.pod.containers[0]?.ports?.[0]?.containerPort, 8080);
    assert.equal(ds.pod.restartPolicy, 'Always');
    assert.ok(/^ghcr\.io\/google\/cadvisor:v0\.5\d\.\d+$/.test(ds.pod.containers[0]?.image ?? ''));
  });

  it('persists Redis append-only (fsync before every reply) and PostgreSQL on volumes', () => {
    const redis = main('redis');
    const args = (redis.args ?? []).join(' ');
    assert.match(args, /--appendonly yes/);
    assert.match(args, /--appendfsync always/);
    const redisVolume = workload('redis').pod.volumes?.find((v) => v.name === redis.volumeMounts?.[0]?.name);
    assert.equal(redisVolume?.persistentVolumeClaim?.claimName, 'redis');
    assert.equal(redis.volumeMounts?.[0]?.mountPath, '/data');
    const pg = main('postgres');
    const dataMount = pg.volumeMounts?.find((m) => m.mountPath === '/var/lib/postgresql/data');
    assert.ok(dataMount, 'PostgreSQL data not mounted at /var/lib/postgresql/data');
    const claim = workload('postgres').pod.volumes?.find((v) => v.name === dataMount.name)?.persistentVolumeClaim?.claimName ?? '';
    const pvc = spec<{ volumeName: string; storageClassName: string }>(get(objects, 'PersistentVolumeClaim', claim));
    const pv = spec<{ storageClassName: string; persistentVolumeReclaimPolicy: string; nodeAffinity: unknown }>(get(objects, 'PersistentVolume', pvc.volumeName));
    assert.equal(pvc.storageClassName, '', 'the claim must not be captured by a default StorageClass');
    assert.equal(pv.storageClassName, '');
    assert.equal(pv.persistentVolumeReclaimPolicy, 'Retain');
    assert.ok(pv.nodeAffinity, 'the PV must pin the database to the node holding its data');
    for (const db of ['redis', 'postgres']) assert.equal(spec<{ strategy: { type: string } }>(workload(db).object).strategy.type, 'Recreate');
  });

  it('pins current versions of Redis, PostgreSQL, Traefik and our images', () => {
    assert.match(main('redis').image, /^redis:[78]\.\d+\.\d+/);
    assert.match(main('postgres').image, /^postgres:1[67]\.\d+/);
    assert.match(main('traefik').image, /^traefik:v3\.\d+\.\d+$/);
    for (const s of ['poll', 'worker', 'result']) assert.match(main(s).image, new RegExp(`^bernstein/${s}:\\d+\\.\\d+\\.\\d+$`));
  });

  it('migrates with a Job only: worker and result hold no owner credentials to migrate with', () => {
    const job = workload('migrate');
    assert.equal(job.kind, 'Job');
    assert.deepEqual(job.pod.containers[0]?.command, ['node', 'dist/migrate.js']);
    assert.match(job.pod.containers[0]?.image ?? '', /^bernstein\/worker:/);
    // The worker waits for the schema (its role may not migrate); result is not ready before it.
    for (const name of ['worker', 'result']) assert.deepEqual(workload(name).pod.initContainers ?? [], [], name);
  });

  it('backs the database up twice a day with pg_dump onto its own volume', () => {
    const cron = get(objects, 'CronJob', 'postgres-backup');
    const s = spec<{ schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { template: { spec: PodSpec } } } }>(cron);
    assert.equal(s.schedule, '0 */12 * * *');
    assert.equal(s.concurrencyPolicy, 'Forbid');
    const pod = s.jobTemplate.spec.template.spec;
    assert.match(pod.containers[0]?.command?.join(' ') ?? '', /pg_dump --format=custom/);
    assert.equal(pod.containers[0]?.image, main('postgres').image, 'pg_dump must match the server version');
    const claim = pod.volumes?.find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim?.claimName ?? '';
    assert.ok(get(objects, 'PersistentVolumeClaim', claim));
  });

  it('gives every workload its own ServiceAccount and mounts an API token only for Traefik', () => {
    const accounts = new Set<string>();
    for (const w of workloads(objects)) {
      const sa = `${w.namespace}/${w.pod.serviceAccountName ?? ''}`;
      assert.ok(!accounts.has(sa), `${w.name} shares ${sa}`);
      accounts.add(sa);
      assert.equal(w.pod.automountServiceAccountToken, w.name === 'traefik', w.name);
    }
    assert.equal(ofKind(objects, 'ServiceAccount').length, 9);
  });
});
