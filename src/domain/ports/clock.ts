/** The domain never reads the clock itself: time is passed in, so tests control it. */
export interface Clock {
  nowMs(): number;
}

/** A clock that only moves when told to, for tests and accelerated simulations. */
export class ManualClock implements Clock {
  constructor(private currentMs: number) {}
  nowMs(): number {
    return this.currentMs;
  }
  advanceMs(deltaMs: number): void {
    if (deltaMs < 0) throw new Error('ManualClock cannot go backwards');
    this.currentMs += deltaMs;
  }
  setMs(ms: number): void {
    this.currentMs = ms;
  }
}
