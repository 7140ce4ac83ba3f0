/**
 * A small grouped-bar chart in plain SVG: panels of groups of bars, linear or log scale,
 * optional target lines. No chart library, no external service: the file renders anywhere.
 */
export interface Bar {
  series: string;
  value: number;
}

export interface Panel {
  title: string;
  unit: string;
  scale: 'linear' | 'log';
  groups: { label: string; bars: Bar[] }[];
  targets?: { value: number; label: string }[];
}

export const SERIES_COLORS: Record<string, string> = {};
const PALETTE = ['#2f6fb0', '#9aa5b1', '#e07b39', '#5aa469', '#8e6bb8', '#c94f4f', '#c9a227'];

function color(series: string): string {
  if (!SERIES_COLORS[series]) SERIES_COLORS[series] = PALETTE[Object.keys(SERIES_COLORS).length % PALETTE.length] as string;
  return SERIES_COLORS[series];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function compact(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  if (v >= 1e6) return `${(v / 1e6).toFixed(v >= 1e7 ? 0 : 1)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(v >= 1e4 ? 0 : 1)}k`;
  if (v >= 10) return v.toFixed(0);
  return v.toFixed(v >= 1 ? 1 : 2);
}

const W = 900;
const PANEL_H = 260;
const LEFT = 70;
const RIGHT = 20;
const TOP = 34;
const BOTTOM = 52;

function panelSvg(p: Panel, y0: number): string {
  const values = p.groups.flatMap((g) => g.bars.map((b) => b.value)).concat((p.targets ?? []).map((t) => t.value)).filter((v) => Number.isFinite(v) && v > 0);
  const max = values.length ? Math.max(...values) : 1;
  const min = values.length ? Math.min(...values) : 1;
  const plotH = PANEL_H - TOP - BOTTOM;
  let y: (v: number) => number;
  let ticks: number[];
  if (p.scale === 'log') {
    // A value exactly on a decade still gets a visible bar: start one decade lower.
    const lo = Math.pow(10, Math.floor(Math.log10(min * 0.99)));
    const hi = Math.pow(10, Math.ceil(Math.log10(max * 1.05)));
    y = (v) => y0 + TOP + plotH - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
    ticks = [];
    for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(t);
  } else {
    const raw = (max * 1.1) / 5;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const stepV = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
    const hi = stepV * 5;
    y = (v) => y0 + TOP + plotH - (v / hi) * plotH;
    ticks = [0, 1, 2, 3, 4, 5].map((i) => i * stepV);
  }
  const out: string[] = [];
  out.push(`<text x="${LEFT}" y="${y0 + 20}" class="title">${esc(p.title)}${p.scale === 'log' ? ' (log scale)' : ''}</text>`);
  for (const t of ticks) {
    out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/>`);
    out.push(`<text x="${LEFT - 6}" y="${(y(t) + 4).toFixed(1)}" class="tick" text-anchor="end">${compact(t)}</text>`);
  }
  out.push(`<text x="14" y="${y0 + TOP + plotH / 2}" class="tick" transform="rotate(-90 14 ${y0 + TOP + plotH / 2})" text-anchor="middle">${esc(p.unit)}</text>`);
  const plotW = W - LEFT - RIGHT;
  const groupW = plotW / Math.max(1, p.groups.length);
  p.groups.forEach((g, gi) => {
    const n = Math.max(1, g.bars.length);
    const barW = Math.min(48, (groupW * 0.8) / n);
    const x0 = LEFT + gi * groupW + (groupW - barW * n) / 2;
    g.bars.forEach((b, bi) => {
      const x = x0 + bi * barW;
      const ok = Number.isFinite(b.value) && b.value > 0;
      const top = ok ? y(b.value) : y0 + TOP + plotH;
      const base = y0 + TOP + plotH;
      out.push(`<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${Math.max(0, base - top).toFixed(1)}" fill="${color(b.series)}"><title>${esc(`${g.label} — ${b.series}: ${b.value}`)}</title></rect>`);
      out.push(`<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(top - 3).toFixed(1)}" class="val" text-anchor="middle">${compact(b.value)}</text>`);
    });
    out.push(`<text x="${(LEFT + gi * groupW + groupW / 2).toFixed(1)}" y="${y0 + TOP + plotH + 16}" class="tick" text-anchor="middle">${esc(g.label)}</text>`);
  });
  // Labels alternate right and left so two close target lines stay readable.
  (p.targets ?? []).forEach((t, i) => {
    out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${y(t.value).toFixed(1)}" y2="${y(t.value).toFixed(1)}" class="target"/>`);
    const right = i % 2 === 0;
    out.push(`<text x="${right ? W - RIGHT - 2 : LEFT + 4}" y="${(y(t.value) - 4).toFixed(1)}" class="targetlabel" text-anchor="${right ? 'end' : 'start'}">${esc(t.label)}</text>`);
  });
  // Legend: the series of this panel.
  const series = [...new Set(p.groups.flatMap((g) => g.bars.map((b) => b.series)))];
  let lx = LEFT;
  const ly = y0 + PANEL_H - 14;
  for (const s of series) {
    out.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${color(s)}"/><text x="${lx + 14}" y="${ly}" class="tick">${esc(s)}</text>`);
    lx += 28 + s.length * 6.6;
  }
  return out.join('\n');
}

export function renderChart(title: string, subtitle: string, panels: Panel[]): string {
  const h = 50 + panels.length * PANEL_H;
  const body = panels.map((p, i) => panelSvg(p, 50 + i * PANEL_H)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="system-ui, sans-serif">
<style>
.title{font-size:14px;font-weight:600;fill:#222}.tick{font-size:11px;fill:#444}.val{font-size:10px;fill:#222}
.grid{stroke:#e3e3e3;stroke-width:1}.target{stroke:#c0392b;stroke-width:1.5;stroke-dasharray:6 4}.targetlabel{font-size:11px;fill:#c0392b}
</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="${LEFT}" y="22" style="font-size:16px;font-weight:700;fill:#111">${esc(title)}</text>
<text x="${LEFT}" y="40" class="tick">${esc(subtitle)}</text>
${body}
</svg>
`;
}
