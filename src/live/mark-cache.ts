/**
 * Lookups cached while the store's change mark (StorePort.changeMark) stays put: which series
 * owns a channel (the Discord listeners), which session collects its messages (the ingest).
 * The mark moves when another process commits and when this process writes a series or a
 * session, so a cached answer is not used after either (from the next event-loop turn on);
 * reading the mark is cheap (no table), and once per turn.
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

  /**
   * Reads the mark and forgets everything if it moved: at most once per event-loop turn
   * (what arrives in one turn, e.g. the gateway frames of one socket read, shares a read).
   */
  fresh(): Promise<void> {
    if (this.reading) return this.reading;
    this.reading = this.readMark().then((mark) => this.saw(mark));
    setImmediate(() => (this.reading = null));
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
