// One feature per file; each starts through ``isolated`` so one failure cannot break the others.

/** Run one feature's init; a failure is logged (never with secrets) and reported to ``onError``. */
export async function isolated(name, init, onError = () => {}) {
  try {
    return await init();
  } catch (error) {
    console.error(`paperfeed: ${name} failed:`, error?.message ?? error);
    try {
      onError(name, error);
    } catch {
      // The error reporter itself must never take the page down.
    }
    return undefined;
  }
}

/** The synchronous form, for background features whose listeners must be registered at once. */
export function isolatedSync(name, init) {
  try {
    return init();
  } catch (error) {
    console.error(`paperfeed: ${name} failed:`, error?.message ?? error);
    return undefined;
  }
}
