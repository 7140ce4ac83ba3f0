/** Where result's pages link to on the poll service (POLL_URL): the voting page of a poll. */

/**
 * The voting page of `pollId`: POLL_URL itself for the default poll (the shortest address to
 * type or scan), `<POLL_URL>/polls/<id>` for the others. Undefined without POLL_URL.
 */
export function votingUrl(pollUrl: string | undefined, pollId: string, isDefault: boolean): string | undefined {
  if (pollUrl === undefined) return undefined;
  if (isDefault) return pollUrl;
  const url = new URL(pollUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/polls/${encodeURIComponent(pollId)}`;
  return url.toString();
}

/** The URL as people read and type it: without the scheme and a lone trailing slash. */
export function displayUrl(url: string): string {
  return url.replace(/^https?:\/\//, '').replace(/\/$/, '');
}
