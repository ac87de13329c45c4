// Why a request never got an HTTP answer, told apart as far as the platform lets us (pure).
//
// Browsers hide the cause of a failed fetch ("Failed to fetch", "NetworkError when attempting
// to fetch resource."), so what can be known without the cause is used first: a timeout is our
// own abort, and a port on the Fetch standard's "bad port" list is refused by every browser
// before it connects (Chromium's ERR_UNSAFE_PORT). Node's fetch carries the system error code
// (ECONNREFUSED, certificate and TLS errors), which the unit tests and any node caller get.

/** https://fetch.spec.whatwg.org/#bad-port (Chromium and Firefox block the same list). */
export const BAD_PORTS = new Set([
  0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103,
  104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514,
  515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723,
  2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

const TLS_CODE = /^(ERR_SSL|ERR_TLS|EPROTO$)|CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|DEPTH_ZERO|HOSTNAME_MISMATCH/i;
const TLS_TEXT = /\b(ssl|tls|certificate|handshake)\b/i;

/** The port a URL connects to (the scheme's default when none is written). */
export function portOf(url) {
  try {
    const parsed = new URL(url);
    if (parsed.port) return Number(parsed.port);
    return parsed.protocol === 'https:' ? 443 : 80;
  } catch {
    return null;
  }
}

function isLoopback(url) {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

/** System error codes along the cause chain (node: TypeError "fetch failed" -> cause.code). */
function causeCodes(error) {
  const codes = [];
  const texts = [];
  let current = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    if (typeof current.code === 'string') codes.push(current.code);
    if (typeof current.message === 'string') texts.push(current.message);
    if (Array.isArray(current.errors)) {
      for (const inner of current.errors) {
        if (typeof inner?.code === 'string') codes.push(inner.code);
      }
    }
    current = current.cause;
  }
  return { codes, text: texts.join(' | ') };
}

/**
 * @param {unknown} error   what fetch threw
 * @param {{url: string, timedOut?: boolean, online?: boolean}} context
 * @returns {'timeout'|'blocked_port'|'tls'|'refused'|'dns'|'offline'|'network'}
 */
export function classifyNetworkError(error, { url, timedOut = false, online } = {}) {
  if (timedOut || error?.name === 'AbortError' || error?.name === 'TimeoutError') return 'timeout';
  const port = portOf(url);
  const { codes, text } = causeCodes(error);
  if ((port !== null && BAD_PORTS.has(port)) || /\bbad port\b|UNSAFE_PORT/i.test(text)) return 'blocked_port';
  if (codes.some((code) => TLS_CODE.test(code)) || TLS_TEXT.test(text)) return 'tls';
  if (codes.includes('ECONNREFUSED') || codes.includes('ECONNRESET')) return 'refused';
  if (codes.some((code) => code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT')) return 'timeout';
  if (codes.some((code) => code === 'ENOTFOUND' || code === 'EAI_AGAIN')) return 'dns';
  if (online === false) return 'offline';
  // A browser says nothing more: on plain http to this machine the only likely cause is that
  // nothing listens on the port; anything else stays a generic network failure.
  if (isLoopback(url) && String(url).startsWith('http:')) return 'refused';
  return 'network';
}

/** One sentence for the user: what happened, with the server's address; never a token. */
export function networkErrorText(reason, { base, timeoutMs = 0 } = {}) {
  const port = portOf(base);
  switch (reason) {
    case 'timeout':
      return `The server at ${base} did not answer within ${timeoutMs < 1000 ? (timeoutMs / 1000).toFixed(1) : Math.round(timeoutMs / 1000)} s.`;
    case 'blocked_port':
      return `The browser blocks port ${port} as unsafe, so it never connects to ${base}.`;
    case 'tls':
      return `The secure (TLS) connection to ${base} failed: the certificate is not trusted, or the server speaks plain http.`;
    case 'refused':
      return `Nothing answers at ${base} (connection refused).`;
    case 'dns':
      return `The host name of ${base} does not resolve.`;
    case 'offline':
      return `This computer is offline, so ${base} cannot be reached.`;
    default:
      return `Cannot connect to ${base}${base.startsWith('https:') ? ' (nothing listening, or its certificate is not trusted)' : ''}.`;
  }
}

/** What to do about it: {hint, command?, action?} shown under the sentence (the command once). */
export function networkErrorAdvice(reason) {
  switch (reason) {
    case 'blocked_port':
      return { hint: 'Run the server on another port (the default is 8765) and enter that URL in the options:',
        command: 'paperfeed serve --port 8765', action: 'options' };
    case 'tls':
      return { hint: 'paperfeed serve speaks plain http on this computer: use an http:// URL in the options.', action: 'options' };
    case 'timeout':
      return { hint: 'It may be busy or stuck. If it does not recover, restart it in a terminal:', command: 'paperfeed serve' };
    case 'dns':
    case 'offline':
      return { hint: 'Check the server URL in the options.', action: 'options' };
    default:
      return { hint: 'Start it in a terminal:', command: 'paperfeed serve' };
  }
}
