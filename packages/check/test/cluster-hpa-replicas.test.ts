// A Deployment scaled by an HPA runs what the HPA keeps it at, not only its own `replicas`:
// with `replicas` removed (as the HPA docs advise) it runs minReplicas; above maxReplicas it
// runs maxReplicas; at 0 the HPA leaves it alone (pkg/controller/podautoscaler/horizontal.go).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCluster } from '../src/cluster/analyze.js';
import { DEFAULT_CLUSTER } from '../src/cluster/model.js';
import { deployment, objects } from './cluster-helpers.js';

const hpa = (min: string) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
${min}  maxReplicas: 4
`;
const withoutReplicas = (text: string) => text.replace(/^ {2}replicas: \d+\n/m, '');
const placed = (text: string) => analyzeCluster(objects(text), DEFAULT_CLUSTER).workloads.map((o) => `${o.workload.name} ${o.placed}/${o.desired}`);

describe('replicas of an HPA target', () => {
  it('runs minReplicas when the Deployment leaves replicas to its HPA', () => {
    assert.deepEqual(placed(withoutReplicas(deployment('web')) + hpa('  minReplicas: 3\n')), ['web 3/3']);
  });
  it('runs 1 when neither sets a number (minReplicas defaults to 1)', () => {
    assert.deepEqual(placed(withoutReplicas(deployment('web')) + hpa('')), ['web 1/1']);
  });
  it('keeps its own replicas between the bounds, and is held to maxReplicas above them', () => {
    assert.deepEqual(placed(deployment('web', { replicas: 3 }) + hpa('  minReplicas: 2\n')), ['web 3/3']);
    assert.deepEqual(placed(deployment('web', { replicas: 9 }) + hpa('  minReplicas: 2\n')), ['web 4/4']);
  });
  it('stays at 0 (the HPA does not scale a target with no replicas)', () => {
    assert.deepEqual(placed(deployment('web', { replicas: 0 }) + hpa('  minReplicas: 2\n')), ['web 0/0']);
  });
  it('a Deployment of another name is not the target', () => {
    assert.deepEqual(placed(withoutReplicas(deployment('api')) + hpa('  minReplicas: 3\n')), ['api 1/1']);
  });
});
