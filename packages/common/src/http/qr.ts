/**
 * QR codes as inline SVG for poll's share panel and result's present view, drawn on the server
 * (no script, no image request, nothing from a CDN). `qrcode` does the encoding; this draws its modules as one path, dark on a white
 * square with the quiet zone of 4 modules that scanners expect, whatever the page's colours.
 */
import QRCode from 'qrcode';
import { escapeHtml } from './html.js';

const cache = new Map<string, string>();
/** Join URLs are few (one per poll); the bound only keeps a misconfiguration from growing it. */
const CACHE_LIMIT = 500;

export function qrSvg(text: string, label: string): string {
  const key = `${label}\u0000${text}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  // Level M: survives a smudged or partly covered code, still few modules for a short URL.
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  let path = '';
  for (let y = 0; y < size; y++) {
    let x = 0;
    while (x < size) {
      if (!modules.get(y, x)) {
        x++;
        continue;
      }
      const start = x;
      while (x < size && modules.get(y, x)) x++;
      path += `M${start} ${y}h${x - start}v1h${start - x}z`;
    }
  }
  const box = size + 8;
  const svg =
    `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 ${box} ${box}" shape-rendering="crispEdges" role="img" aria-label="${escapeHtml(label)}">` +
    `<rect x="-4" y="-4" width="${box}" height="${box}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, svg);
  return svg;
}
