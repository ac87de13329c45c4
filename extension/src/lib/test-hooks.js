// Test hooks live only in test copies of the extension: they are switched on by a file,
// test-hooks.json, that the browser tests write into their copy and that `npm run package`
// never ships (nor does src/ carry it). Without the file every hook is off.

export const HOOKS_FILE = 'test-hooks.json';

/** The hooks a test copy switched on ({} in a real install). ``getURL`` is runtime.getURL. */
export async function loadTestHooks(getURL, fetchImpl = globalThis.fetch) {
  try {
    const response = await fetchImpl(getURL(HOOKS_FILE));
    if (!response.ok) return {};
    const hooks = await response.json();
    return hooks && typeof hooks === 'object' && !Array.isArray(hooks) ? hooks : {};
  } catch {
    return {}; // no such file: a packaged or unpacked real install
  }
}

/** The page a popup opened as a tab should describe (``?url=``), only when the hook is on. */
export function popupUrlOverride(search, hooks) {
  if (hooks?.popupUrl !== true) return null;
  return new URLSearchParams(search ?? '').get('url') || null;
}
