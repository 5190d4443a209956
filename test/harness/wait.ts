/**
 * How tests wait for asynchronous work (a send worker, a poll of another node, a child process):
 * on a condition, never on a fixed sleep. `until` asks `probe` again every `everyMs` until it
 * gives a value other than null/false, and fails naming `what` after `timeoutMs`. The timeout is a
 * guard against a hang, not a measure: set it far above what a loaded machine needs.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | null | false> | T | null | false,
  { timeoutMs = 120_000, everyMs = 50 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
