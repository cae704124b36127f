import { describe, expect, it } from 'vitest';
import { Listeners } from './listeners.js';

describe('Listeners', () => {
  it('calls each listener in order with the arguments, and not after it is removed', () => {
    const heard: string[] = [];
    const listeners = new Listeners<[string, number]>();
    const stopA = listeners.add((s, n) => heard.push(`a:${s}${n}`));
    listeners.add((s, n) => heard.push(`b:${s}${n}`));
    listeners.emit('x', 1);
    stopA();
    listeners.emit('y', 2);
    expect(heard).toEqual(['a:x1', 'b:x1', 'b:y2']);
  });
});
