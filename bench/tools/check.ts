// Benchmark (not a test): checks 200 manifests with both profiles and prints the time.
// Usage: node --conditions=source --import=tsx bench/tools/check.ts [count]   (after npm run build)
// The manifests are copies of the complete Bernstein fixture renamed per copy, so every
// cross-reference rule has real work (selectors, ports, config references) to do.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { checkUnits } from '../../packages/check/src/engine.js';
import { loadUnits } from '../../packages/check/src/load/inputs.js';

const count = Number(process.argv[2] ?? 200);
const source = fileURLToPath(new URL('../../packages/check/test/fixtures/deployments/bernstein-complete', import.meta.url));
const templates = readdirSync(source).map((f) => ({ name: f, text: readFileSync(join(source, f), 'utf8') }));
const dir = mkdtempSync(join(tmpdir(), 'bernstein-check-bench-'));

try {
  let objects = 0;
  for (let i = 0; objects < count; i++) {
    for (const t of templates) {
      if (objects >= count) break;
      // Same names in namespaces of their own keep every reference resolvable.
      const docs = parseAllDocuments(t.text).map((d) => {
        const ns = d.getIn(['metadata', 'namespace']);
        d.setIn(['metadata', 'namespace'], `${typeof ns === 'string' ? ns : 'default'}-copy-${i}`);
        for (const s of d.get('subjects') ? [0] : []) d.setIn(['subjects', s, 'namespace'], `kube-public-copy-${i}`);
        return d.toString();
      });
      writeFileSync(join(dir, `${i}-${t.name}`), docs.join('---\n'));
      objects += docs.length;
    }
  }
  const runs: number[] = [];
  const cpu: number[] = [];
  let findings: Awaited<ReturnType<typeof checkUnits>> = [];
  for (let r = 0; r < 7; r++) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    const units = await loadUnits([dir]);
    findings = await checkUnits(units, { profiles: ['bernstein', 'production'] });
    runs.push(Number(process.hrtime.bigint() - start) / 1e6);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  const sorted = [...runs].sort((a, b) => a - b);
  const byRule = new Map<string, number>();
  for (const f of findings) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
  console.log(`${objects} manifests (objects) in ${readdirSync(dir).length} files, ${findings.length} findings (${[...byRule].map(([r, n]) => `${r} ${n}`).join(', ')})`);
  console.log(`in-process check: first run ${runs[0]?.toFixed(0)} ms (loads validators), median ${sorted[3]?.toFixed(0)} ms, best ${sorted[0]?.toFixed(0)} ms; CPU time per run ${cpu.map((c) => c.toFixed(0)).join(', ')} ms`);
  const bin = fileURLToPath(new URL('../../packages/check/dist/bin.js', import.meta.url));
  const env = { ...process.env, NODE_OPTIONS: '' };
  const cli: number[] = [];
  for (let r = 0; r < 3; r++) {
    const start = process.hrtime.bigint();
    const p = spawnSync(process.execPath, [bin, '--format', 'json', '--profile', 'bernstein', '--profile', 'production', dir], { env, stdio: 'ignore' });
    if (p.status !== 0 && p.status !== 1) throw new Error(`bernstein-check exited ${p.status} (build first: npm run build)`);
    cli.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  console.log(`whole command (node dist/bin.js, process start included): ${cli.map((c) => c.toFixed(0)).join(', ')} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
