import type { EventEmitter } from 'node:events';

/** Resolves when `predicate` holds, polling every 10 ms; rejects after `timeoutMs` naming `what`. */
export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Collects every emission of `event` into an array. */
export function collect<T>(emitter: EventEmitter, event: string): T[] {
  const items: T[] = [];
  emitter.on(event, (item: T) => items.push(item));
  return items;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
