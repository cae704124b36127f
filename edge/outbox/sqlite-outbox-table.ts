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

/** Prepared statements over the outbox_message table; no transactions or policy here. */
export class SqliteOutboxTable {
  readonly #insert: Database.Statement<[string, number, string, Buffer, number, number]>;
  readonly #evictOldest: Database.Statement<[number], { id: string; bytes: number }>;
  readonly #deleteById: Database.Statement<[string], { rank: number; bytes: number }>;
  readonly #countAttempt: Database.Statement<[string]>;
  readonly #drainSeqs: Database.Statement<[number], { seq: number; id: string }>;
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
    this.#countAttempt = db.prepare('UPDATE outbox_message SET attempts = attempts + 1 WHERE id = ?');
    this.#drainSeqs = db.prepare('SELECT seq, id FROM outbox_message ORDER BY rank, seq LIMIT ?');
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

  insert(message: OutboxMessage, rank: number, bytes: number): void {
    this.#insert.run(message.id, rank, message.topic, message.payload, message.createdAt, bytes);
  }

  /** Deletes the oldest message of a rank; undefined when the rank is empty. */
  evictOldest(rank: number): { id: string; bytes: number } | undefined {
    return this.#evictOldest.get(rank);
  }

  deleteById(id: string): { rank: number; bytes: number } | undefined {
    return this.#deleteById.get(id);
  }

  countAttempt(id: string): void {
    this.#countAttempt.run(id);
  }

  /** Ids in drain order, the first `limit`; an index-only scan, so cheap whatever the payload sizes. */
  drainOrder(limit: number): { seq: number; id: string }[] {
    return this.#drainSeqs.all(limit);
  }

  read(seq: number): OutboxMessage | undefined {
    const row = this.#bySeq.get(seq);
    if (row === undefined) return undefined;
    return {
      id: row.id,
      topic: row.topic,
      payload: row.payload,
      priority: priorityOfRank(row.rank),
      createdAt: row.created_at,
      attempts: row.attempts,
    };
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
