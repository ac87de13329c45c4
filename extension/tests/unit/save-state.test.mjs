// Queued saves settling by themselves: the popup's polling against a real local HTTP server that
// answers like paperfeed, with and without the ``save`` object (older servers).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { createClient } from '../../src/lib/api.js';
import { pollQueuedSave, saveStateFromAnswer, saveStateOf, savedWithText } from '../../src/lib/save-state.js';

const SAVED = { state: 'saved', item_key: 'ABCD2345', tags: ['paperfeed', 'llm', 'compression'],
  collection: { key: 'LLMSCLCT', name: 'LLMs' }, message: '', updated: '2026-11-30T14:45:38Z' };
const QUEUED = { state: 'queued', item_key: null, tags: ['llm'], collection: null, message: 'Zotero answered 503', updated: '2026-11-30T14:45:00Z' };
const calls = {};
let server;
let client;

// Per paper id: the sequence of detail answers (the last one repeats).
const SCRIPTS = {
  '2509.00001': [{ status: 'saved', in_library: false, save: QUEUED }, { status: 'saved', in_library: false, save: QUEUED },
    { status: 'saved', in_library: true, save: SAVED }],
  '2509.00002': [{ status: 'saved', in_library: false }, { status: 'saved', in_library: false }, { status: 'saved', in_library: true }],
  '2509.00003': [{ status: 'saved', in_library: false, save: QUEUED },
    { status: 'saved', in_library: false, save: { ...QUEUED, state: 'failed', message: 'Zotero refused the item: 400' } }],
  '2509.00004': [{ status: 'saved', in_library: false, save: QUEUED }],
  '2509.00005': [null, { status: 'saved', in_library: true, match: { status: 'saved', save: SAVED } }],
};

before(async () => {
  server = createServer((req, res) => {
    const id = decodeURIComponent(req.url.replace('/api/papers/', ''));
    calls[id] = (calls[id] ?? 0) + 1;
    const script = SCRIPTS[id];
    const answer = script?.[Math.min(calls[id], script.length) - 1];
    if (answer === null) { // a busy server: one 503 on the way
      res.writeHead(503, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ error: { code: 'busy', message: 'busy', details: null } }));
    }
    res.writeHead(answer ? 200 : 404, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(answer ? { paper: { id }, ...answer } : { error: { code: 'not_found', message: 'x', details: null } }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = createClient({ serverUrl: `http://127.0.0.1:${server.address().port}`, token: 't' });
});

after(() => {
  server.closeAllConnections();
  server.close();
});

const FAST = { intervalMs: 10, maxMs: 3000 };

test('poll_queued_save_turns_into_saved_with_its_tags_and_collection', async () => {
  const seen = [];
  const result = await pollQueuedSave(() => client.paper('2509.00001'), { ...FAST, onUpdate: (s) => seen.push(s.state) });
  assert.equal(result.state, 'saved');
  assert.equal(result.timedOut, false);
  assert.deepEqual(result.tags, ['paperfeed', 'llm', 'compression']);
  assert.deepEqual(result.collection, { key: 'LLMSCLCT', name: 'LLMs' });
  assert.deepEqual(seen, ['queued', 'queued', 'saved']);
  assert.equal(calls['2509.00001'], 3);
  assert.equal(savedWithText(result), 'In Zotero · tagged llm, compression · in LLMs');
});

test('poll_works_with_a_server_that_has_no_save_object', async () => {
  const result = await pollQueuedSave(() => client.paper('2509.00002'), FAST);
  assert.equal(result.state, 'saved');
  assert.equal(calls['2509.00002'], 3, 'status "saved" alone is not proof: waits for in_library');
});

test('poll_stops_on_a_real_failure', async () => {
  const result = await pollQueuedSave(() => client.paper('2509.00003'), FAST);
  assert.equal(result.state, 'failed');
  assert.match(result.message, /refused the item/);
});

test('poll_is_bounded_and_says_it_is_still_queued', async () => {
  const started = Date.now();
  const result = await pollQueuedSave(() => client.paper('2509.00004'), { intervalMs: 20, maxMs: 200 });
  assert.equal(result.state, 'queued');
  assert.equal(result.timedOut, true);
  assert.ok(Date.now() - started < 1500);
  assert.ok(calls['2509.00004'] >= 3 && calls['2509.00004'] <= 11, calls['2509.00004']);
});

test('poll_rides_over_a_failed_request_and_reads_the_match_save', async () => {
  const result = await pollQueuedSave(() => client.paper('2509.00005'), FAST);
  assert.equal(result.state, 'saved');
  assert.equal(result.collection.name, 'LLMs');
});

test('poll_can_be_cancelled', async () => {
  let cancelled = false;
  setTimeout(() => { cancelled = true; }, 50);
  const result = await pollQueuedSave(() => client.paper('2509.00004'), { intervalMs: 10, maxMs: 5000, isCancelled: () => cancelled });
  assert.equal(result.timedOut, true);
});

test('save_state_of_entries_old_and_new', () => {
  assert.equal(saveStateOf({ status: 'new' }).state, 'new');
  assert.equal(saveStateOf({ status: 'in_library' }).state, 'in_library');
  assert.equal(saveStateOf({ status: 'saved' }).state, 'saved');
  assert.equal(saveStateOf({ status: 'saved', save: QUEUED }).state, 'queued');
  assert.equal(saveStateOf({ status: 'saved', save: { ...QUEUED, state: 'failed' } }).state, 'failed');
  assert.equal(saveStateOf({ status: 'saved', in_library: true, save: QUEUED }).state, 'saved');
  assert.equal(saveStateOf({ status: 'saved', save: { state: 'bogus' } }).state, 'saved');
  assert.equal(saveStateOf({ status: 'new', save: null }).state, 'new');
  assert.deepEqual(saveStateOf({ match: { save: SAVED } }).collection, { key: 'LLMSCLCT', name: 'LLMs' });
});

test('save_state_from_answers_with_and_without_save', () => {
  const sent = { tags: ['x'], collection: { key: 'K', name: 'Reading list' } };
  // The current server: 202 {status: queued} without ``save``.
  const queued = saveStateFromAnswer({ status: 'queued', item_key: null, message: 'queued: Zotero answered 503' }, sent);
  assert.equal(queued.state, 'queued');
  assert.deepEqual(queued.tags, ['x']);
  const saved = saveStateFromAnswer({ status: 'saved', item_key: 'K2', message: '', save: SAVED }, sent);
  assert.equal(saved.state, 'saved');
  assert.equal(saved.collection.name, 'LLMs');
  assert.equal(saveStateFromAnswer({ status: 'already_in_library', item_key: 'K3' }).state, 'in_library');
  assert.equal(saveStateFromAnswer({ status: 'weird' }).state, 'failed');
  assert.equal(savedWithText({ tags: [], collection: null }), 'In Zotero');
});
