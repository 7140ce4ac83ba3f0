import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml } from '@bernstein/common';
import { PollPage } from '../../src/views/poll-page.js';

const poll = {
  id: 'p',
  question: 'Q & "A"?',
  options: [
    { id: 'x', label: '<img src=x onerror=alert(1)>' },
    { id: 'y', label: "It's fine" },
  ],
};

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and attributes', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('PollPage', () => {
  const page = new PollPage(poll, { formAction: '/polls/p', resultUrl: 'https://r.example/?a=1&b="2"' });

  it('escapes the question, labels and results URL', () => {
    const html = page.page(undefined, false).toString();
    assert.match(html, /<h1 id="question">Q &amp; &quot;A&quot;\?<\/h1>/);
    assert.match(html, /<span>&lt;img src=x onerror=alert\(1\)&gt;<\/span>/);
    assert.match(html, /<span>It&#39;s fine<\/span>/);
    assert.match(html, /<a href="https:\/\/r\.example\/\?a=1&amp;b=&quot;2&quot;">/);
    assert.doesNotMatch(html, /<img/);
  });

  it('marks exactly the chosen option, and thanks only when confirmed', () => {
    const chosen = page.page(1, false).toString();
    assert.equal(chosen.match(/aria-current="true"/g)?.length, 1);
    assert.match(chosen, /value="y" aria-current="true"/);
    assert.doesNotMatch(chosen, /role="status"/);
    const confirmed = page.page(1, true).toString();
    assert.match(confirmed, /role="status" id="confirmation" tabindex="-1" autofocus>Thanks! Your vote for <strong>It&#39;s fine<\/strong>/);
    assert.equal(page.page(undefined, false).toString().includes('aria-current="true"'), false);
  });

  it('renders each variant once and hands out the same buffer', () => {
    assert.equal(page.page(0, true), page.page(0, true));
    assert.equal(page.page(undefined, false), page.page(undefined, false));
  });

  it('escapes error notices', () => {
    const html = page.withError('no option "<b>"', 0);
    assert.match(html, /role="alert" tabindex="-1" autofocus>no option &quot;&lt;b&gt;&quot;<\/p>/);
    assert.match(html, /value="x" aria-current="true"/);
  });

  it('omits the results link when no URL is configured', () => {
    const plain = new PollPage(poll, { formAction: '/', resultUrl: undefined });
    assert.doesNotMatch(plain.page(undefined, false).toString(), /<a /);
  });
});
