/**
 * Summarizes V8 CPU profiles (`--cpu-prof`): the functions with the most self time, and self
 * time by where the code lives (our services, a dependency, Node internals, GC/idle), so a
 * missed target can be traced to what the process actually spends its time on.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

function files(dir: string): string[] {
  try {
    return readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? files(p) : n.endsWith('.cpuprofile') ? [p] : [];
    });
  } catch {
    return [];
  }
}

/** Where a frame's code lives: `node_modules/<pkg>`, `services/<x>`, `packages/<x>`, `node:` … */
export function area(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native/V8)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1] as string;
  const own = /(services|packages)\/([^/]+)/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

export function summarize(profile: CpuProfile, top = 20): { total: number; frames: [string, number][]; areas: [string, number][] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0)));
  } else {
    for (const n of profile.nodes) self.set(n.id, n.hitCount ?? 0);
  }
  let total = 0;
  const frames = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id);
    if (!n) continue;
    total += t;
    const { functionName, url, lineNumber } = n.callFrame;
    const file = url.replace(/^file:\/\//, '').replace(/^.*?\/(node_modules|services|packages)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
    frames.set(key, (frames.get(key) ?? 0) + t);
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + t);
  }
  const sort = (m: Map<string, number>) => [...m].sort((x, y) => y[1] - x[1]).slice(0, top);
  return { total, frames: sort(frames), areas: sort(areas) };
}

/** Writes a Markdown summary of every profile under `dir` to `out`; returns a one-line note. */
export function summarizeProfiles(dir: string, out: string): string {
  const list = files(dir);
  if (list.length === 0) return `no profiles under ${dir}`;
  const parts: string[] = ['# CPU profiles (self time)', ''];
  for (const f of list) {
    const s = summarize(JSON.parse(readFileSync(f, 'utf8')) as CpuProfile);
    const idle = s.areas.find(([a]) => a === '(idle)')?.[1] ?? 0;
    const busy = Math.max(1, s.total - idle);
    const pct = (t: number, of: number) => `${((t / Math.max(1, of)) * 100).toFixed(1)} %`;
    parts.push(
      `## ${relative(dir, f)}`,
      '',
      `Sampled ${(s.total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (the process is profiled from start to exit, idle phases included).`,
      '',
      '| Where | Self, % of busy | % of all |',
      '|---|---|---|',
    );
    for (const [a, t] of s.areas) parts.push(`| ${a} | ${a === '(idle)' ? '—' : pct(t, busy)} | ${pct(t, s.total)} |`);
    parts.push('', '| Function | Self, % of busy | % of all |', '|---|---|---|');
    for (const [k, t] of s.frames) parts.push(`| \`${k}\` | ${k === '(idle)' ? '—' : pct(t, busy)} | ${pct(t, s.total)} |`);
    parts.push('');
  }
  writeFileSync(out, parts.join('\n'));
  return `${list.length} profile(s) summarized in ${out}`;
}
