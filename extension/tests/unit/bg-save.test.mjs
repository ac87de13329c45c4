// Saving from the background (shortcut, context menu, listing pages) against a real local HTTP
// server; only the browser's extension APIs (storage, toolbar) are stand-ins.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, beforeEach, test } from 'node:test';

let server;
let settings;
const saves = [];
const lookups = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      const json = (status, value) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const url = new URL(req.url, 'http://x');
      if (url.pathname === '/api/papers') {
        return json(200, { date: '2025-09-24', announcement: 'ok', total: 0, limit: 100, offset: 0, items: [] });
      }
      if (url.pathname.endsWith('/save')) {
        saves.push(JSON.parse(body));
        return json(200, { status: 'saved', item_key: 'ABCD2345', message: '' });
      }
      // The paper lookup fails (arXiv down): the save must not lose the suggested tags over it.
      lookups.push(url.pathname);
      return json(503, { error: { code: 'arxiv_unavailable', message: 'arXiv unreachable', details: {} } });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  settings = { serverUrl: `http://127.0.0.1:${server.address().port}`, token: 'good' };
  const noop = async () => {};
  globalThis.chrome = {
    storage: { local: { get: async (defaults) => ({ ...defaults, ...settings }), set: noop } },
    action: { setBadgeText: noop, setBadgeBackgroundColor: noop, setTitle: noop },
  };
});

beforeEach(() => {
  saves.length = 0;
  lookups.length = 0;
});

after(() => {
  server.closeAllConnections();
  server.close();
  delete globalThis.chrome;
});

test('savePaper_without_tags_lets_the_server_use_the_suggestions', async () => {
  const { savePaper } = await import('../../src/bg/save.js');
  const result = await savePaper('2509.00001');
  assert.equal(result.status, 'saved');
  assert.deepEqual(saves, [{ tags: null, note: null }]); // no collection key: the suggestion
});

test('savePaper_sends_the_tags_and_collection_it_is_given', async () => {
  const { savePaper } = await import('../../src/bg/save.js');
  await savePaper('2509.00001', { tags: ['ml'], collection: 'COLL0001' });
  await savePaper('2509.00002', { tags: [], collection: null });
  assert.deepEqual(saves, [
    { tags: ['ml'], collection: 'COLL0001', note: null },
    { tags: [], collection: null, note: null },
  ]);
  assert.deepEqual(lookups, []);
});
