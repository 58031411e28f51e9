/**
 * An RPC URL often carries an API key (in the path, the query, or user:password@), so it
 * is never printed, cached or reported as given. Everything the RPC layer says about an
 * endpoint goes through `redactUrl` (scheme, host and port only: `https://eth.example.com/…`),
 * and every message that may quote it (errors from viem, from fetch, from the node) goes
 * through `redactText`, which removes the URL and each of its secret-looking parts.
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

/** The pieces of `url` that must never appear in output: the whole URL and its secret parts. */
function secretParts(url: string): string[] {
  const parts = new Set<string>([url]);
  try {
    const parsed = new URL(url);
    parts.add(parsed.href);
    for (const value of [parsed.username, parsed.password, decodeURIComponent(parsed.username), decodeURIComponent(parsed.password)]) {
      if (value.length > 0) parts.add(value);
    }
    if (parsed.pathname.length > 1) {
      parts.add(parsed.pathname);
      for (const segment of parsed.pathname.split('/')) if (segment.length >= 12) parts.add(segment);
    }
    if (parsed.search.length > 1) {
      parts.add(parsed.search);
      for (const [, value] of parsed.searchParams) if (value.length >= 12) parts.add(value);
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
