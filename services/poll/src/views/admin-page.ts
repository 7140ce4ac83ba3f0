/**
 * The admin page (server-rendered, no script): log in with the admin token, create a poll,
 * see every poll with its status, close, archive, and download access codes. The list of
 * polls and each poll's share panel (join URL and QR code) are public pages.
 */
import { escapeHtml, qrSvg, statusOf, type PollDefinition } from '@bernstein/common';
import { layout } from './layout.js';

const BRAND = '<p class="brand">Bernstein poll</p>\n';

export function loginPage(error?: string): string {
  const notice = error === undefined ? '' : `<p class="notice err" role="alert">${escapeHtml(error)}</p>\n`;
  return layout(
    'Admin · Bernstein poll',
    `${BRAND}<h1>Admin</h1>\n${notice}` +
      '<form method="post" action="/admin/login">\n<label for="token">Admin token</label>\n' +
      '<input id="token" name="token" type="password" autocomplete="current-password" required>\n' +
      '<button type="submit" class="small"><span>Log in</span></button>\n</form>\n' +
      '<p class="hint">The token is ADMIN_TOKEN; the local run prints where it keeps it.</p>',
  );
}

function statusText(poll: PollDefinition): string {
  const status = statusOf(poll);
  if (poll.archived) return 'archived';
  if (status === 'closed') return 'closed';
  return poll.closesAt === null ? 'open' : `open until ${poll.closesAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`;
}

function pollRow(poll: PollDefinition, pathOf: (poll: PollDefinition) => string): string {
  const id = escapeHtml(poll.id);
  const actions: string[] = [];
  if (poll.managedBy === 'configuration') actions.push('<span class="hint">managed by configuration</span>');
  else {
    if (statusOf(poll) === 'open')
      actions.push(`<form method="post" action="/admin/polls/${id}/close"><button type="submit" class="small"><span>Close</span></button></form>`);
    if (!poll.archived)
      actions.push(`<form method="post" action="/admin/polls/${id}/archive"><button type="submit" class="small"><span>Archive</span></button></form>`);
    if (poll.access === 'codes')
      actions.push(
        `<form method="post" action="/admin/polls/${id}/codes"><label for="count-${id}">Codes</label>` +
          `<input id="count-${id}" name="count" type="number" min="1" max="1000" value="30">` +
          '<button type="submit" class="small"><span>Download CSV</span></button></form>',
      );
  }
  return (
    `<tr><td><a href="${escapeHtml(pathOf(poll))}">${escapeHtml(poll.question)}</a><br><span class="hint">${id} · ${escapeHtml(poll.access)} · ` +
    `<a href="/polls/${id}/share">share</a></span></td><td>${escapeHtml(statusText(poll))}</td>` +
    `<td><div class="row">${actions.join('')}</div></td></tr>\n`
  );
}

export function adminPage(polls: readonly PollDefinition[], pathOf: (poll: PollDefinition) => string, notice?: { ok: boolean; text: string }): string {
  const message =
    notice === undefined ? '' : `<p class="notice ${notice.ok ? 'ok' : 'err'}" role="${notice.ok ? 'status' : 'alert'}">${escapeHtml(notice.text)}</p>\n`;
  return layout(
    'Admin · Bernstein poll',
    `${BRAND}<h1>Polls</h1>\n${message}` +
      `<table><thead><tr><th scope="col">Poll</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead><tbody>\n${polls
        .map((p) => pollRow(p, pathOf))
        .join('')}</tbody></table>\n` +
      '<h2 id="create">New poll</h2>\n<form method="post" action="/admin/polls" aria-labelledby="create">\n' +
      '<label for="question">Question</label>\n<input id="question" name="question" maxlength="300" required>\n' +
      '<label for="options">Answers, one per line (2 to 20)</label>\n<textarea id="options" name="options" rows="4" required></textarea>\n' +
      '<label for="closesAt">Closes at (UTC, optional)</label>\n<input id="closesAt" name="closesAt" type="datetime-local">\n' +
      '<label for="access">Who may vote</label>\n<select id="access" name="access"><option value="open">Anyone with the link</option>' +
      '<option value="codes">Only with a one-time access code</option></select>\n' +
      '<button type="submit" class="small"><span>Create poll</span></button>\n</form>\n' +
      '<form method="post" action="/admin/logout"><button type="submit" class="small"><span>Log out</span></button></form>',
  );
}

/** The share panel of one poll: its join URL as text and as a QR code. */
export function sharePage(poll: PollDefinition, joinUrl: string, resultUrl: string | undefined): string {
  const results = resultUrl === undefined ? '' : `\n<p class="hint"><a href="${escapeHtml(resultUrl)}">Results</a></p>`;
  return layout(
    `Share: ${poll.question} · Bernstein poll`,
    `${BRAND}<h1>${escapeHtml(poll.question)}</h1>\n` +
      `<p>Join at <a class="url" id="join-url" href="${escapeHtml(joinUrl)}">${escapeHtml(joinUrl)}</a></p>\n` +
      qrSvg(joinUrl, `QR code of ${joinUrl}`) +
      `\n<p class="hint">Status: ${escapeHtml(statusText(poll))}.</p>${results}`,
  );
}

/** The public list of polls (not archived): each with its voting page and share panel. */
export function pollListPage(polls: readonly PollDefinition[], pathOf: (poll: PollDefinition) => string): string {
  const items = polls
    .filter((p) => !p.archived)
    .map(
      (p) =>
        `<tr><td><a href="${escapeHtml(pathOf(p))}">${escapeHtml(p.question)}</a></td><td>${escapeHtml(statusText(p))}</td>` +
        `<td><a href="/polls/${escapeHtml(p.id)}/share">Share</a></td></tr>\n`,
    )
    .join('');
  return layout(
    'Polls · Bernstein poll',
    `${BRAND}<h1>Polls</h1>\n<table><thead><tr><th scope="col">Poll</th><th scope="col">Status</th><th scope="col">Share</th></tr></thead>` +
      `<tbody>\n${items}</tbody></table>`,
  );
}
