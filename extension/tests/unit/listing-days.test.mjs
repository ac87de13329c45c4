import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayFromHeading, listingDays, weekdaysOfMonth } from '../../src/lib/listing-days.js';

// The headings of the real saved page /list/astro-ph/pastweek?show=1000 (tests/fixtures).
const PASTWEEK = ['Fri, 22 Nov 2024 (showing 75 of 75 entries )', 'Thu, 21 Nov 2024 (showing 67 of 67 entries )',
  'Wed, 20 Nov 2024 (showing 94 of 94 entries )', 'Tue, 19 Nov 2024 (showing 101 of 101 entries )',
  'Mon, 18 Nov 2024 (showing 60 of 60 entries )', 'Fri, 22 Nov 2024'];

test('day_from_heading', () => {
  assert.equal(dayFromHeading('Fri, 22 Nov 2024 (showing 75 of 75 entries )'), '2024-11-22');
  assert.equal(dayFromHeading('Mon, 1 September 2025'), '2025-09-01');
  assert.equal(dayFromHeading('New submissions (showing 75 of 75 entries)'), null);
  assert.equal(dayFromHeading('Fri, 31 Nov 2024'), null);
});

test('listing_days_of_pastweek_and_recent_pages', () => {
  const days = ['2024-11-22', '2024-11-21', '2024-11-20', '2024-11-19', '2024-11-18'];
  assert.deepEqual(listingDays('https://arxiv.org/list/astro-ph/pastweek?show=1000', PASTWEEK), days);
  assert.deepEqual(listingDays('https://arxiv.org/list/astro-ph/recent', PASTWEEK.slice(0, 2)), days.slice(0, 2));
  assert.deepEqual(listingDays('https://arxiv.org/list/cs.CL/recent', []), [null]);
});

test('listing_days_of_new_pages_is_the_newest_day', () => {
  assert.deepEqual(listingDays('https://arxiv.org/list/cs.CL/new', PASTWEEK), [null]);
  assert.deepEqual(listingDays('https://example.org/list/cs.CL/pastweek', PASTWEEK), [null]);
});

test('listing_days_of_a_month_page_are_its_weekdays', () => {
  const days = listingDays('https://arxiv.org/list/astro-ph/2024-11', [], '2026-01-01');
  assert.equal(days.length, 21);
  assert.equal(days[0], '2024-11-29');
  assert.equal(days.at(-1), '2024-11-01');
  assert.ok(!days.includes('2024-11-23') && !days.includes('2024-11-24'), 'no weekend');
  assert.deepEqual(weekdaysOfMonth(2025, 9, '2025-09-03'), ['2025-09-01', '2025-09-02', '2025-09-03']);
  assert.deepEqual(listingDays('https://arxiv.org/list/astro-ph/2031-05', [], '2026-01-01'), [null]);
});
