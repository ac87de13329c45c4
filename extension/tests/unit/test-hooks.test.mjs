// The ?url= hook is honoured only in a test copy that carries test-hooks.json (served here by a
// real local HTTP server standing in for the extension's own files).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { HOOKS_FILE, loadTestHooks, popupUrlOverride } from '../../src/lib/test-hooks.js';

let server;
let base;

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/test-copy/test-hooks.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end('{"popupUrl": true}');
    }
    if (req.url === '/broken/test-hooks.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end('[1, 2');
    }
    res.writeHead(404);
    return res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

test('hooks_on_only_in_a_test_copy', async () => {
  const testCopy = await loadTestHooks((path) => `${base}/test-copy/${path}`);
  assert.deepEqual(testCopy, { popupUrl: true });
  assert.equal(popupUrlOverride('?url=https%3A%2F%2Farxiv.org%2Fabs%2F2509.19228', testCopy), 'https://arxiv.org/abs/2509.19228');
  const installed = await loadTestHooks((path) => `${base}/installed/${path}`);
  assert.deepEqual(installed, {});
  assert.equal(popupUrlOverride('?url=https%3A%2F%2Farxiv.org%2Fabs%2F2509.19228', installed), null);
  assert.deepEqual(await loadTestHooks((path) => `${base}/broken/${path}`), {});
  assert.deepEqual(await loadTestHooks(() => 'http://127.0.0.1:1/x'), {});
  assert.equal(popupUrlOverride('', { popupUrl: true }), null);
  assert.equal(popupUrlOverride('?url=x', { popupUrl: 'yes' }), null);
});

test('the_source_tree_carries_no_hooks_file', () => {
  assert.equal(existsSync(new URL(`../../src/${HOOKS_FILE}`, import.meta.url)), false);
});
