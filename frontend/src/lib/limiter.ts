// Runs async tasks at most `max` at a time, in the order they were asked for: the picker's
// per-session lap lists and the sessions page's per-row analyses would otherwise ask the
// engine (two cores on a racer's PC) for everything at once.
export class Limiter {
  private running = 0;
  private queue: (() => void)[] = [];

  constructor(private readonly max: number) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running++;
        let result: Promise<T>;
        try {
          result = task();
        } catch (error) {
          result = Promise.reject(error);
        }
        result.then(resolve, reject).finally(() => {
          this.running--;
          this.queue.shift()?.();
        });
      };
      if (this.running < this.max) start();
      else this.queue.push(start);
    });
  }

  /** Tasks waiting for a free slot. */
  get waiting(): number {
    return this.queue.length;
  }
}
