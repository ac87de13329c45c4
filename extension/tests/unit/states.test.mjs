import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../src/lib/api.js';
import { formatDay } from '../../src/lib/format.js';
import { listBanner, listState } from '../../src/lib/states.js';

const SET = { token: 't' };
const MATCH = { paper: { id: '2509.1' }, score: 0.5, status: 'new' };
const CASES = [
  ['no token', { token: '' }, null, null, 'not_configured'],
  ['client says not configured', SET, null, new ApiError('not_configured', 'x'), 'not_configured'],
  ['server down', SET, null, new ApiError('unreachable', 'Cannot reach'), 'unreachable'],
  ['token refused', SET, null, new ApiError('unauthorized', 'bad token', { status: 401 }), 'unauthorized'],
  ['server error', SET, null, new ApiError('http', 'boom', { status: 500 }), 'error'],
  ['weekend', SET, { date: '2025-09-27', announcement: 'no_announcement', total: 0, items: [] }, null, 'no_announcement'],
  ['not fetched', SET, { date: '2025-09-24', announcement: 'not_fetched', total: 0, items: [] }, null, 'not_fetched'],
  ['arXiv down', SET, { date: '2025-09-24', announcement: 'unreachable', message: 'timeout', total: 0, items: [] }, null, 'arxiv_unreachable'],
  ['fetch error', SET, { announcement: 'error', total: 0, items: [] }, null, 'error'],
  ['nothing matched', SET, { date: '2025-09-24', announcement: 'ok', total: 0, items: [] }, null, 'nothing_matched'],
  ['matches', SET, { date: '2025-09-24', announcement: 'ok', total: 1, items: [MATCH] }, null, 'list'],
  ['stale matches on a weekend still show', SET, { announcement: 'no_announcement', total: 1, items: [MATCH] }, null, 'list'],
];
for (const [name, settings, response, error, kind] of CASES) {
  test(`listState_${name.replaceAll(' ', '_')}`, () => {
    const state = listState(settings, response, error);
    assert.equal(state.kind, kind);
    if (kind !== 'list') assert.ok(state.title && state.detail, 'an empty state explains itself');
  });
}

test('listState_unreachable_tells_how_to_start_the_server', () => {
  const state = listState(SET, null, new ApiError('unreachable', 'Cannot reach the paperfeed server at http://127.0.0.1:8765'));
  assert.equal(state.command, 'paperfeed serve');
  assert.match(state.detail, /127\.0\.0\.1:8765/);
});

test('listState_nothing_matched_gives_a_hint', () => {
  const state = listState(SET, { announcement: 'ok', total: 0, items: [] }, null);
  assert.equal(state.detail, 'No paper announced that day made your list.');
  assert.match(state.hint, /ranking\.threshold/);
});

test('listState_nothing_matched_says_the_servers_reason_with_the_day_as_in_the_title', () => {
  const state = listState(SET, { date: '2025-09-24', announcement: 'ok', total: 0, items: [],
    message: 'none of the 120 papers announced on 2025-09-24 made your list (left out: 118 below threshold, 2 in library)' }, null);
  assert.equal(state.title, `Nothing matched on ${formatDay('2025-09-24')}`);
  assert.equal(state.detail, `None of the 120 papers announced on ${formatDay('2025-09-24')} made your list (left out: 118 below threshold, 2 in library).`);
  assert.match(state.hint, /^To see more: .*arxiv\.categories.*ranking\.threshold/);
});

const BANNERS = [
  ['today ok', { announcement: 'ok', message: '3 matching papers', items: [MATCH] }, null],
  ['empty list has a state instead', { announcement: 'no_announcement', message: 'x', items: [] }, null],
  ['weekend, server message', { announcement: 'no_announcement', message: 'no arXiv announcement on 2025-09-27 (weekend or holiday); showing the matches of 2025-09-26', items: [MATCH] },
    'No arXiv announcement on 2025-09-27 (weekend or holiday); showing the matches of 2025-09-26.'],
  ['arXiv down, no message', { announcement: 'unreachable', message: '', items: [MATCH] },
    'arXiv could not be reached at the last fetch: showing the last good day.'],
  ['message already punctuated', { announcement: 'error', message: 'the last fetch failed!', items: [MATCH] }, 'The last fetch failed!'],
];
for (const [name, response, expected] of BANNERS) {
  test(`listBanner_${name.replaceAll(' ', '_')}`, () => assert.equal(listBanner(response), expected));
}

test('guidance_is_true_for_each_state', async () => {
  const { TOKEN_COMMAND, ZOTERO_SETUP } = await import('../../src/lib/states.js');
  const notConfigured = listState({ token: '' }, null, null);
  const badToken = listState(SET, null, new ApiError('unauthorized', 'missing or wrong token', { status: 401 }));
  for (const state of [notConfigured, badToken]) {
    const all = [state.title, state.detail, state.hint, state.command].filter(Boolean).join(' ');
    assert.ok(!all.includes('`'), `no literal backticks: ${all}`);
    assert.ok(!/init \(with|with your Zotero key|printed by paperfeed init/.test(all), all);
    assert.equal(state.command, TOKEN_COMMAND);
    assert.equal(state.action, 'options');
  }
  assert.equal(TOKEN_COMMAND, 'paperfeed config show --reveal-token');
  assert.match(ZOTERO_SETUP, /zotero\.library_id/);
  assert.match(ZOTERO_SETUP, /PAPERFEED_ZOTERO_API_KEY/);
  const nothing = listState(SET, { announcement: 'ok', total: 0, items: [] }, null);
  assert.ok(!/config set/.test(nothing.detail), 'there is no paperfeed config set command');
  const notFetched = listState(SET, { date: '2025-09-24', announcement: 'not_fetched', message: '', total: 0, items: [] }, null);
  assert.equal(notFetched.command, 'paperfeed daily');
  assert.ok(!notFetched.detail.includes('paperfeed daily'));
});

test('server_messages_lose_their_backticks_and_say_the_command_once', () => {
  const state = listState(SET, { date: null, announcement: 'not_fetched', total: 0, items: [],
    message: 'nothing fetched and ranked yet: run `paperfeed daily` or start a sync' }, null);
  const all = [state.title, state.detail, state.command].filter(Boolean).join(' ');
  assert.ok(!all.includes('`'), all);
  assert.equal(all.match(/paperfeed daily/g).length, 1, all);
  assert.equal(listBanner({ announcement: 'error', message: 'run `paperfeed daily` again', items: [MATCH] }), 'Run paperfeed daily again.');
});
