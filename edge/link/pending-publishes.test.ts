import { describe, expect, it } from 'vitest';
import { PendingPublishes } from './pending-publishes.js';

describe('PendingPublishes', () => {
  it('settles like the publish it tracks and forgets it afterwards', async () => {
    const pending = new PendingPublishes();
    const ok = pending.track(Promise.resolve());
    const failed = pending.track(Promise.reject(new Error('refused')));
    expect(pending.size).toBe(2);
    await expect(ok).resolves.toBeUndefined();
    await expect(failed).rejects.toThrow('refused');
    expect(pending.size).toBe(0);
  });

  it('rejects everything in flight at once and ignores the late outcome', async () => {
    const pending = new PendingPublishes();
    let ack: () => void = () => undefined;
    const tracked = pending.track(new Promise<void>((resolve) => (ack = resolve)));
    pending.rejectAll(new Error('link lost'));
    ack();
    await expect(tracked).rejects.toThrow('link lost');
    expect(pending.size).toBe(0);
  });
});
