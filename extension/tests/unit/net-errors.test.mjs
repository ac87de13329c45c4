// Network failures told apart, against real sockets (no fetch stubs): refused, timeout,
// blocked ("unsafe") port, TLS, and the browser case where fetch says nothing but "Failed to fetch".
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { after, before, test } from 'node:test';
import { createClient } from '../../src/lib/api.js';
import { BAD_PORTS, classifyNetworkError, networkErrorAdvice, networkErrorText, portOf } from '../../src/lib/net-errors.js';
import { checkConnection } from '../../src/options/connection-check.js';
import { listState } from '../../src/lib/states.js';

let silent;
let silentPort;
let plain;
let plainPort;

before(async () => {
  // Accepts connections and never answers: a stuck server.
  silent = createTcpServer(() => {});
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = silent.address().port;
  // Plain http: an https:// URL pointed at it fails the TLS handshake.
  plain = createServer((req, res) => res.end('{}'));
  await new Promise((resolve) => plain.listen(0, '127.0.0.1', resolve));
  plainPort = plain.address().port;
});

after(() => {
  silent.close();
  plain.closeAllConnections();
  plain.close();
});

async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function failure(serverUrl, options = {}) {
  try {
    await createClient({ serverUrl, token: 't', ...options }).health();
  } catch (error) {
    return error;
  }
  throw new Error('the request did not fail');
}

test('net_refused_on_a_closed_port', async () => {
  const port = await closedPort();
  const error = await failure(`http://127.0.0.1:${port}`);
  assert.equal(error.kind, 'unreachable');
  assert.equal(error.code, 'refused');
  assert.equal(error.message, `Nothing answers at http://127.0.0.1:${port} (connection refused).`);
});

test('net_timeout_when_the_server_never_answers', async () => {
  const error = await failure(`http://127.0.0.1:${silentPort}`, { timeoutMs: 300 });
  assert.equal(error.code, 'timeout');
  assert.match(error.message, /did not answer within 0\.3 s/);
});

test('net_blocked_port_is_not_called_refused', async () => {
  // 6000 (X11) is on the Fetch standard's bad-port list: node's fetch refuses it like browsers do.
  const error = await failure('http://127.0.0.1:6000');
  assert.equal(error.code, 'blocked_port');
  assert.match(error.message, /blocks port 6000 as unsafe/);
  assert.ok(!/refused/.test(error.message));
});

test('net_tls_failure_against_a_plain_http_server', async () => {
  const error = await failure(`https://127.0.0.1:${plainPort}`);
  assert.equal(error.code, 'tls');
  assert.match(error.message, /TLS/);
});

test('net_browser_errors_without_a_cause', () => {
  const chrome = new TypeError('Failed to fetch');
  const firefox = new TypeError('NetworkError when attempting to fetch resource.');
  assert.equal(classifyNetworkError(chrome, { url: 'http://127.0.0.1:8765/api/health' }), 'refused');
  assert.equal(classifyNetworkError(firefox, { url: 'http://localhost:8765/api/health' }), 'refused');
  assert.equal(classifyNetworkError(chrome, { url: 'http://127.0.0.1:6666/api/health' }), 'blocked_port');
  assert.equal(classifyNetworkError(chrome, { url: 'https://paper.example:8443/x' }), 'network');
  assert.equal(classifyNetworkError(chrome, { url: 'http://paper.example/x', online: false }), 'offline');
  const aborted = Object.assign(new Error('aborted'), { name: 'AbortError' });
  assert.equal(classifyNetworkError(aborted, { url: 'http://127.0.0.1:8765/' }), 'timeout');
});

test('net_bad_ports_and_port_of', () => {
  for (const port of [1, 22, 25, 6000, 6665, 6669, 10080]) assert.ok(BAD_PORTS.has(port), port);
  for (const port of [80, 443, 8765, 8080, 3000]) assert.ok(!BAD_PORTS.has(port), port);
  assert.equal(portOf('http://127.0.0.1'), 80);
  assert.equal(portOf('https://x.example'), 443);
  assert.equal(portOf('http://127.0.0.1:8765/api'), 8765);
  assert.equal(portOf('not a url'), null);
});

test('net_each_reason_has_a_sentence_and_advice', () => {
  for (const reason of ['timeout', 'blocked_port', 'tls', 'refused', 'dns', 'offline', 'network']) {
    const text = networkErrorText(reason, { base: 'http://127.0.0.1:8765', timeoutMs: 15000 });
    assert.match(text, /127\.0\.0\.1:8765/, reason);
    assert.ok(!text.includes('`'), 'no literal backticks');
    const advice = networkErrorAdvice(reason);
    assert.ok(advice.hint && !advice.hint.includes('paperfeed serve') || !advice.command, `${reason}: the command is said once`);
    assert.ok(!advice.hint.includes('`'));
  }
});

test('net_server_down_state_says_paperfeed_serve_once', async () => {
  const port = await closedPort();
  const error = await failure(`http://127.0.0.1:${port}`);
  const state = listState({ token: 't' }, null, error);
  assert.equal(state.kind, 'unreachable');
  assert.equal(state.reason, 'refused');
  assert.equal(state.title, 'The paperfeed server is not running');
  const all = [state.title, state.detail, state.hint, state.command].join(' ');
  assert.equal(all.match(/paperfeed serve\b/g).length, 1, all);
});

test('net_blocked_port_state_points_to_the_options', async () => {
  const state = listState({ token: 't' }, null, await failure('http://127.0.0.1:6000'));
  assert.equal(state.reason, 'blocked_port');
  assert.equal(state.action, 'options');
  assert.match(state.title, /blocks this port/);
});

test('net_connection_check_tells_the_reason', async () => {
  const blocked = await checkConnection({ serverUrl: 'http://127.0.0.1:6000', token: 't' });
  assert.equal(blocked.ok, false);
  assert.equal(blocked.reason, 'blocked_port');
  assert.match(blocked.lines[0], /blocks port 6000/);
  const refused = await checkConnection({ serverUrl: `http://127.0.0.1:${await closedPort()}`, token: 't' });
  assert.equal(refused.reason, 'refused');
  assert.deepEqual(refused.lines.filter((line) => typeof line === 'object'), [{ command: 'paperfeed serve' }]);
  assert.ok(!refused.lines.some((line) => typeof line === 'string' && line.includes('paperfeed serve')));
});
