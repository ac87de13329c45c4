import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addTags, cleanText, formatAuthors, formatDay, formatScore, plural, saveStatusText, uniqueTags } from '../../src/lib/format.js';

const AUTHORS = [
  [[], 'Unknown authors'],
  [null, 'Unknown authors'],
  [['Ada Lovelace'], 'Ada Lovelace'],
  [['A', 'B', 'C'], 'A, B, C'],
  [['A', 'B', 'C', 'D'], 'A, B, C et al. (4 authors)'],
  [['A', ' ', 42, 'B'], 'A, B'],
];
for (const [input, expected] of AUTHORS) {
  test(`formatAuthors_${JSON.stringify(input)}`, () => assert.equal(formatAuthors(input), expected));
}

const SCORES = [[0.873, '87'], [1, '100'], [0, '0'], [2.5, '2.50'], [-0.25, '-0.25'], [NaN, '–'], [undefined, '–'], ['0.5', '–']];
for (const [input, expected] of SCORES) {
  test(`formatScore_${String(input)}`, () => assert.equal(formatScore(input), expected));
}

test('formatDay_has_no_timezone_shift', () => {
  assert.match(formatDay('2025-09-24'), /^Wed,? 24 Sept? 2025$/);
  assert.match(formatDay('2025-01-01'), /^Wed,? 1 Jan 2025$/);
  assert.equal(formatDay('not a date'), 'not a date');
  assert.equal(formatDay(undefined), '');
});

test('cleanText_collapses_whitespace_and_keeps_markup_characters', () => {
  assert.equal(cleanText('  a\n  b <i>&amp;</i> $x<y$ '), 'a b <i>&amp;</i> $x<y$');
  assert.equal(cleanText(null), '');
});

test('plural_counts', () => {
  assert.equal(plural(1, 'paper'), '1 paper');
  assert.equal(plural(3, 'paper'), '3 papers');
});

test('uniqueTags_keeps_suggested_tags_whole', () => {
  // A suggested Zotero tag with a comma is one tag (the chips used to split it into two).
  assert.deepEqual(uniqueTags(['Smith, J.', 'ml', ' ML ', '', 'GPU  kernels']), ['Smith, J.', 'ml', 'GPU kernels']);
  assert.deepEqual(uniqueTags(null), []);
});

test('addTags_splits_dedupes_and_trims', () => {
  assert.deepEqual(addTags(['ML'], 'ml, compilers ,  , GPU  kernels'), ['ML', 'compilers', 'GPU kernels']);
  assert.equal(addTags([], 'x'.repeat(300))[0].length, 255);
});

const SAVE = [
  [{ status: 'saved' }, 'Saved to Zotero'],
  [{ status: 'already_in_library' }, 'Already in your library'],
  [{ status: 'queued', message: 'Zotero answered 503' }, 'Queued, will retry: Zotero answered 503'],
  [{ status: 'failed', message: 'key lacks write access' }, 'Failed: key lacks write access'],
  [{ status: 'failed' }, 'Failed: unknown error'],
  [{ status: 'queued', message: 'queued: Zotero answered HTTP 503' }, 'Queued, will retry: Zotero answered HTTP 503'],
  [{ status: 'failed', message: 'Failed: bad item' }, 'Failed: bad item'],
  [{ status: 'weird' }, 'Unexpected answer from the server (weird)'],
];
for (const [index, [input, expected]] of SAVE.entries()) {
  test(`saveStatusText_${index}_${input.status}`, () => assert.equal(saveStatusText(input), expected));
}

test('formatWhen_says_today_and_yesterday_in_local_time', async () => {
  const { formatWhen } = await import('../../src/lib/format.js');
  const now = new Date('2026-11-30T18:00:00Z');
  const utc = { now, locale: 'en-GB', timeZone: 'UTC' };
  assert.equal(formatWhen('2026-11-30T14:45:38Z', utc), 'today 14:45');
  assert.equal(formatWhen('2026-11-29T09:10:00Z', utc), 'yesterday 09:10');
  assert.equal(formatWhen('2026-11-23T14:45:00Z', utc), 'Mon 23 Nov 14:45');
  assert.equal(formatWhen('2025-11-23T14:45:00Z', utc), 'Sun, 23 Nov 2025 14:45');
  // In Tokyo "now" is already 1 Dec 03:00: 14:45 UTC was yesterday evening there.
  assert.equal(formatWhen('2026-11-30T14:45:38Z', { now, locale: 'en-GB', timeZone: 'Asia/Tokyo' }), 'yesterday 23:45');
  assert.equal(formatWhen('2026-11-30T16:00:00Z', { now, locale: 'en-GB', timeZone: 'Asia/Tokyo' }), 'today 01:00');
  assert.equal(formatWhen('', utc), '');
  assert.equal(formatWhen('not a time', utc), 'not a time');
  assert.ok(!/Z$|T\d/.test(formatWhen('2026-11-30T14:45:38Z', { now })), 'never the raw UTC string');
});
