/**
 * A FIFO mutex. `acquire()` resolves with a release function once every earlier holder has
 * released; waiters are served in the order they asked. Used to hand PGlite's single connection
 * to one Kysely caller at a time, so a transaction never interleaves with another query.
 */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const turn = this.#tail.then(() => onceOnly(release));
    this.#tail = this.#tail.then(() => released);
    return turn;
  }
}

function onceOnly(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}
