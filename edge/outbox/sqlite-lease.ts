import type { LeaseBook } from './lease-book.js';
import type { OutboxMessage } from './message.js';
import type { LeasedRow, SqliteOutboxTable } from './sqlite-outbox-table.js';

/**
 * Picks the next `max` messages in drain order that are not leased yet,
 * records them in the lease book and returns them. While a backlog drains it
 * resumes after the last lease in one query; otherwise it walks the drain
 * order (ids only) past the leased rows and reads the rest whole.
 */
export function leaseNext(table: SqliteOutboxTable, leases: LeaseBook, max: number): OutboxMessage[] {
  if (max <= 0) return [];
  const resume = leases.resumeAfter;
  if (resume !== undefined) {
    // Draining a backlog: one query for the next rows, nothing to skip.
    const rows = table.drainAfter(resume.rank, resume.seq, max);
    leases.leased(rows);
    return rows.map((row) => row.message);
  }
  const rows: LeasedRow[] = [];
  let scanned = 0;
  let scannedToLast = 0;
  // Leased ids sit at the front of the drain order, so skipping them needs at most that many extra rows.
  for (const { seq, id, rank } of table.drainOrder(leases.size + max)) {
    scanned++;
    if (leases.has(id)) continue;
    const message = table.read(seq);
    if (message === undefined) {
      scanned--; // gone meanwhile: neither leased nor waiting
      continue;
    }
    rows.push({ id, seq, rank, message });
    scannedToLast = scanned;
    if (rows.length === max) break;
  }
  leases.leased(rows, scannedToLast);
  return rows.map((row) => row.message);
}
