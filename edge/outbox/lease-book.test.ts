import { describe, expect, it } from 'vitest';
import { LeaseBook } from './lease-book.js';

const row = (id: string, rank: number, seq: number): { id: string; rank: number; seq: number } => ({
  id,
  rank,
  seq,
});

describe('LeaseBook', () => {
  it('resumes after a scan that covered every lease, and follows later leases', () => {
    const book = new LeaseBook();
    book.leased([row('a', 3, 1), row('b', 3, 2)], 2);
    expect(book.resumeAfter).toEqual({ rank: 3, seq: 2 });
    book.leased([row('c', 3, 5)]);
    expect(book.resumeAfter).toEqual({ rank: 3, seq: 5 });
    expect(book.seqOf('c')).toBe(5);
  });

  it('does not resume when a lease lies beyond what the scan covered', () => {
    const book = new LeaseBook();
    book.leased([row('a', 3, 1), row('b', 3, 2)], 2);
    book.returned(['a']);
    expect(book.resumeAfter).toBeUndefined();
    // The scan re-leases a; b, further on, is still leased: resuming after a would hand b out twice.
    book.leased([row('a', 3, 1)], 1);
    expect(book.resumeAfter).toBeUndefined();
  });

  it('forgets the resume point when a row lands before it, not after it', () => {
    const book = new LeaseBook();
    book.leased([row('a', 3, 10)], 1);
    book.inserted({ rank: 3, seq: 11 });
    expect(book.resumeAfter).toEqual({ rank: 3, seq: 10 });
    book.inserted({ rank: 0, seq: 12 });
    expect(book.resumeAfter).toBeUndefined();
  });

  it('treats a reused seq at or before the resume point as landing before it', () => {
    const book = new LeaseBook();
    book.leased([row('a', 3, 10)], 1);
    book.deleted(['a']);
    expect(book.resumeAfter).toEqual({ rank: 3, seq: 10 });
    book.inserted({ rank: 3, seq: 10 });
    expect(book.resumeAfter).toBeUndefined();
  });

  it('keeps the resume point when leases end with their rows, and ignores returns of unknown ids', () => {
    const book = new LeaseBook();
    book.leased([row('a', 2, 1), row('b', 2, 2)], 2);
    book.deleted(['a']);
    book.returned(['never-leased']);
    expect(book.resumeAfter).toEqual({ rank: 2, seq: 2 });
    expect(book.size).toBe(1);
    expect(book.has('a')).toBe(false);
  });
});
