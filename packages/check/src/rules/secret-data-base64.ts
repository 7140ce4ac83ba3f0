import { at, isRecord } from '../read.js';
import { defineRule } from './define.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Plain text that happens to use only base64 letters ("postgres") decodes to binary junk. */
function looksLikeText(bytes: Buffer): boolean {
  const s = bytes.toString('utf8');
  if (s.includes('\uFFFD')) return false;
  // Control characters other than tab and newlines do not occur in text.
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if ((code < 32 && code !== 9 && code !== 10 && code !== 13) || code === 127) return false;
  }
  return true;
}

export default defineRule({
  id: 'secret-data-base64',
  description: "A Secret's `data:` values are base64 (plain text belongs in `stringData:`); a value that is not valid base64, or that decodes to binary junk, is plain text written in the wrong field.",
  remediation: 'Either encode the value (`printf %s "$VALUE" | base64`) or move the plain value under `stringData:`, which Kubernetes encodes for you.',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Secret'],
  *check({ objectsOf }) {
    for (const o of objectsOf('Secret')) {
      const data = at(o.data, 'data');
      if (!isRecord(data)) continue;
      // Opaque secrets hold text in practice; other types may hold real binary (keystores).
      const opaque = (at(o.data, 'type') ?? 'Opaque') === 'Opaque';
      for (const [key, value] of Object.entries(data)) {
        const path = ['data', key];
        if (typeof value !== 'string') {
          yield { object: o, path, message: `data.${key} is not a string` };
          continue;
        }
        const compact = value.replace(/\s+/g, '');
        if (!BASE64.test(compact)) {
          yield { object: o, path, message: `data.${key} is not valid base64: plain text belongs in stringData` };
        } else if (opaque && !looksLikeText(Buffer.from(compact, 'base64'))) {
          yield { object: o, path, message: `data.${key} decodes to binary bytes: it looks like plain text written in data (use stringData or encode it)` };
        }
      }
    }
  },
});
