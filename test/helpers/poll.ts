/**
 * Waits until an asynchronous check (a read through the store port) gives a value, polling
 * every few milliseconds of real time; the sandbox's own waitFor takes synchronous checks.
 */
export async function pollUntil<T>(check: () => Promise<T | undefined | false | null>, timeoutMs = 5_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value;
    if (performance.now() > deadline) throw new Error(`pollUntil: nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
