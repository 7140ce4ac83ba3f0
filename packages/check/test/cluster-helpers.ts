// Builds K8sObjects from YAML text for the cluster simulation tests (no files, no loader).
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../src/model.js';
import { at, str } from '../src/read.js';

export function objects(text: string): K8sObject[] {
  return parseAllDocuments(text).map((d, i) => {
    const data: unknown = d.toJS();
    return {
      apiVersion: str(at(data, 'apiVersion')) ?? '',
      kind: str(at(data, 'kind')) ?? '',
      name: str(at(data, 'metadata', 'name')) ?? '',
      namespace: str(at(data, 'metadata', 'namespace')),
      data,
      file: 'test.yaml',
      line: i + 1,
      lineOf: () => i + 1,
    };
  });
}

export interface DeploymentOptions {
  readonly replicas?: number;
  readonly cpu?: string;
  readonly strategy?: string;
  readonly spec?: string;
  readonly labels?: string;
}

/** A Deployment `name` (label app: name) with extra pod spec lines (indented by 6 spaces in the template). */
export function deployment(name: string, o: DeploymentOptions = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${o.replicas ?? 2}
${o.strategy ?? ''}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
${o.spec ?? ''}
      containers:
        - name: ${name}
          image: example/${name}:1.0.0
          resources:
            requests:
              cpu: ${o.cpu ?? '100m'}
              memory: 64Mi
---
`;
}

export const ANTI_AFFINITY = (app: string) => `      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - topologyKey: kubernetes.io/hostname
              labelSelector:
                matchLabels:
                  app: ${app}`;

export const SURGE_ONLY = `  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0`;

export const UNAVAILABLE_FIRST = `  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 0
      maxUnavailable: 1`;
