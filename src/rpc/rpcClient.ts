/**
 * The JSON-RPC client every fetch goes through. viem's HTTP JSON-RPC client
 * (`getHttpRpcClient`) does the request itself: the JSON-RPC envelope, fetch, the
 * per-request timeout and body parsing. Around it, this module adds what a long fetch
 * from a public provider needs and viem's transport does not give in one place:
 *
 *   - batching: `batch()` sends many calls as JSON-RPC batches of `batchSize`; a node that
 *     answers a batch with anything but an array is remembered as not batching, and the
 *     calls go one by one from then on;
 *   - a concurrency limit: at most `concurrency` HTTP requests in flight, however many
 *     batches a caller starts at once (providers throttle bursts);
 *   - retries with exponential backoff and jitter on what is transient: HTTP 429 and 5xx,
 *     connection refused/reset, timeouts, a body cut short (truncated JSON), and
 *     per-call rate-limit errors inside a batch (codes 429, -32005, -32007). Retry-After
 *     is honoured up to the backoff cap. Anything else fails at once;
 *   - counting: HTTP requests (with retries), calls and retries, for the figures `stm
 *     fetch` prints;
 *   - redaction: the URL never leaves this module except as `endpoint` (scheme, host and
 *     port); errors carry messages rewritten by redactText and no viem error as a cause
 *     (viem's messages quote the URL);
 *   - interruption: an abort `signal` (Ctrl-C) goes to every fetch (combined with the
 *     per-request timeout) and cuts short every backoff and queue wait; whatever was in
 *     flight fails with the signal's reason (InterruptedError), never retried.
 */
import { getHttpRpcClient, type HttpRpcClient } from 'viem/utils';
import { InterruptedError } from '../errors.js';
import { MalformedResponseError, RpcRequestError, RpcUnreachableError } from './rpcErrors.js';
import { redactText, redactUrl } from './redact.js';

export interface RpcClientOptions {
  /** Per HTTP request, ms (default 30,000). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 5). */
  retries?: number;
  /** Backoff before the first retry, ms; doubles each time, with jitter, capped at 8 s (default 250). */
  retryBaseMs?: number;
  /** HTTP requests in flight at most (default 4). */
  concurrency?: number;
  /** Calls per JSON-RPC batch (default 50). */
  batchSize?: number;
  /** Replaces fetch (tests). */
  fetchFn?: typeof fetch;
  /** Aborts every request in flight and every wait (Ctrl-C); its reason is what they throw. */
  signal?: AbortSignal;
}

export interface RpcCall {
  method: string;
  params: unknown[];
}

/** One call's outcome inside a batch: its result, or the node's JSON-RPC error for it. */
export type RpcOutcome<T = unknown> = { ok: true; result: T } | { ok: false; code: number; message: string };

export interface RpcStats {
  /** HTTP requests sent, retries included. */
  httpRequests: number;
  /** JSON-RPC calls answered (a batch of 50 counts 50). */
  calls: number;
  /** HTTP requests (or calls) that were sent again after a transient failure. */
  retries: number;
}

/** Per-call error codes that mean "slow down", retried like HTTP 429. */
const RATE_LIMIT_CODES = new Set([429, -32005, -32007]);
const MAX_BACKOFF_MS = 8_000;

interface Envelope {
  jsonrpc?: string;
  id?: number | string | null;
  result?: unknown;
  error?: { code?: unknown; message?: unknown };
}

