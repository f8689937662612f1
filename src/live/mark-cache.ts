/**
 * Lookups cached while the store's change mark (StorePort.changeMark) stays put: which series
 * owns a channel (the Discord listeners), which session collects its messages (the ingest).
 * The mark moves when another process commits and when this process writes a series or a
 * session, so a cached answer is never used after either; reading the mark is cheap (no
 * table), and reads asked for while one is in flight share it.
 */
export class MarkCache<V> {
  private mark = Number.NaN;
  private readonly entries = new Map<string, V>();
  private reading: Promise<void> | null = null;

  constructor(
    private readonly readMark: () => Promise<number>,
    /** Entries held at most; beyond it the cache starts over (a bound, not an eviction policy). */
    private readonly max = 10_000,
  ) {}

  /** Reads the mark (or joins the read in flight) and forgets everything if it moved. */
  fresh(): Promise<void> {
    this.reading ??= this.readMark().then((mark) => this.saw(mark)).finally(() => (this.reading = null));
    return this.reading;
  }

  /** Forgets everything if `mark` (a mark just read) differs from the one the entries were read under. */
  saw(mark: number): void {
    if (mark === this.mark) return;
    this.mark = mark;
    this.entries.clear();
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, value);
  }

  /** Forgets everything (a failed write: what was read in it may not hold). */
  clear(): void {
    this.entries.clear();
  }
}
