/**
 * QR codes as inline SVG, drawn on the server with `qrcode` (no script, no image request, no
 * CDN): the modules as one path, dark on white with the 4-module quiet zone scanners expect.
 */
import QRCode from 'qrcode';
import { escapeHtml } from '@bernstein/common';

const cache = new Map<string, string>();

export function qrSvg(text: string, label: string): string {
  const key = `${label}\u0000${text}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  let path = '';
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; ) {
      if (!modules.get(y, x)) {
        x++;
        continue;
      }
      const start = x;
      while (x < size && modules.get(y, x)) x++;
      path += `M${start + 4} ${y + 4}h${x - start}v1h${start - x}z`;
    }
  }
  const full = size + 8;
  const svg =
    `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" role="img" aria-label="${escapeHtml(label)}">` +
    `<rect width="${full}" height="${full}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`;
  if (cache.size > 500) cache.clear();
  cache.set(key, svg);
  return svg;
}
