import { parseImage } from '../image.js';
import { containersOf } from '../k8s.js';
import { POD_TEMPLATE_KINDS } from '../kinds.js';
import { defineRule } from './define.js';

/**
 * Oldest major version still supported upstream, per image (table as of 2026-11; update it when
 * a version reaches end of life). The course's redis 5.0, postgres 12 and traefik 1.7 are all past it.
 */
export const OLDEST_SUPPORTED: Record<string, number> = { redis: 7, postgres: 14, traefik: 3, node: 20 };

function major(tag: string): number | undefined {
  const m = /^v?(\d+)/.exec(tag);
  return m ? Number(m[1]) : undefined;
}

export default defineRule({
  id: 'supported-versions',
  description: `Images of Redis, PostgreSQL, Traefik and Node are of a major version still supported upstream (at least ${Object.entries(OLDEST_SUPPORTED).map(([n, v]) => `${n} ${v}`).join(', ')}); the course subject's redis 5.0, postgres 12 and traefik 1.7 are dated.`,
  remediation: 'Move to a supported, pinned version (e.g. `redis:7.4.1-alpine`, `postgres:17.2`, `traefik:v3.2.1`) and say in the README which ones you use. For PostgreSQL, a major upgrade needs a dump and restore (or pg_upgrade) of the data.',
  severity: 'warning',
  profiles: ['bernstein'],
  kinds: POD_TEMPLATE_KINDS,
  *check({ objectsOf }) {
    for (const o of objectsOf(...POD_TEMPLATE_KINDS)) {
      for (const { image, path } of containersOf(o)) {
        if (image === undefined) continue;
        const img = parseImage(image);
        const name = img.name.split('/').pop() ?? '';
        const oldest = OLDEST_SUPPORTED[name];
        const v = img.tag === undefined ? undefined : major(img.tag);
        if (oldest !== undefined && v !== undefined && v < oldest) {
          yield { object: o, path: [...path, 'image'], message: `${image}: ${name} ${v} is past its end of life (oldest supported major: ${oldest})` };
        }
      }
    }
  },
});
