/**
 * A small HTTP proxy on 127.0.0.1 in front of anvil that injects faults, one decision per
 * HTTP request: HTTP 429 (with Retry-After: 0), HTTP 500, a connection reset, a body cut
 * short (the connection closes mid-body), or a body that is not JSON. It can also hide the
 * debug namespace (debug_* answered with "method not found", like a node that does not
 * enable it), hold requests back (a slow node) and run a hook on the n-th request (to kill
 * the node mid-fetch).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export type Fault = 'ok' | '429' | '500' | 'reset' | 'truncate' | 'garbage';

export interface FaultProxyOptions {
  /** Decides the fault for request n (0-based). */
  plan?: (n: number) => Fault;
  /** Answer debug_* calls with -32601. */
  hideDebug?: boolean;
  /** Answer these methods with -32601 too (a node without eth_getBlockReceipts, eth_getProof, …). */
  hideMethods?: string[];
  /** Answer these methods with this JSON-RPC error (e.g. a pruned node's "missing trie node"). */
  errors?: Record<string, { code: number; message: string }>;
  /** Called before forwarding request n. */
  onRequest?: (n: number) => void | Promise<void>;
  /** Holds request n (with this JSON-RPC body) this long before forwarding it: a slow node. */
  delayMs?: (n: number, body: string) => number;
}

export interface FaultProxy {
  url: string;
  /** Requests received (including faulted ones). */
  count(): number;
  /** Faults injected, by kind. */
  injected: Record<string, number>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => (body += String(chunk)));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function hideCalls(body: string, hidden: (method: string) => boolean, errors: FaultProxyOptions['errors'] = {}): { answer?: string; forward?: string } {
  const parsed = JSON.parse(body) as { id: number; method: string } | Array<{ id: number; method: string }>;
  const missing = (call: { id: number; method: string }) => ({
    jsonrpc: '2.0',
    id: call.id,
    error: errors[call.method] ?? { code: -32601, message: `the method ${call.method} does not exist/is not available` },
  });
  if (!Array.isArray(parsed)) return hidden(parsed.method) ? { answer: JSON.stringify(missing(parsed)) } : { forward: body };
  if (!parsed.some((c) => hidden(c.method))) return { forward: body };
  if (parsed.every((c) => hidden(c.method))) return { answer: JSON.stringify(parsed.map(missing)) };
  return { forward: body }; // mixed batches do not occur in stm's fetch
}

export async function startFaultProxy(target: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  let n = 0;
  const injected: Record<string, number> = {};
  const server: Server = createServer(async (req, res) => {
    const index = n++;
    const body = await readBody(req);
    const fault = options.plan?.(index) ?? 'ok';
    if (fault !== 'ok') injected[fault] = (injected[fault] ?? 0) + 1;
    if (fault === '429') {
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '0' });
      res.end('rate limited');
      return;
    }
    if (fault === '500') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
      return;
    }
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    await options.onRequest?.(index);
    const delay = options.delayMs?.(index, body) ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (req.socket.destroyed) return;
    let forward = body;
    if (options.hideDebug === true || options.hideMethods !== undefined || options.errors !== undefined) {
      const hidden = (method: string) =>
        (options.hideDebug === true && method.startsWith('debug_')) || (options.hideMethods ?? []).includes(method) || options.errors?.[method] !== undefined;
      const decided = hideCalls(body, hidden, options.errors);
      if (decided.answer !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(decided.answer);
        return;
      }
      forward = decided.forward!;
    }
    let text: string;
    try {
      const upstream = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: forward });
      text = await upstream.text();
    } catch {
      // The node is gone: the client sees a reset.
      req.socket.destroy();
      return;
    }
    if (fault === 'truncate') {
      const bytes = Buffer.from(text);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
      res.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))));
      setTimeout(() => req.socket.destroy(), 5);
      return;
    }
    if (fault === 'garbage') {
      const cut = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(cut);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => n,
    injected,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