/** A failure of one HTTP attempt, classified. */
class AttemptFailure extends Error {
  constructor(
    message: string,
    readonly kind: 'network' | 'timeout' | 'http' | 'body',
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export class RpcClient {
  /** The endpoint as it may be shown (no path, query or credentials). */
  readonly endpoint: string;
  readonly stats: RpcStats = { httpRequests: 0, calls: 0, retries: 0 };
  private readonly http: HttpRpcClient;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly signal: AbortSignal | undefined;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private nextId = 1;
  /** False once the node answered a batch with something other than an array. */
  batching = true;

  constructor(
    private readonly url: string,
    options: RpcClientOptions = {},
  ) {
    this.endpoint = redactUrl(url);
    this.retries = options.retries ?? 5;
    this.retryBaseMs = options.retryBaseMs ?? 250;
    this.batchSize = Math.max(1, options.batchSize ?? 50);
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.signal = options.signal;
    this.http = getHttpRpcClient(url, {
      timeout: this.timeoutMs,
      // Traces of big blocks run to hundreds of MB; the caller's memory is the limit.
      maxResponseBodySize: false,
      ...(options.fetchFn === undefined ? {} : { fetchFn: options.fetchFn }),
    });
  }

  /** Throws the abort reason (InterruptedError) once the signal was aborted. */
  throwIfAborted(): void {
    if (this.signal?.aborted === true) throw abortReason(this.signal);
  }

  /** Rewrites any text that might quote the URL. */
  redact(text: string): string {
    return redactText(text, this.url);
  }

  /** One call; a JSON-RPC error answer is returned as an outcome, not thrown. */
  async tryCall<T>(method: string, params: unknown[]): Promise<RpcOutcome<T>> {
    const [outcome] = await this.batch<T>([{ method, params }]);
    return outcome!;
  }

  /** One call; a JSON-RPC error answer throws RpcRequestError. */
  async call<T>(method: string, params: unknown[]): Promise<T> {
    const outcome = await this.tryCall<T>(method, params);
    if (!outcome.ok) throw new RpcRequestError(`${method} failed at ${this.endpoint}: ${this.redact(outcome.message)} (code ${outcome.code})`);
    return outcome.result;
  }

  /**
   * Many calls, as few HTTP requests as the batch size allows (run concurrently up to the
   * limit). Outcomes come back in the order of `calls`.
   */
  async batch<T>(calls: RpcCall[]): Promise<Array<RpcOutcome<T>>> {
    const out = new Array<RpcOutcome<T>>(calls.length);
    const chunks: number[][] = [];
    for (let i = 0; i < calls.length; i += this.batchSize) {
      chunks.push(Array.from({ length: Math.min(this.batchSize, calls.length - i) }, (_, j) => i + j));
    }
    await Promise.all(
      chunks.map(async (indices) => {
        const outcomes = await this.sendWithRetry<T>(indices.map((i) => calls[i]!));
        indices.forEach((index, j) => (out[index] = outcomes[j]!));
      }),
    );
    return out;
  }

  /** Sends calls (one HTTP request, or one per call when the node does not batch), retrying what is transient. */
  private async sendWithRetry<T>(calls: RpcCall[]): Promise<Array<RpcOutcome<T>>> {
    const outcomes = new Array<RpcOutcome<T> | undefined>(calls.length);
    let pending = calls.map((_, i) => i);
    for (let attempt = 0; ; attempt++) {
      let failure: AttemptFailure | undefined;
      try {
        const answers = await this.sendOnce<T>(pending.map((i) => calls[i]!));
        const again: number[] = [];
        answers.forEach((answer, j) => {
          const index = pending[j]!;
          if (!answer.ok && RATE_LIMIT_CODES.has(answer.code) && attempt < this.retries) again.push(index);
          else outcomes[index] = answer;
        });
        if (again.length === 0) return outcomes as Array<RpcOutcome<T>>;
        pending = again;
        failure = new AttemptFailure('rate limited', 'http', true);
      } catch (error) {
        if (!(error instanceof AttemptFailure)) throw error;
        failure = error;
        if (!error.retryable || attempt >= this.retries) throw this.finalError(error, calls, attempt + 1);
      }
      this.stats.retries++;
      const backoff = Math.min(MAX_BACKOFF_MS, this.retryBaseMs * 2 ** attempt);
      const delay = failure.retryAfterMs !== undefined ? Math.min(MAX_BACKOFF_MS, failure.retryAfterMs) : backoff / 2 + Math.random() * (backoff / 2);
      await this.sleep(delay);
    }
  }

  /** Waits `ms`, or less when the signal aborts (then throws its reason). */
  private async sleep(ms: number): Promise<void> {
    this.throwIfAborted();
    const signal = this.signal;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private finalError(failure: AttemptFailure, calls: RpcCall[], attempts: number): Error {
    const what = calls.length === 1 ? calls[0]!.method : `a batch of ${calls.length} calls (${[...new Set(calls.map((c) => c.method))].join(', ')})`;
    const tries = attempts === 1 ? '' : ` (${attempts} attempts)`;
    const details = [`endpoint: ${this.endpoint}`];
    switch (failure.kind) {
      case 'network':
      case 'timeout':
        return new RpcUnreachableError(`cannot reach the node at ${this.endpoint}: ${failure.message}${tries}`, {
          details: [`while sending ${what}`, 'check the URL and that the node is running; --verbose shows the cause'],
          cause: new Error(failure.message),
        });
      case 'http':
        return new RpcRequestError(`the node at ${this.endpoint} failed ${what}: ${failure.message}${tries}`, { details, cause: new Error(failure.message) });
      case 'body':
        return new MalformedResponseError(`the node at ${this.endpoint} sent a malformed answer to ${what}: ${failure.message}${tries}`, { details, cause: new Error(failure.message) });
    }
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < this.concurrency) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    // Whoever released the slot may have done so because of an interrupt.
    try {
      this.throwIfAborted();
    } catch (error) {
      this.release();
      throw error;
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.inFlight--;
  }

  /** One attempt: one HTTP request (or, for a node that does not batch, one per call). */
  private async sendOnce<T>(calls: RpcCall[]): Promise<Array<RpcOutcome<T>>> {
    if (calls.length > 1 && !this.batching) {
      const results = await Promise.all(calls.map((call) => this.sendOnce<T>([call])));
      return results.map((r) => r[0]!);
    }
    const bodies = calls.map((call) => ({ jsonrpc: '2.0' as const, id: this.nextId++, method: call.method, params: call.params }));
    const batched = bodies.length > 1;
    let data: unknown;
    this.throwIfAborted();
    await this.acquire();
    try {
      this.stats.httpRequests++;
      // viem hands fetch either its own timeout signal or ours, not both: combine them.
      const signal = this.signal === undefined ? undefined : AbortSignal.any([this.signal, AbortSignal.timeout(this.timeoutMs)]);
      data = await this.http.request({ body: (batched ? bodies : bodies[0]!) as never, ...(signal === undefined ? {} : { fetchOptions: { signal } }) });
    } catch (error) {
      this.throwIfAborted();
      throw this.classify(error);
    } finally {
      this.release();
    }
    if (batched && !Array.isArray(data)) {
      // A node that does not take batches answers with one error object: go one by one.
      if (typeof data === 'object' && data !== null && 'error' in data) {
        this.batching = false;
        return this.sendOnce<T>(calls);
      }
      throw new AttemptFailure(`expected a JSON array for a batch, got ${describeJson(data)}`, 'body', false);
    }
    const answers = (batched ? data : [data]) as unknown[];
    const byId = new Map<unknown, Envelope>();
    for (const answer of answers) {
      if (typeof answer !== 'object' || answer === null) throw new AttemptFailure(`a response entry is ${describeJson(answer)}`, 'body', false);
      byId.set((answer as Envelope).id, answer as Envelope);
    }
    this.stats.calls += calls.length;
    return bodies.map((body) => {
      const answer = byId.get(body.id) ?? (!batched ? (answers[0] as Envelope) : undefined);
      if (answer === undefined) throw new AttemptFailure(`no answer for call ${body.id} (${body.method}) in the batch`, 'body', false);
      if (answer.error !== undefined && answer.error !== null) {
        const code = typeof answer.error.code === 'number' ? answer.error.code : 0;
        const message = typeof answer.error.message === 'string' ? answer.error.message : JSON.stringify(answer.error);
        return { ok: false as const, code, message: this.redact(message) };
      }
      if (!('result' in answer)) throw new AttemptFailure(`the answer to ${body.method} has neither result nor error`, 'body', false);
      return { ok: true as const, result: answer.result as T };
    });
  }

  /** Turns whatever the HTTP layer threw into a classified, redacted AttemptFailure. */
  private classify(error: unknown): AttemptFailure {
    const err = error as { name?: string; status?: number; headers?: Headers; cause?: unknown; details?: string; message?: string };
    if (err?.name === 'TimeoutError') return new AttemptFailure('the request timed out', 'timeout', true);
    if (err?.name === 'HttpRequestError' && typeof err.status === 'number') {
      const status = err.status;
      const retryAfter = err.headers?.get('Retry-After');
      const retryAfterMs = retryAfter !== null && retryAfter !== undefined && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined;
      const retryable = status === 429 || status === 408 || status >= 500;
      const detail = err.details !== undefined && err.details.length < 200 ? `: ${this.redact(err.details)}` : '';
      return new AttemptFailure(`HTTP ${status}${detail}`, 'http', retryable, retryAfterMs);
    }
    // Walk the cause chain for the innermost reason (fetch failed → ECONNREFUSED, SyntaxError, …).
    const chain: string[] = [];
    let deepest: unknown = err?.cause ?? error;
    let syntax = false;
    for (let cur: unknown = err?.cause ?? error, n = 0; cur !== undefined && cur !== null && n < 8; n++) {
      const e = cur as { name?: string; code?: string; message?: string; cause?: unknown };
      if (e.name === 'SyntaxError') syntax = true;
      const text = e.code !== undefined && typeof e.code === 'string' ? e.code : e.message;
      if (text !== undefined && !chain.includes(text)) chain.push(text);
      deepest = cur;
      cur = e.cause;
    }
    void deepest;
    const reason = this.redact(chain.filter((t) => t !== 'HTTP request failed.').slice(-2).join(': ') || String(error));
    if (syntax) return new AttemptFailure(`the response body is not valid JSON (truncated?): ${reason}`, 'body', true);
    return new AttemptFailure(reason, 'network', true);
  }
}

/** What an aborted signal makes a request throw: its reason when that is an Error (InterruptedError), else an InterruptedError. */
function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error && signal.reason.name !== 'AbortError' ? signal.reason : new InterruptedError();
}

function describeJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? text.slice(0, 77) + '...' : text;
}
