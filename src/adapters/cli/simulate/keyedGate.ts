interface GateState {
  shared: number;
  exclusive: boolean;
  readonly queue: { readonly exclusive: boolean; readonly grant: () => void }[];
}

/**
 * Per key, many shared holders or one exclusive holder, granted first come first served. The fault
 * injector uses it so that no other request to the same endpoint can reach the simulator while a
 * scripted fault waits there for the one request it was meant for.
 */
export class KeyedGate {
  private readonly states = new Map<string, GateState>();

  private state(key: string): GateState {
    let state = this.states.get(key);
    if (state === undefined) {
      state = { shared: 0, exclusive: false, queue: [] };
      this.states.set(key, state);
    }
    return state;
  }

  /** Grants from the head of the queue while the head can be granted (a run of shared ones at once). */
  private pump(state: GateState): void {
    for (let head = state.queue[0]; head !== undefined; head = state.queue[0]) {
      if (state.exclusive) return;
      if (head.exclusive && state.shared > 0) return;
      state.queue.shift();
      if (head.exclusive) state.exclusive = true;
      else state.shared += 1;
      head.grant();
      if (head.exclusive) return;
    }
  }

  private acquire(key: string, exclusive: boolean): Promise<GateState> {
    const state = this.state(key);
    return new Promise((resolve) => {
      state.queue.push({ exclusive, grant: () => resolve(state) });
      this.pump(state);
    });
  }

  async shared<T>(key: string, action: () => Promise<T>): Promise<T> {
    const state = await this.acquire(key, false);
    try {
      return await action();
    } finally {
      state.shared -= 1;
      this.pump(state);
    }
  }

  /** Resolves once the key is held alone; call the returned function (once is enough) to let others in. */
  async exclusive(key: string): Promise<() => void> {
    const state = await this.acquire(key, true);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.exclusive = false;
      this.pump(state);
    };
  }
}
