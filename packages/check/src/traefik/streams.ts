/**
 * Which backends serve long-lived streams (Server-Sent Events, long polling), which a read
 * timeout on the entrypoint cuts. Known from the Service annotation
 * `bernstein.dev/long-lived-streams: "true"` (or "false" to say it does not), else from the
 * course profile: the result component streams vote counts by SSE.
 */
import { componentOf } from '../bernstein.js';
import type { K8sObject } from '../model.js';
import { at, stringMap } from '../read.js';

export const STREAMS_ANNOTATION = 'bernstein.dev/long-lived-streams';

export function streams(service: K8sObject): boolean {
  const v = stringMap(at(service.data, 'metadata', 'annotations'))[STREAMS_ANNOTATION];
  if (v !== undefined) return v === 'true';
  return componentOf(service) === 'result';
}
