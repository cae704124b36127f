import { describe, expect, it } from 'vitest';
import { createMessageIdGenerator, timeOfMessageId } from './message-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('createMessageIdGenerator', () => {
  it('makes RFC 9562 version 7 UUIDs carrying the time in ms', () => {
    const next = createMessageIdGenerator({ now: () => 1_717_171_717_171 });
    const id = next();
    expect(id).toMatch(UUID_V7);
    expect(timeOfMessageId(id)).toBe(1_717_171_717_171);
  });

  it('makes ids that sort in creation order, even thousands in one millisecond', () => {
    const next = createMessageIdGenerator({ now: () => 1_700_000_000_000 });
    const ids = Array.from({ length: 10_000 }, next);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never goes backwards when the clock steps back', () => {
    let now = 1_700_000_005_000;
    const next = createMessageIdGenerator({ now: () => now });
    const before = next();
    now -= 60_000;
    const after = next();
    expect(after > before).toBe(true);
    expect(timeOfMessageId(after)).toBe(1_700_000_005_000);
  });

  it('does not repeat across generators (random tail)', () => {
    const clock = { now: () => 1_700_000_000_000 };
    const a = Array.from({ length: 1000 }, createMessageIdGenerator(clock));
    const b = Array.from({ length: 1000 }, createMessageIdGenerator(clock));
    expect(new Set([...a, ...b]).size).toBe(2000);
  });
});
