/**
 * The security headers of every response of poll and result, and Content-Security-Policy
 * built from the exact inline styles and scripts of a page (by SHA-256 hash, computed once at
 * start-up from the strings the page embeds, so a policy can never drift from its page).
 */
import { createHash } from 'node:crypto';

/** HSTS for a year, sent only on responses that reached the client over TLS. */
export const HSTS = 'max-age=31536000';

/**
 * On every response, pages and API alike. An API answer opened as a document runs and embeds
 * nothing (`default-src 'none'`) and cannot be framed; pages replace the policy with their own.
 */
export const BASE_SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  // For browsers that predate CSP's frame-ancestors.
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
} as const;

/** `'sha256-…'` source expression of an inline `<style>` or `<script>` body, exactly as embedded. */
export function cspHash(inline: string): string {
  return `'sha256-${createHash('sha256').update(inline, 'utf8').digest('base64')}'`;
}

export interface PagePolicy {
  /** Inline `<style>` bodies the page embeds. */
  styles?: readonly string[];
  /** Inline `<script>` bodies the page embeds. */
  scripts?: readonly string[];
  /** `connect-src` sources (`'self'` for a page that opens an EventSource to its own origin). */
  connect?: readonly string[];
  /** `img-src` sources (`data:` for an inline icon). */
  img?: readonly string[];
  /** `form-action` sources; `'none'` when the page has no form. */
  formAction?: readonly string[];
  /**
   * Allow `style="…"` attributes (`style-src-attr 'unsafe-inline'`): for server-rendered values
   * such as a bar's width, which no hash can list. They cannot run script; elements stay hashed.
   */
  styleAttributes?: boolean;
}

/** The Content-Security-Policy of a page: nothing but what it embeds, never framed. */
export function pageCsp(policy: PagePolicy): string {
  const directives = ["default-src 'none'"];
  if (policy.styles?.length) directives.push(`style-src ${policy.styles.map(cspHash).join(' ')}`);
  if (policy.styleAttributes) directives.push("style-src-attr 'unsafe-inline'");
  if (policy.scripts?.length) directives.push(`script-src ${policy.scripts.map(cspHash).join(' ')}`);
  if (policy.connect?.length) directives.push(`connect-src ${policy.connect.join(' ')}`);
  if (policy.img?.length) directives.push(`img-src ${policy.img.join(' ')}`);
  directives.push(`form-action ${(policy.formAction ?? ["'none'"]).join(' ')}`, "base-uri 'none'", "frame-ancestors 'none'");
  return directives.join('; ');
}

/** The headers of an HTML page with `policy`: the base set with the page's own CSP. */
export function pageHeaders(policy: PagePolicy): Record<string, string> {
  return {
    ...BASE_SECURITY_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': pageCsp(policy),
  };
}

/** The base headers as raw `Name: value\r\n` lines, for responses written straight to a socket. */
export function rawSecurityHeaderLines(): string {
  return Object.entries(BASE_SECURITY_HEADERS)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
}
