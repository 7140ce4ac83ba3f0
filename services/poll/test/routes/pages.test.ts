import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '@bernstein/common';
import { cookieHeader, FORM_HEADERS, JSON_HEADERS, setCookies, startHarness, type Harness } from '../helpers.js';

/** The submit buttons of a rendered page: [value, label HTML, is current]. */
function buttons(html: string): [string, string, boolean][] {
  const re = /<button type="submit" name="vote" value="([^"]*)"( aria-current="true")?><span>(.*?)<\/span>/g;
  return [...html.matchAll(re)].map((m) => [m[1] as string, m[3] as string, m[2] !== undefined]);
}

describe('poll pages', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('renders the default poll with one submit button per option, escaping HTML in labels', async () => {
    const res = await h.app.inject('/');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(res.headers['content-security-policy'] as string, /default-src 'none'; style-src 'sha256-/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.body, /<form method="post" action="\/"/);
    assert.deepEqual(buttons(res.body), [
      ['a', '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;', false],
      ['b', 'Dogs &amp; &quot;friends&quot;', false],
      ['c', 'Birds', false],
    ]);
    assert.match(res.body, /<h1 id="question">Which pet &lt;em&gt;wins&lt;\/em&gt;\?<\/h1>/);
    assert.doesNotMatch(res.body, /<script|<em>/, 'no markup from configuration reaches the page');
    assert.doesNotMatch(res.body, /live results/, 'no results link without RESULT_URL');
    assert.doesNotMatch(res.body, /role="status"/);
  });

  it('renders another poll at /polls/:poll, posting to its own address', async () => {
    const res = await h.app.inject('/polls/lunch');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<form method="post" action="\/polls\/lunch"/);
    assert.deepEqual(buttons(res.body), [
      ['pizza', 'Pizza', false],
      ['soup', 'Soup', false],
    ]);
  });

  it('answers an HTML 404 naming an unknown poll', async () => {
    const res = await h.app.inject('/polls/nope');
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(res.body, /no poll with id &quot;nope&quot;/);
  });

  it('answers an HTML 404 for unknown pages', async () => {
    const res = await h.app.inject('/nothing/here');
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /<h1>Page not found<\/h1>/);
    assert.doesNotMatch(res.body, /nothing here|GET/, 'words for voters, not the API message');
    assert.match(res.body, /<a href="\/">Go to the poll<\/a> · <a href="\/polls">See all polls<\/a>/, 'a way on');
  });

  it('votes through the form: 303 to /?voted=<id>, the entry appended, the choice shown after the redirect', async () => {
    const before = await h.streamLength();
    const res = await h.app.inject({ method: 'POST', url: '/', headers: FORM_HEADERS, payload: 'vote=b' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/?voted=b');
    assert.equal(await h.streamLength(), before + 1);
    const last = (await h.entries()).at(-1);
    assert.equal(last?.fields.poll, 'default');
    assert.equal(last?.fields.option, 'b');
    const cookies = setCookies(res.headers);
    const voter = cookies.get('bernstein_voter');
    const choice = cookies.get('bernstein_choice_default');
    assert.ok(voter && choice);
    assert.match(voter, /HttpOnly; SameSite=Lax/);

    const page = await h.app.inject({
      url: res.headers.location as string,
      headers: { cookie: `${cookieHeader(voter)}; ${cookieHeader(choice)}` },
    });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /role="status" id="confirmation" tabindex="-1" autofocus>Thanks! Your vote for <strong>Dogs &amp; &quot;friends&quot;<\/strong> has been recorded/);
    assert.deepEqual(
      buttons(page.body).map(([id, , current]) => [id, current]),
      [['a', false], ['b', true], ['c', false]],
    );
    assert.match(page.body, /✓ Your vote/);

    // Later visits still mark the remembered choice, without the thank-you notice.
    const later = await h.app.inject({ url: '/', headers: { cookie: cookieHeader(choice) } });
    assert.doesNotMatch(later.body, /role="status"/);
    assert.deepEqual(buttons(later.body).map(([, , current]) => current), [false, true, false]);
  });

  it('changes the vote when the same voter votes again through the form', async () => {
    const first = await h.app.inject({ method: 'POST', url: '/', headers: FORM_HEADERS, payload: 'vote=a' });
    const voter = setCookies(first.headers).get('bernstein_voter') as string;
    const second = await h.app.inject({ method: 'POST', url: '/', headers: { ...FORM_HEADERS, cookie: cookieHeader(voter) }, payload: 'vote=c' });
    assert.equal(second.statusCode, 303);
    assert.equal(second.headers.location, '/?voted=c');
    const [x, y] = (await h.entries()).slice(-2);
    assert.equal(x?.fields.voter, y?.fields.voter);
    assert.deepEqual([x?.fields.option, y?.fields.option], ['a', 'c']);
  });

  it('votes in another poll through its form', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/polls/lunch', headers: FORM_HEADERS, payload: 'vote=soup' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/polls/lunch?voted=soup');
    assert.ok(setCookies(res.headers).has('bernstein_choice_lunch'));
    const last = (await h.entries()).at(-1);
    assert.deepEqual([last?.fields.poll, last?.fields.option], ['lunch', 'soup']);
  });

  it('does not let a shared ?voted= link contradict the choice this browser remembers', async () => {
    const bare = await h.app.inject('/?voted=c');
    assert.match(bare.body, /Your vote for <strong>Birds<\/strong>/);
    const mismatch = await h.app.inject({ url: '/?voted=c', headers: { cookie: 'bernstein_choice_default=a' } });
    assert.doesNotMatch(mismatch.body, /role="status"/);
    assert.deepEqual(buttons(mismatch.body).map(([, , current]) => current), [true, false, false]);
    const unknown = await h.app.inject({ url: '/?voted=zzz', headers: { cookie: 'bernstein_choice_default=zzz' } });
    assert.equal(unknown.statusCode, 200);
    assert.deepEqual(buttons(unknown.body).map(([, , current]) => current), [false, false, false]);
  });

  const bad: { name: string; url?: string; headers?: Record<string, string>; payload: string; status: number; text: RegExp }[] = [
    { name: 'unknown option', payload: 'vote=zzz', status: 400, text: /no option &quot;zzz&quot;; valid options are: a, b, c/ },
    { name: 'missing vote field', payload: 'other=1', status: 400, text: /required property &#39;vote&#39;/ },
    { name: 'two vote fields', payload: 'vote=a&vote=b', status: 400, text: /vote must be string/ },
    { name: 'body over the limit', payload: `vote=${'a'.repeat(5000)}`, status: 413, text: /larger than the limit of 4096 bytes/ },
    { name: 'JSON on the form route', headers: JSON_HEADERS, payload: '{"vote":"a"}', status: 415, text: /expected application\/x-www-form-urlencoded/ },
    { name: 'unknown poll', url: '/polls/nope', payload: 'vote=a', status: 404, text: /no poll with id &quot;nope&quot;/ },
    { name: 'tampered voter cookie', headers: { ...FORM_HEADERS, cookie: 'bernstein_voter=AAAAAAAAAAAAAAAAAAAAAAAA.forged' }, payload: 'vote=a', status: 400, text: /voter cookie could not be verified/ },
  ];

  for (const t of bad) {
    it(`refuses a form with ${t.name} with an HTML ${t.status}, writing nothing`, async () => {
      const before = await h.streamLength();
      const res = await h.app.inject({ method: 'POST', url: t.url ?? '/', headers: t.headers ?? FORM_HEADERS, payload: t.payload });
      assert.equal(res.statusCode, t.status, res.body);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(res.body, /role="alert"/);
      assert.match(res.body, t.text);
      assert.equal(await h.streamLength(), before);
      if (t.status !== 404) assert.ok(buttons(res.body).length > 0, 'the form is shown again to retry');
      assert.equal(setCookies(res.headers).has('bernstein_voter'), false, 'the voter cookie is neither cleared nor replaced');
      if (/cookie/.test(t.name)) assert.match(res.body, /<form method="post" action="\/voter\/reset"><input type="hidden" name="return" value="\/">/, 'the page offers to start over');
    });
  }

  it('counts form rejections by code', async () => {
    const text = await h.metrics.metrics();
    assert.match(text, new RegExp(`bernstein_poll_votes_rejected_total\\{code="${ErrorCode.OPTION_UNKNOWN}",service="poll"\\} [1-9]`));
  });
});

describe('results link', () => {
  it('links each poll to its results page when RESULT_URL is set', async () => {
    const h = await startHarness({ RESULT_URL: 'https://results.example.org/board/' });
    try {
      const main = await h.app.inject('/');
      assert.match(main.body, /<a href="https:\/\/results\.example\.org\/board\/">See the live results<\/a>/);
      const lunch = await h.app.inject('/polls/lunch');
      assert.match(lunch.body, /<a href="https:\/\/results\.example\.org\/board\/polls\/lunch">/);
    } finally {
      await h.close();
    }
  });
});
