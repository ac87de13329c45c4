// arXiv identifiers from the URLs and strings a user meets, reduced to the canonical
// versionless id the server keys papers by (same rules as sync/ids.py).

const NEW_ID = String.raw`(\d{4})\.(\d{4,5})`;
const OLD_ID = String.raw`([a-z]+(?:-[a-z]+)?)(?:\.[A-Za-z]{2})?\/(\d{7})`;
const VERSION = String.raw`(?:v([1-9]\d{0,3}))?`;
const ID = `(?:${NEW_ID}|${OLD_ID})${VERSION}`;

const BARE = new RegExp(`^${ID}$`);
const PATH = new RegExp(`^/(?:abs|pdf|html|format|src)/${ID}(?:\\.pdf)?/?$`);
const LISTING_PATH = /^\/list\/([A-Za-z-]+(?:\.[A-Za-z-]+)?)\/(new|recent|pastweek|current|\d{4}(?:-\d{2})?)\/?$/;
const ARXIV_HOSTS = new Set(['arxiv.org', 'www.arxiv.org', 'export.arxiv.org']);

function canonical(match) {
  const [, yymm, num, archive, oldnum, version] = match;
  if (yymm) {
    const month = Number(yymm.slice(2));
    if (month < 1 || month > 12) return null;
    // Five-digit numbers only exist from 2015 (1501) on, four-digit ones only before.
    if ((num.length === 5) !== (Number(yymm) >= 1501)) return null;
    return { id: `${yymm}.${num}`, version: version ? Number(version) : null };
  }
  return { id: `${archive}/${oldnum}`, version: version ? Number(version) : null };
}

/** Parse a bare identifier ("2501.01234v2", "arXiv:hep-th/9901001"); null when it is not one. */
export function parseArxivId(text) {
  if (typeof text !== 'string') return null;
  const trimmed = text.trim().replace(/^arxiv:\s*/i, '');
  const match = BARE.exec(trimmed);
  return match ? canonical(match) : null;
}

function arxivUrl(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!['http:', 'https:'].includes(parsed.protocol)) return null;
  if (!ARXIV_HOSTS.has(parsed.hostname.toLowerCase())) return null;
  return parsed;
}

/** The paper an arXiv page shows (abs, pdf, html, format), from its URL alone; null otherwise. */
export function paperFromUrl(url) {
  const parsed = arxivUrl(url);
  if (!parsed) return null;
  const match = PATH.exec(decodeURIComponent(parsed.pathname));
  return match ? canonical(match) : null;
}

/** The listing ("/list/cs.DC/new") an arXiv page shows; null otherwise. */
export function listingFromUrl(url) {
  const parsed = arxivUrl(url);
  if (!parsed) return null;
  const match = LISTING_PATH.exec(parsed.pathname);
  return match ? { archive: match[1], period: match[2] } : null;
}

/** What kind of page a tab shows, so the popup knows whether to lead with "this paper". */
export function classifyUrl(url) {
  const paper = paperFromUrl(url);
  if (paper) return { kind: 'paper', ...paper };
  const listing = listingFromUrl(url);
  if (listing) return { kind: 'listing', ...listing };
  return { kind: arxivUrl(url) ? 'arxiv' : 'other' };
}

/** The id a link on an arXiv page points to ("/abs/2501.01234" relative or absolute). */
export function paperFromHref(href, base = 'https://arxiv.org/') {
  try {
    return paperFromUrl(new URL(href, base).href);
  } catch {
    return null;
  }
}
