/**
 * Cross-site request forgery guard for the form posts. A page on another site can make a
 * visitor's browser post the voting form (an auto-submitted form, a hidden iframe, a
 * `fetch(…, {mode: 'no-cors'})`): the form's content type needs no CORS permission. Such a
 * post carries the browser's own evidence of where it came from, which the page cannot
 * forge: `Origin` (every current browser sends it on POST), else `Sec-Fetch-Site`, else
 * `Referer`. The post is refused with 403 CROSS_SITE_REQUEST, before the body is read, the
 * voter is looked up or anything is written, unless that evidence names poll's own origin.
 *
 * "Own origin" is the host the request was sent to (Host, or X-Forwarded-Host from a trusted
 * proxy), compared with the host of Origin or Referer. The scheme is not compared, so a proxy
 * that terminates TLS need not be trusted for this check to pass; a cross-scheme attacker
 * would need to serve pages on poll's own host name. A request with none of the three headers
 * is not from a browser that follows a page's lead (curl, the load generator) and passes:
 * those clients can vote directly anyway, within their rate limits.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { BernsteinError, ErrorCode } from '@bernstein/common';

export function crossSiteRequest(evidence: string): BernsteinError {
  return new BernsteinError(
    ErrorCode.CROSS_SITE_REQUEST,
    `this form was posted from another site (${evidence}); votes are accepted only from this poll's own pages, and nothing was recorded`,
    403,
  );
}

/** `host[:port]` in lower case, without the default port of http or https. */
function normalHost(host: string): string {
  return host.toLowerCase().replace(/:(80|443)$/, '');
}

/** The host of an absolute URL (Origin or Referer), or undefined when it is not one (`null`, garbage). */
function hostOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
    return normalHost(parsed.host);
  } catch {
    return undefined;
  }
}

function bounded(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

/** Why the request is cross-site, or undefined when it comes from poll's own origin (or from no browser page). */
export function crossSiteEvidence(request: FastifyRequest): string | undefined {
  const own = normalHost(request.host);
  const origin = request.headers.origin;
  if (origin !== undefined) {
    return hostOf(origin) === own ? undefined : `Origin ${bounded(origin)}`;
  }
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') {
    return site === 'same-origin' || site === 'none' ? undefined : `Sec-Fetch-Site ${bounded(site)}`;
  }
  const referer = request.headers.referer;
  if (referer !== undefined) {
    return hostOf(referer) === own ? undefined : `Referer ${bounded(referer)}`;
  }
  return undefined;
}

/** Route-level onRequest hook: refuses a cross-site post before its body is read. */
export function requireSameOrigin(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const evidence = crossSiteEvidence(request);
  done(evidence === undefined ? undefined : crossSiteRequest(evidence));
}
