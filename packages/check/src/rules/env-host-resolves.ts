import { namespaceOf } from '../k8s.js';
import { POD_TEMPLATE_KINDS } from '../kinds.js';
import type { K8sObject, Path } from '../model.js';
import { at, num, records } from '../read.js';
import { classifyHost } from '../resolve/dns.js';
import { resolveEnv } from '../resolve/env.js';
import { peerAddresses, type PeerAddress } from '../resolve/peers.js';
import { containersIn, describe, type ContainerAt } from '../resolve/pods.js';
import { defineRule } from './define.js';

interface Problem {
  readonly object: K8sObject;
  readonly path: Path;
  readonly text: string;
  readonly readers: string[];
}

function servicePorts(svc: K8sObject): number[] {
  return records(at(svc.data, 'spec', 'ports')).flatMap(({ value }) => {
    const p = num(value.port);
    return p === undefined ? [] : [p];
  });
}

/** Ports some container of the pod declares (a sidecar reached on localhost). */
function podPorts(c: ContainerAt): Set<number> {
  const out = new Set<number>();
  for (const field of ['containers', 'initContainers']) {
    for (const { value } of records(c.pod.spec[field])) for (const { value: p } of records(value.ports)) if (num(p.containerPort) !== undefined) out.add(num(p.containerPort) ?? 0);
  }
  return out;
}

/** The port the container will dial: its port variable, else the schema's default. */
function dialedPort(objects: readonly K8sObject[], o: K8sObject, c: ContainerAt, peer: PeerAddress) {
  if (!peer.portVariable) return undefined;
  const r = resolveEnv(objects, o, c, peer.portVariable);
  if (r.state === 'opaque') return undefined;
  // Unset and empty both mean the default (loadConfig treats an empty value as unset).
  const how = r.state === 'unset' ? 'unset' : r.value.trim() === '' ? 'empty' : undefined;
  if (how !== undefined || r.state === 'unset') {
    return peer.defaultPort === undefined ? undefined : { port: peer.defaultPort, site: undefined, shown: `${peer.portVariable} is ${how ?? 'unset'}, so ${peer.defaultPort} is used` };
  }
  const port = /^\d+$/.test(r.value.trim()) ? Number(r.value) : undefined;
  return { port, site: r, shown: `${peer.portVariable} is "${r.value}"` };
}

export default defineRule({
  id: 'env-host-resolves',
  description:
    "The address our services are given for Redis and PostgreSQL (the variables the configuration schema marks as a peer's host and port: REDIS_HOST/REDIS_PORT, POSTGRES_HOST/POSTGRES_PORT) resolves as cluster DNS would resolve it (https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/): the value, from `env`, `valueFrom.configMapKeyRef` or an `envFrom` ConfigMap of the input, names a Service of the pod's namespace (`name`, `name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local` for another namespace's), and the port is one of that Service's ports (the schema's default when unset). `localhost` (unless a container of the same pod listens on the port), an empty value, or the variable's own name are errors. An IP address or a domain name outside the cluster is not judged; a unit without any Service (one file checked alone) is not either.",
  remediation:
    'Write the name of the Service (`redis`, or `redis.<namespace>` for another namespace) in the ConfigMap the services read, and the port the Service exposes (`port`, not `targetPort`). Inside a pod, `localhost` is the pod itself.',
  severity: 'error',
  profiles: ['core'],
  kinds: [...POD_TEMPLATE_KINDS, 'ConfigMap'],
  *check({ unit, objectsOf }) {
    const objects = unit.objects;
    const services = objectsOf('Service');
    if (services.length === 0) return;
    const namespaces = new Set([...objects.map(namespaceOf), ...objectsOf('Namespace').map((o) => o.name)]);
    const peers = peerAddresses();
    const problems = new Map<string, Problem>();
    const report = (object: K8sObject, path: Path, text: string, reader: string) => {
      const key = `${object.file}:${object.line}:${object.kind}/${object.name}:${path.join('.')}:${text}`;
      const p = problems.get(key) ?? { object, path, text, readers: [] };
      if (!p.readers.includes(reader)) p.readers.push(reader);
      problems.set(key, p);
    };
    for (const o of objectsOf(...POD_TEMPLATE_KINDS)) {
      const ns = namespaceOf(o);
      for (const c of containersIn(o)) {
        const reader = `${describe(o)} container "${c.name}"`;
        for (const peer of peers) {
          const host = resolveEnv(objects, o, c, peer.hostVariable);
          if (host.state !== 'value') continue;
          const v = host.value.trim();
          const said = `${peer.hostVariable} is "${host.value}"`;
          if (v === peer.hostVariable || v === `$(${peer.hostVariable})`) {
            report(host.object, host.path, `${said}, the variable's own name, not the address of ${peer.service}`, reader);
            continue;
          }
          const target = classifyHost(v, ns, namespaces);
          const port = dialedPort(objects, o, c, peer);
          if (port && port.port === undefined && port.site) {
            report(port.site.object, port.site.path, `${port.shown}: not a port number, so the service exits at start`, reader);
          }
          if (target.kind === 'empty') report(host.object, host.path, `${peer.hostVariable} is empty: the service has no ${peer.service} host and exits at start`, reader);
          else if (target.kind === 'loopback') {
            if (port?.port === undefined || !podPorts(c).has(port.port)) {
              report(host.object, host.path, `${said}: inside a pod that is the pod itself, and no container of the pod listens on ${port?.port ?? `the ${peer.service} port`}; name the ${peer.service} Service`, reader);
            }
          } else if (target.kind === 'service') {
            const svc = services.find((s) => s.name === target.name && namespaceOf(s) === target.namespace);
            if (!svc) {
              const elsewhere = target.qualified ? undefined : services.find((s) => s.name === target.name);
              const hint = elsewhere ? `; Service "${target.name}" is in namespace "${namespaceOf(elsewhere)}": write "${target.name}.${namespaceOf(elsewhere)}"` : '';
              report(host.object, host.path, `${said}: there is no Service "${target.name}" in namespace "${target.namespace}"${hint}`, reader);
              continue;
            }
            const ports = servicePorts(svc);
            if (port?.port !== undefined && ports.length > 0 && !ports.includes(port.port)) {
              const site = port.site ?? host;
              report(site.object, site.path, `${port.shown}: Service "${svc.name}" of namespace "${target.namespace}" exposes ${ports.join(', ')}, not ${port.port}`, reader);
            }
          }
        }
      }
    }
    for (const p of problems.values()) {
      const by = p.object.kind === 'ConfigMap' ? ` (read by ${p.readers.join(', ')})` : ` (${p.readers.map((r) => r.replace(/^.* container /, 'container ')).join(', ')})`;
      yield { object: p.object, path: p.path, message: `${p.text}${by}` };
    }
  },
});
