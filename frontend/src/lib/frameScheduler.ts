// Coalesces redraw requests into at most one callback per animation frame.

export type Raf = (cb: (time: number) => void) => number;
export type CancelRaf = (handle: number) => void;

export class FrameScheduler {
  private tasks = new Set<() => void>();
  private handle: number | null = null;

  constructor(
    private readonly raf: Raf = (cb) => requestAnimationFrame(cb),
    private readonly cancel: CancelRaf = (h) => cancelAnimationFrame(h),
  ) {}

  /** Registers a draw task; returns its removal. */
  add(task: () => void): () => void {
    this.tasks.add(task);
    return () => {
      this.tasks.delete(task);
    };
  }

  /** Asks for a redraw on the next animation frame; repeated requests before it coalesce. */
  request(): void {
    if (this.handle != null) return;
    this.handle = this.raf(() => {
      this.handle = null;
      for (const task of [...this.tasks]) task();
    });
  }

  /** Cancels a pending redraw (tasks stay registered; their owners remove them). */
  cancelPending(): void {
    if (this.handle != null) this.cancel(this.handle);
    this.handle = null;
  }
}
