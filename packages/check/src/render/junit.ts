/**
 * JUnit XML for CI test reports: one <testsuite> per grading category of the Bernstein profile,
 * one <testcase> per requirement (rule), the rule's error-level findings as <failure> elements
 * (warnings and infos in <system-out>, so the report passes or fails as the exit code does);
 * the other selected rules in suites per profile.
 */
import { GRADING_CATEGORIES } from '../bernstein.js';
import type { Finding, Rule } from '../model.js';
import { docsUrl } from '../model.js';

/** Text and attribute values: XML special characters escaped, characters XML forbids dropped. */
export function escapeXml(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function where(f: Finding): string {
  const at = f.fieldLine !== undefined ? `${f.file}:${f.fieldLine}` : f.file;
  return f.kind ? `${at} (${f.kind}/${f.name ?? ''})` : at;
}

interface Suite {
  readonly name: string;
  readonly rules: readonly Rule[];
}

/** Grading categories first (in the profile's order), then the remaining rules by profile. */
export function junitSuites(rules: readonly Rule[]): Suite[] {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const placed = new Set<string>();
  const suites: Suite[] = [];
  for (const [category, ids] of Object.entries(GRADING_CATEGORIES)) {
    const members = ids.flatMap((id) => {
      const r = byId.get(id);
      return r ? [r] : [];
    });
    members.forEach((r) => placed.add(r.id));
    suites.push({ name: category, rules: members });
  }
  for (const profile of ['bernstein', 'core', 'production'] as const) {
    suites.push({ name: profile === 'bernstein' ? 'bernstein (other requirements)' : profile, rules: rules.filter((r) => !placed.has(r.id) && r.profiles[0] === profile) });
    rules.forEach((r) => r.profiles[0] === profile && placed.add(r.id));
  }
  suites.push({ name: 'other', rules: rules.filter((r) => !placed.has(r.id)) });
  return suites.filter((s) => s.rules.length > 0);
}

export function renderJunit(findings: readonly Finding[], rules: readonly Rule[]): string {
  const suites = junitSuites(rules);
  const failing = (r: Rule) => findings.filter((f) => f.rule === r.id && f.severity === 'error');
  const tests = suites.reduce((n, s) => n + s.rules.length, 0);
  const failures = suites.reduce((n, s) => n + s.rules.filter((r) => failing(r).length > 0).length, 0);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="bernstein check" tests="${tests}" failures="${failures}" errors="0">`];
  for (const [i, s] of suites.entries()) {
    const suiteFailures = s.rules.filter((r) => failing(r).length > 0).length;
    out.push(`  <testsuite id="${i}" name="${escapeXml(s.name)}" tests="${s.rules.length}" failures="${suiteFailures}" errors="0" skipped="0" time="0">`);
    for (const r of s.rules) {
      const mine = findings.filter((f) => f.rule === r.id);
      const errors = mine.filter((f) => f.severity === 'error');
      const others = mine.filter((f) => f.severity !== 'error');
      const open = `    <testcase name="${escapeXml(r.id)}" classname="bernstein-check.${escapeXml(s.name)}" time="0"`;
      if (mine.length === 0) {
        out.push(`${open}/>`);
        continue;
      }
      out.push(`${open}>`);
      for (const f of errors) {
        out.push(`      <failure message="${escapeXml(f.message)}" type="${f.severity}">${escapeXml(`${where(f)}: ${f.message}\n${r.remediation}\nSee ${docsUrl(r.id)}`)}</failure>`);
      }
      if (others.length > 0) out.push(`      <system-out>${escapeXml(others.map((f) => `${f.severity}: ${where(f)}: ${f.message}`).join('\n'))}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
