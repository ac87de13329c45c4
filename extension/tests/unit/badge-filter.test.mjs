import assert from 'node:assert/strict';
import { test } from 'node:test';
import { badgeText, markSeen, unseenCount } from '../../src/lib/badge.js';
import { filterMatches, matchesFilter } from '../../src/lib/filter.js';
import { collectionLabels } from '../../src/popup/collection-picker.js';

const m = (id, status = 'new', extra = {}) => ({ paper: { id, title: `Paper ${id}`, authors: ['Ada Lovelace'], ...extra }, status, tags: [], reason: '' });

test('unseenCount_counts_new_unseen_only', () => {
  const items = [m('a'), m('b'), m('c', 'saved'), m('d', 'dismissed'), m('e', 'in_library')];
  assert.equal(unseenCount(items, []), 2);
  assert.equal(unseenCount(items, ['a']), 1);
  assert.equal(unseenCount(items, null), 2);
  assert.equal(unseenCount(null, []), 0);
});

const BADGES = [[0, ''], [-1, ''], [1, '1'], [99, '99'], [100, '99+'], [1.5, '']];
for (const [count, text] of BADGES) test(`badgeText_${count}`, () => assert.equal(badgeText(count), text));

test('markSeen_resets_on_a_new_day_and_dedupes', () => {
  const first = markSeen(null, '2025-09-24', ['a', 'b']);
  assert.deepEqual(markSeen(first, '2025-09-24', ['b', 'c']), { date: '2025-09-24', ids: ['a', 'b', 'c'] });
  assert.deepEqual(markSeen(first, '2025-09-25', ['z']), { date: '2025-09-25', ids: ['z'] });
});

test('matchesFilter_needs_every_word_anywhere', () => {
  const match = { ...m('2509.1', 'new', { abstract: 'We study GPU kernels.', categories: ['cs.DC'] }), tags: ['compilers'], reason: 'like your library' };
  assert.ok(matchesFilter(match, ''));
  assert.ok(matchesFilter(match, 'gpu LOVELACE'));
  assert.ok(matchesFilter(match, 'compilers cs.dc'));
  assert.ok(!matchesFilter(match, 'gpu quantum'));
  assert.deepEqual(filterMatches([match, m('x')], 'kernels').map((x) => x.paper.id), ['2509.1']);
});

test('collectionLabels_shows_parent_paths_sorted_and_survives_cycles', () => {
  const labels = collectionLabels([
    { key: 'A', name: 'ML', parent: null }, { key: 'B', name: 'Read', parent: 'A' }, { key: 'C', name: 'Read', parent: null },
    { key: 'L', name: 'Loop', parent: 'L' },
  ]);
  assert.deepEqual(labels.map((l) => l.label), ['Loop / Loop / Loop / Loop / Loop / Loop / Loop / Loop / Loop', 'ML', 'ML / Read', 'Read']);
});
