// Reconnect delays (docs/protocol.md, section 14): jittered exponential
// backoff from 0.5 s, doubling, capped at 30 s; longer after a rate-limit close.

export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  random?: () => number; // [0, 1); injectable so tests are deterministic
}

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 500;
    this.capMs = options.capMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt. "Full jitter" spreads a reconnect storm. */
  next(slow = false): number {
    const exp = Math.min(this.capMs, this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    const ceiling = slow ? Math.min(this.capMs, exp * 4) : exp;
    // At least half the ceiling, so that retries never hammer the server.
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** A connection that reached the room resets the sequence. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
