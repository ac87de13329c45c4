import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyUrl, listingFromUrl, paperFromHref, paperFromUrl, parseArxivId } from '../../src/lib/ids.js';

const PAPER_URLS = [
  ['https://arxiv.org/abs/2501.01234', '2501.01234', null],
  ['https://arxiv.org/abs/2501.01234v3', '2501.01234', 3],
  ['http://www.arxiv.org/abs/2501.01234v2?context=cs', '2501.01234', 2],
  ['https://export.arxiv.org/abs/2501.01234#comments', '2501.01234', null],
  ['https://arxiv.org/pdf/2501.01234', '2501.01234', null],
  ['https://arxiv.org/pdf/2501.01234v2', '2501.01234', 2],
  ['https://arxiv.org/pdf/2501.01234v2.pdf', '2501.01234', 2],
  ['https://arxiv.org/html/2501.01234v1', '2501.01234', 1],
  ['https://arxiv.org/html/2501.01234v1/', '2501.01234', 1],
  ['https://arxiv.org/abs/0704.0001', '0704.0001', null],
  ['https://arxiv.org/abs/hep-th/9901001v2', 'hep-th/9901001', 2],
  ['https://arxiv.org/abs/math.CA/0611800', 'math/0611800', null],
  ['https://arxiv.org/pdf/cond-mat/0102536v1', 'cond-mat/0102536', 1],
  ['https://arxiv.org/format/2501.01234', '2501.01234', null],
];

for (const [url, id, version] of PAPER_URLS) {
  test(`paperFromUrl_parses_${url}`, () => {
    assert.deepEqual(paperFromUrl(url), { id, version });
  });
}

const NOT_PAPERS = [
  'https://arxiv.org/', 'https://arxiv.org/list/cs.DC/new', 'https://example.org/abs/2501.01234',
  'https://arxiv.org.evil.com/abs/2501.01234', 'https://arxiv.org/abs/2513.01234', 'https://arxiv.org/abs/1412.01234',
  'https://arxiv.org/abs/2501.0123', 'https://arxiv.org/abs/<script>', 'not a url', '', 'file:///abs/2501.01234',
  'javascript:alert(1)//arxiv.org/abs/2501.01234',
];
for (const url of NOT_PAPERS) {
  test(`paperFromUrl_rejects_${JSON.stringify(url)}`, () => {
    assert.equal(paperFromUrl(url), null);
  });
}

test('parseArxivId_accepts_bare_and_prefixed_forms', () => {
  assert.deepEqual(parseArxivId('2501.01234v2'), { id: '2501.01234', version: 2 });
  assert.deepEqual(parseArxivId(' arXiv:2501.01234 '), { id: '2501.01234', version: null });
  assert.deepEqual(parseArxivId('hep-th/9901001'), { id: 'hep-th/9901001', version: null });
  assert.equal(parseArxivId('2501.1234'), null);
  assert.equal(parseArxivId(42), null);
});

test('listingFromUrl_reads_archive_and_period', () => {
  assert.deepEqual(listingFromUrl('https://arxiv.org/list/cs.DC/new'), { archive: 'cs.DC', period: 'new' });
  assert.deepEqual(listingFromUrl('https://arxiv.org/list/hep-th/recent'), { archive: 'hep-th', period: 'recent' });
  assert.deepEqual(listingFromUrl('https://arxiv.org/list/cs/2025-09'), { archive: 'cs', period: '2025-09' });
  assert.equal(listingFromUrl('https://arxiv.org/abs/2501.01234'), null);
});

test('classifyUrl_tells_pages_apart', () => {
  assert.equal(classifyUrl('https://arxiv.org/pdf/2501.01234v1').kind, 'paper');
  assert.equal(classifyUrl('https://arxiv.org/list/cs.DC/new').kind, 'listing');
  assert.equal(classifyUrl('https://arxiv.org/search/?query=x').kind, 'arxiv');
  assert.equal(classifyUrl('https://news.ycombinator.com/').kind, 'other');
  assert.equal(classifyUrl('').kind, 'other');
});

test('paperFromHref_resolves_relative_links', () => {
  assert.deepEqual(paperFromHref('/abs/2509.18001'), { id: '2509.18001', version: null });
  assert.deepEqual(paperFromHref('https://arxiv.org/abs/2509.18001v2'), { id: '2509.18001', version: 2 });
  assert.equal(paperFromHref('/pdf/'), null);
});
