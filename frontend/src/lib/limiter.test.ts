import { describe, expect, it } from 'vitest';
import { Limiter } from './limiter';

describe('Limiter', () => {
  it('runs at most max tasks at once, in order, and passes results and errors through', async () => {
    const limiter = new Limiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (n: number, fail = false) => async () => {
      running++;
      peak = Math.max(peak, running);
      order.push(n);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (fail) throw new Error(`task ${n}`);
      return n * 10;
    };
    const results = [1, 2, 3, 4, 5].map((n) => limiter.run(task(n, n === 3)));
    expect(limiter.waiting).toBe(3);
    const settled = await Promise.allSettled(results);
    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([10, 20, 'task 3', 40, 50]);
  });
  it('survives a task that throws synchronously', async () => {
    const limiter = new Limiter(1);
    const bad = limiter.run(() => {
      throw new Error('sync');
    });
    await expect(bad).rejects.toThrow('sync');
    await expect(limiter.run(async () => 7)).resolves.toBe(7);
  });
});
