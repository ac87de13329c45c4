// The one HTTP client of the extension: every request to the paperfeed server goes here.
// Errors come back as ApiError with a ``kind`` the UI can explain without parsing text.

import { classifyNetworkError, networkErrorText } from './net-errors.js';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8765';

export class ApiError extends Error {
  /**
   * @param {'unreachable'|'unauthorized'|'not_found'|'http'|'bad_response'|'not_configured'} kind
   */
  constructor(kind, message, { status = 0, code = '', details = null } = {}) {
    super(message);
    this.name = 'ApiError';
    this.kind = kind;
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** A server URL as the user typed it, made canonical ("127.0.0.1:8765/" -> "http://127.0.0.1:8765"). */
export function normaliseServerUrl(text) {
  let value = String(text ?? '').trim();
  if (!value) return DEFAULT_SERVER_URL;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) value = `http://${value}`;
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new ApiError('not_configured', `Not a valid server URL: ${text}`);
  }
  if (!['http:', 'https:'].includes(url.protocol)) {
    throw new ApiError('not_configured', `The server URL must start with http:// or https:// (got ${url.protocol})`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Path segment for a paper id; old-style ids contain "/" and must be percent-encoded. */
export function paperPath(id) {
  return `/api/papers/${encodeURIComponent(id)}`;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not our JSON error shape (a proxy, another program on the port): fall through.
  }
  const error = body?.error ?? {};
  const message = error.message || `${response.status} ${response.statusText}`.trim();
  const kind = response.status === 401 || response.status === 403 ? 'unauthorized'
    : response.status === 404 ? 'not_found' : 'http';
  return new ApiError(kind, message, { status: response.status, code: error.code ?? '', details: error.details ?? null });
}

/**
 * A client for one server. ``fetchImpl`` is the platform fetch (passed in so node tests can
 * use the real one against a local server); ``timeoutMs`` bounds every request.
 */
export function createClient({ serverUrl, token, fetchImpl = globalThis.fetch, timeoutMs = 15000 }) {
  const base = normaliseServerUrl(serverUrl);

  async function request(method, path, { body, auth = true, accept = 'application/json', timeout = timeoutMs } = {}) {
    if (auth && !token) throw new ApiError('not_configured', 'No server token set: open the options page.');
    const headers = { Accept: accept };
    if (auth) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeout);
    let response;
    try {
      response = await fetchImpl(`${base}${path}`, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: controller.signal,
        credentials: 'omit', cache: 'no-store',
      });
    } catch (cause) {
      const online = globalThis.navigator?.onLine;
      const reason = classifyNetworkError(cause, { url: `${base}${path}`, timedOut, online });
      // ``code`` says why (refused, timeout, blocked_port, tls, dns, offline, network).
      throw new ApiError('unreachable', networkErrorText(reason, { base, timeoutMs: timeout }), { code: reason });
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw await errorFrom(response);
    if (accept !== 'application/json') return response.text();
    try {
      return await response.json();
    } catch {
      throw new ApiError('bad_response', `The server at ${base} did not answer with JSON: is it paperfeed?`,
        { status: response.status });
    }
  }

  return {
    baseUrl: base,
    health: () => request('GET', '/api/health', { auth: false }),
    papers: (params = {}) => request('GET', `/api/papers${query(params)}`),
    // A paper the server has not stored is looked up on arXiv first (one retry, 10 s timeouts).
    paper: (id) => request('GET', paperPath(id), { timeout: 30000 }),
    bibtex: (id) => request('GET', `${paperPath(id)}/bibtex`, { accept: 'text/plain' }),
    // collection: a key, null for "No collection", or left out (undefined) for the suggestion.
    save: (id, { tags = [], collection, note = null } = {}) =>
      request('POST', `${paperPath(id)}/save`, {
        body: collection === undefined ? { tags, note } : { tags, collection, note }, timeout: 60000,
      }),
    dismiss: (id) => request('POST', `${paperPath(id)}/dismiss`, { body: {} }),
    undo: (id) => request('POST', `${paperPath(id)}/undo`, { body: {} }),
    collections: () => request('GET', '/api/collections'),
    tags: () => request('GET', '/api/tags'),
  };
}

/** Every match of a day, following pages (bounded: a day never has more than ``max``). */
export async function allMatches(client, params = {}, { pageSize = 100, max = 2000 } = {}) {
  const first = await client.papers({ ...params, limit: pageSize, offset: 0 });
  const items = [...(first.items ?? [])];
  let offset = items.length;
  while (offset < Math.min(first.total ?? 0, max) && items.length > 0) {
    const page = await client.papers({ ...params, limit: pageSize, offset });
    if (!page.items?.length) break;
    items.push(...page.items);
    offset += page.items.length;
  }
  return { ...first, items };
}
