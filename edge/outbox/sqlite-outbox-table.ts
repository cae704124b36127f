import type Database from 'better-sqlite3';
import { PRIORITIES, priorityOfRank, type OutboxMessage } from './message.js';

interface MessageRow {
  seq: number;
  id: string;
  rank: number;
  topic: string;
  payload: Buffer;
  created_at: number;
  attempts: number;
}

/** A row handed out by a lease, with its place in drain order. */
export interface LeasedRow {
  readonly id: string;
  readonly seq: number;
  readonly rank: number;
  readonly message: OutboxMessage;
}

/** Prepared statements over the outbox_message table; no transactions or policy here. */
export class SqliteOutboxTable {
  readonly #insert: Database.Statement<[string, number, string, Buffer, number, number]>;
  readonly #evictOldest: Database.Statement<[number], { id: string; bytes: number }>;
  readonly #deleteById: Database.Statement<[string], { rank: number; bytes: number }>;
  readonly #deleteLeased: Database.Statement<[number, string], { rank: number; bytes: number }>;
  readonly #drainAfter: Database.Statement<[number, number, number], MessageRow>;
  readonly #countAttempt: Database.Statement<[string]>;
  readonly #drainSeqs: Database.Statement<[number], { seq: number; id: string; rank: number }>;
  readonly #bySeq: Database.Statement<[number], MessageRow>;
  readonly #oldestOfRank: Database.Statement<[number], { created_at: number }>;
  readonly #totals: Database.Statement<[], { rank: number; messages: number; bytes: number }>;

  constructor(db: Database.Database) {
    this.#insert = db.prepare(
      'INSERT INTO outbox_message (id, rank, topic, payload, created_at, bytes) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#evictOldest = db.prepare(
      `DELETE FROM outbox_message
        WHERE seq = (SELECT seq FROM outbox_message WHERE rank = ? ORDER BY seq LIMIT 1)
        RETURNING id, bytes`,
    );
    this.#deleteById = db.prepare('DELETE FROM outbox_message WHERE id = ? RETURNING rank, bytes');
    // By rowid, checking the id: a rowid can be reused once its row is gone.
    this.#deleteLeased = db.prepare(
      'DELETE FROM outbox_message WHERE seq = ? AND id = ? RETURNING rank, bytes',
    );
    this.#drainAfter = db.prepare(
      // One rank at a time: SQLite narrows a row-value range on (rank, seq) by rank alone, scanning from its start.
      `SELECT seq, id, rank, topic, payload, created_at, attempts FROM outbox_message
        WHERE rank = ? AND seq > ? ORDER BY seq LIMIT ?`,
    );
    this.#countAttempt = db.prepare('UPDATE outbox_message SET attempts = attempts + 1 WHERE id = ?');
    this.#drainSeqs = db.prepare('SELECT seq, id, rank FROM outbox_message ORDER BY rank, seq LIMIT ?');
    this.#bySeq = db.prepare(
      'SELECT seq, id, rank, topic, payload, created_at, attempts FROM outbox_message WHERE seq = ?',
    );
    this.#oldestOfRank = db.prepare(
      'SELECT created_at FROM outbox_message WHERE rank = ? ORDER BY seq LIMIT 1',
    );
    this.#totals = db.prepare(
      'SELECT rank, COUNT(*) AS messages, SUM(bytes) AS bytes FROM outbox_message GROUP BY rank',
    );
  }

  /** Inserts a row; returns its seq. */
  insert(message: OutboxMessage, rank: number, bytes: number): number {
    const { lastInsertRowid } = this.#insert.run(
      message.id,
      rank,
      message.topic,
      message.payload,
      message.createdAt,
      bytes,
    );
    return Number(lastInsertRowid);
  }

  /** Deletes the oldest message of a rank; undefined when the rank is empty. */
  evictOldest(rank: number): { id: string; bytes: number } | undefined {
    return this.#evictOldest.get(rank);
  }

  deleteById(id: string): { rank: number; bytes: number } | undefined {
    return this.#deleteById.get(id);
  }

  /** Deletes a row by the seq it was leased at (a rowid lookup, cheaper than by id). */
  deleteLeased(seq: number, id: string): { rank: number; bytes: number } | undefined {
    return this.#deleteLeased.get(seq, id);
  }

  /** Up to `limit` whole rows after a place in drain order, in drain order, in one query. */
  drainAfter(rank: number, seq: number, limit: number): LeasedRow[] {
    const rows: LeasedRow[] = [];
    for (let r = rank, after = seq; r < PRIORITIES.length && rows.length < limit; r++, after = 0) {
      for (const row of this.#drainAfter.all(r, after, limit - rows.length)) {
        rows.push({ id: row.id, seq: row.seq, rank: row.rank, message: toMessage(row) });
      }
    }
    return rows;
  }

  countAttempt(id: string): void {
    this.#countAttempt.run(id);
  }

  /** Ids in drain order, the first `limit`; payloads are not read, so cheap whatever their sizes. */
  drainOrder(limit: number): { seq: number; id: string; rank: number }[] {
    return this.#drainSeqs.all(limit);
  }

  read(seq: number): OutboxMessage | undefined {
    const row = this.#bySeq.get(seq);
    return row === undefined ? undefined : toMessage(row);
  }

  oldestCreatedAt(rank: number): number | undefined {
    return this.#oldestOfRank.get(rank)?.created_at;
  }

  /** Count and bytes per rank, scanned once at start to rebuild the in-memory ledger. */
  totalsByRank(): { messages: number; bytes: number }[] {
    const totals = PRIORITIES.map(() => ({ messages: 0, bytes: 0 }));
    for (const row of this.#totals.all()) totals[row.rank] = { messages: row.messages, bytes: row.bytes };
    return totals;
  }
}

function toMessage(row: MessageRow): OutboxMessage {
  return {
    id: row.id,
    topic: row.topic,
    payload: row.payload,
    priority: priorityOfRank(row.rank),
    createdAt: row.created_at,
    attempts: row.attempts,
  };
}
