/**
 * An RPC URL often carries an API key (in the path, the query, or user:password@), so it
 * is never printed, cached or reported as given. Everything the RPC layer says about an
 * endpoint goes through `redactUrl` (scheme, host and port only: `https://eth.example.com/…`),
 * and every message that may quote it (errors from viem, from fetch, from the node) goes
 * through `redactText`, which removes the URL and each of its secret-looking parts,
 * including forms the URL never shows but a node may echo: the Authorization header viem
 * builds from `user:password@` (Basic, base64) and the query's values.
 */

/** The endpoint as it may be shown: scheme, host and port; "…" stands for whatever followed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hidden = parsed.username !== '' || parsed.password !== '' || (parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search !== '' || parsed.hash !== '';
    return `${parsed.protocol}//${parsed.host}${hidden ? '/…' : ''}`;
  } catch {
    return '<rpc url>';
  }
}

/** Standalone pieces shorter than this are not searched for on their own (a 1-letter user name would blank every "a"); their composite forms always are. */
const MIN_PART = 4;

/** Base64 forms of `text` as a client may send it (Basic auth: btoa of Latin-1, or UTF-8), padded and not, standard and URL-safe. */
function base64Forms(text: string): string[] {
  const forms = new Set<string>();
  for (const encoding of ['utf8', 'latin1'] as const) {
    const b64 = Buffer.from(text, encoding).toString('base64');
    forms.add(b64);
    forms.add(b64.replace(/=+$/, ''));
    forms.add(Buffer.from(text, encoding).toString('base64url'));
  }
  return [...forms];
}

/**
 * The pieces of `url` that must never appear in output: the whole URL, and everything
 * derived from its credentials a client or a node may echo — user info (raw and
 * percent-decoded, `user:pass`, its Basic-auth base64), the path and its long segments,
 * the query, each `key=value` and each value.
 */
function secretParts(url: string): string[] {
  const parts = new Set<string>([url]);
  const standalone = (value: string) => value.length >= MIN_PART && parts.add(value);
  try {
    const parsed = new URL(url);
    parts.add(parsed.href);
    const decode = (value: string) => {
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    };
    if (parsed.username !== '' || parsed.password !== '') {
      for (const [user, password] of [
        [parsed.username, parsed.password],
        [decode(parsed.username), decode(parsed.password)],
      ] as const) {
        standalone(user);
        standalone(password);
        const pair = `${user}:${password}`;
        parts.add(`${pair}@`);
        parts.add(pair);
        for (const form of base64Forms(pair)) parts.add(form);
      }
    }
    if (parsed.pathname.length > 1) {
      parts.add(parsed.pathname);
      for (const segment of parsed.pathname.split('/')) if (segment.length >= 12) parts.add(segment);
    }
    if (parsed.search.length > 1) {
      parts.add(parsed.search);
      parts.add(parsed.search.slice(1));
      for (const pair of parsed.search.slice(1).split('&')) {
        if (pair.includes('=')) parts.add(pair);
        const raw = pair.slice(pair.indexOf('=') + 1);
        standalone(raw);
        standalone(decode(raw));
      }
      for (const [key, value] of parsed.searchParams) {
        parts.add(`${key}=${value}`);
        standalone(value);
      }
    }
  } catch {
    // not a URL: only the string itself is secret
  }
  // Longest first, so the whole URL is replaced before its parts.
  return [...parts].filter((part) => part.length > 0).sort((a, b) => b.length - a.length);
}

/** `text` with every occurrence of the URL (and of its secret parts) replaced by the redacted form. */
export function redactText(text: string, url: string): string {
  let out = text;
  const shown = redactUrl(url);
  for (const part of secretParts(url)) {
    out = out.split(part).join(part === url || part.startsWith('http') ? shown : '…');
  }
  return out;
}

/**
 * Rewrites an error (and its cause chain) in place so that no message, detail or stack
 * quotes the URL: the last line of defence before anything is printed.
 */
export function redactError(error: unknown, url: string): unknown {
  const seen = new Set<unknown>();
  for (let current: unknown = error; current !== null && typeof current === 'object' && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    const e = current as { message?: unknown; shortMessage?: unknown; details?: unknown; stack?: unknown; metaMessages?: unknown };
    for (const field of ['message', 'shortMessage', 'stack'] as const) {
      if (typeof e[field] === 'string') {
        try {
          (e as Record<string, unknown>)[field] = redactText(e[field] as string, url);
        } catch {
          // a read-only field: leave it
        }
      }
    }
    if (Array.isArray(e.details)) e.details.forEach((d, i) => typeof d === 'string' && ((e.details as string[])[i] = redactText(d, url)));
    else if (typeof e.details === 'string') (e as Record<string, unknown>).details = redactText(e.details, url);
    if (Array.isArray(e.metaMessages)) e.metaMessages.forEach((d, i) => typeof d === 'string' && ((e.metaMessages as string[])[i] = redactText(d, url)));
  }
  return error;
}
