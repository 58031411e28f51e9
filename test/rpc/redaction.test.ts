// Nothing derived from the RPC URL's credentials is ever printed, even when the node
// echoes it: a node whose error answers quote the request's Authorization header (the
// Basic-auth base64 viem builds from user:password@), its path and its query values —
// as an HTTP error body and as a JSON-RPC error message, with and without --verbose.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stm } from '../helpers/cliRunner.js';

const USER = 'alice';
const PASSWORD = 's3cret-Pa55';
const PATH_KEY = 'KEY0123456789abcdef';
const QUERY_VALUE = 'q9x7w5v3';
const SHORT_VALUE = 'zz9';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const SECRETS = [USER, PASSWORD, PATH_KEY, QUERY_VALUE, `token=${SHORT_VALUE}`, BASIC, BASIC.replace(/=+$/, '')];

let server: Server;
let port = 0;
const cache = mkdtempSync(join(tmpdir(), 'stm-redaction-test-'));

/** How the echoing node answers: an HTTP error whose body quotes the request, or a JSON-RPC error that does. */
let mode: 'http' | 'jsonrpc' = 'http';

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += String(chunk)));
    req.on('end', () => {
      const echo = `denied ${req.method} ${req.url} with Authorization: ${req.headers.authorization ?? '(none)'}`;
      if (mode === 'http') {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: echo }));
        return;
      }
      const calls = JSON.parse(body) as { id: number } | Array<{ id: number }>;
      const answer = (call: { id: number }) => ({ jsonrpc: '2.0', id: call.id, error: { code: -32000, message: echo } });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(Array.isArray(calls) ? calls.map(answer) : answer(calls)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(cache, { recursive: true, force: true });
});

function url(): string {
  return `http://${USER}:${PASSWORD}@127.0.0.1:${port}/v3/${PATH_KEY}?apikey=${QUERY_VALUE}&token=${SHORT_VALUE}`;
}

function assertNoSecret(output: string): void {
  for (const secret of SECRETS) assert.ok(!output.includes(secret), `"${secret}" must not appear in:\n${output}`);
}

for (const which of ['http', 'jsonrpc'] as const) {
  for (const verbose of [false, true]) {
    test(`a node echoing the Authorization header and URL in ${which === 'http' ? 'an HTTP error body' : 'a JSON-RPC error'}${verbose ? ' (--verbose)' : ''}: no credential is printed`, async () => {
      mode = which;
      const args = ['fetch', '--block', '1', '--rpc', url(), '--retries', '0', ...(verbose ? ['--verbose'] : [])];
      const result = await stm(args, { STM_CACHE_DIR: cache });
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /^stm: [^·].*http:\/\/127\.0\.0\.1:\d+/m);
      assert.match(result.stderr, /denied POST/, 'the node\'s text is shown, redacted');
      assertNoSecret(result.stdout + result.stderr);
      const replay = await stm(['replay', '--block', '1', '--chain-id', '31337', '--rpc', url(), ...(verbose ? ['--verbose'] : [])], { STM_CACHE_DIR: cache });
      assert.equal(replay.code, 3, replay.stderr);
      assertNoSecret(replay.stdout + replay.stderr);
    });
  }
}
