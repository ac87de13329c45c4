// The client against a real local HTTP server (no fetch stubs): auth header, encoding, errors.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { ApiError, allMatches, createClient, normaliseServerUrl, paperPath } from '../../src/lib/api.js';
import { checkConnection } from '../../src/options/connection-check.js';

let server;
let base;
const seen = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      const json = (status, value) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const url = new URL(req.url, 'http://x');
      if (url.pathname.startsWith('/slow/')) return undefined; // never answers
      if (url.pathname.startsWith('/notjson/')) {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        return res.end('<html>');
      }
      if (url.pathname === '/api/health') return json(200, { status: 'ok', version: '9.9', configured: { zotero: true }, last_fetch: null });
      if (req.headers.authorization !== 'Bearer good') return json(401, { error: { code: 'unauthorized', message: 'missing or wrong token', details: null } });
      if (url.pathname === '/api/papers') {
        const offset = Number(url.searchParams.get('offset'));
        const limit = Number(url.searchParams.get('limit'));
        const items = Array.from({ length: 5 }, (_, i) => ({ paper: { id: `2509.0000${i}` }, rank: i + 1 })).slice(offset, offset + limit);
        return json(200, { date: '2025-09-24', announcement: 'ok', total: 5, limit, offset, items });
      }
      if (url.pathname === '/api/papers/hep-th%2F9901001') return json(200, { paper: { id: 'hep-th/9901001' } });
      if (url.pathname.endsWith('/save')) return json(200, { status: 'saved', item_key: 'ABCD2345', message: '', echo: JSON.parse(body) });
      if (url.pathname.endsWith('/bibtex')) {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return res.end('@misc{x,}');
      }
      return json(404, { error: { code: 'not_found', message: 'unknown paper 2509.99999', details: { id: '2509.99999' } } });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

test('normaliseServerUrl_canonicalises_user_input', () => {
  assert.equal(normaliseServerUrl('127.0.0.1:8765/'), 'http://127.0.0.1:8765');
  assert.equal(normaliseServerUrl(' http://localhost:9000/paperfeed/ '), 'http://localhost:9000/paperfeed');
  assert.equal(normaliseServerUrl(''), 'http://127.0.0.1:8765');
  assert.throws(() => normaliseServerUrl('ftp://x'), ApiError);
  assert.throws(() => normaliseServerUrl('http://'), ApiError);
});

test('paperPath_percent_encodes_old_style_ids', () => {
  assert.equal(paperPath('hep-th/9901001'), '/api/papers/hep-th%2F9901001');
});

test('client_sends_bearer_token_and_reads_json', async () => {
  const client = createClient({ serverUrl: base, token: 'good' });
  const detail = await client.paper('hep-th/9901001');
  assert.equal(detail.paper.id, 'hep-th/9901001');
  assert.equal(seen.at(-1).auth, 'Bearer good');
});

test('client_save_posts_tags_and_collection', async () => {
  const client = createClient({ serverUrl: base, token: 'good' });
  const result = await client.save('2509.00001', { tags: ['a', 'b'], collection: 'COLL1234' });
  assert.equal(result.status, 'saved');
  assert.deepEqual(result.echo, { tags: ['a', 'b'], collection: 'COLL1234', note: null });
  assert.equal(seen.at(-1).method, 'POST');
});

test('client_save_no_collection_is_explicit_null_and_the_suggestion_is_left_out', async () => {
  const client = createClient({ serverUrl: base, token: 'good' });
  const none = await client.save('2509.00001', { tags: [], collection: null });
  assert.deepEqual(none.echo, { tags: [], collection: null, note: null });
  const suggested = await client.save('2509.00001', { tags: [] });
  assert.deepEqual(suggested.echo, { tags: [], note: null });
});

test('client_reads_bibtex_as_text', async () => {
  assert.equal(await createClient({ serverUrl: base, token: 'good' }).bibtex('2509.00001'), '@misc{x,}');
});

test('client_maps_401_to_unauthorized', async () => {
  await assert.rejects(createClient({ serverUrl: base, token: 'bad' }).papers(),
    (error) => error.kind === 'unauthorized' && error.status === 401 && error.message === 'missing or wrong token');
});

test('client_maps_404_with_the_server_message', async () => {
  await assert.rejects(createClient({ serverUrl: base, token: 'good' }).paper('2509.99999'),
    (error) => error.kind === 'not_found' && error.code === 'not_found' && error.details.id === '2509.99999');
});

test('client_without_token_refuses_before_any_request', async () => {
  const before = seen.length;
  await assert.rejects(createClient({ serverUrl: base, token: '' }).papers(), (error) => error.kind === 'not_configured');
  assert.equal(seen.length, before);
});

test('client_reports_a_closed_port_as_unreachable', async () => {
  const closed = createServer();
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = closed.address().port;
  await new Promise((resolve) => closed.close(resolve));
  await assert.rejects(createClient({ serverUrl: `http://127.0.0.1:${port}`, token: 'good' }).papers(),
    (error) => error.kind === 'unreachable' && error.message.includes(`127.0.0.1:${port}`));
});

test('client_times_out_as_unreachable', async () => {
  const slow = createClient({ serverUrl: `${base}/slow`, token: 'good', timeoutMs: 200 });
  await assert.rejects(slow.health(), (error) => error.kind === 'unreachable' && error.code === 'timeout' && /did not answer within 0\.2 s/.test(error.message));
});

test('client_flags_non_json_answers', async () => {
  const other = createClient({ serverUrl: `${base}/notjson`, token: 'good' });
  await assert.rejects(other.health(), (error) => error.kind === 'bad_response');
});

test('allMatches_follows_pages', async () => {
  const result = await allMatches(createClient({ serverUrl: base, token: 'good' }), {}, { pageSize: 2 });
  assert.deepEqual(result.items.map((m) => m.paper.id), ['2509.00000', '2509.00001', '2509.00002', '2509.00003', '2509.00004']);
  assert.equal(result.total, 5);
});

test('checkConnection_reports_success_with_server_facts', async () => {
  const { ok, lines } = await checkConnection({ serverUrl: base, token: 'good' });
  assert.ok(ok);
  assert.match(lines.join('\n'), /Connected to paperfeed 9\.9/);
  assert.match(lines.join('\n'), /Token accepted/);
  assert.match(lines.join('\n'), /Zotero: connected/);
});

test('checkConnection_reports_a_refused_token_without_echoing_it', async () => {
  const { ok, lines } = await checkConnection({ serverUrl: base, token: 'sekrit-token' });
  assert.ok(!ok);
  assert.match(lines.join('\n'), /refused the token/);
  assert.doesNotMatch(lines.join('\n'), /sekrit/);
});

test('checkConnection_tells_how_to_start_a_stopped_server', async () => {
  const closed = createServer();
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = closed.address().port;
  await new Promise((resolve) => closed.close(resolve));
  const { ok, lines } = await checkConnection({ serverUrl: `127.0.0.1:${port}`, token: 'good' });
  assert.ok(!ok);
  const text = lines.map((line) => (typeof line === 'object' ? line.command : line)).join('\n');
  assert.match(text, /paperfeed serve/);
});
