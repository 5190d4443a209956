/**
 * A task that runs one at a time on this node, however often it is asked for: `kick()` starts a
 * run, or, during one, asks for one more after it (kicks during a run coalesce into that one);
 * `idle()` waits until no run is going. A run that throws is reported to `onError` and does not
 * stop later runs. The notice senders use it: a kick after each commit that owes notices, and one
 * on each sweep.
 */
export interface SerialRunner {
  kick(): void;
  idle(): Promise<void>;
}

export function serialRunner(task: () => Promise<unknown>, onError: (error: unknown) => void): SerialRunner {
  let running: Promise<void> | null = null;
  let again = false;
  const run = async (): Promise<void> => {
    do {
      again = false;
      try {
        await task();
      } catch (error) {
        onError(error);
      }
    } while (again);
    running = null;
  };
  return {
    kick() {
      if (running !== null) {
        again = true;
        return;
      }
      running = run();
    },
    async idle() {
      while (running !== null) await running;
    },
  };
}
