import type { AuditEntry, AuditLog, AuditQuery } from './access-stores.js';
import { AccessHandle, type AccessWhere, settle } from './access-tables.js';

interface AuditRow {
  seq: number;
  ts: number;
  actor: string;
  action: string;
  subject: string;
  detail: string;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: String(row.seq),
    ts: row.ts,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    detail: row.detail,
  };
}

/**
 * {@link AuditLog} in the `audit` table (audit.sqlite, or PostgreSQL); ids
 * are the row sequence, so newer entries have larger ids.
 */
export class SqlAuditLog implements AuditLog {
  readonly #handle: AccessHandle;

  /** A file or database of its own, or a connection it shares with other stores. */
  constructor(where: AccessWhere | AccessHandle) {
    this.#handle = where instanceof AccessHandle ? where : new AccessHandle(where, 'audit', 'audit log');
  }

  start(): Promise<void> {
    return settle(() => this.#handle.open(this));
  }

  stop(): Promise<void> {
    return settle(() => this.#handle.close(this));
  }

  append(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    return settle(() => {
      const row = this.#handle
        .dbOf(this)
        .prepare(
          'INSERT INTO audit (ts, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?) RETURNING seq',
        )
        .get(entry.ts, entry.actor, entry.action, entry.subject, entry.detail) as { seq: number };
      return { id: String(row.seq), ...entry };
    });
  }

  list(query: AuditQuery = {}): Promise<readonly AuditEntry[]> {
    return settle(() => {
      const limit = Math.min(1000, Math.max(1, Math.floor(query.limit ?? 100)));
      const before = query.before === undefined ? Number.MAX_SAFE_INTEGER : Number(query.before);
      const rows = this.#handle
        .dbOf(this)
        .prepare('SELECT * FROM audit WHERE seq < ? ORDER BY seq DESC LIMIT ?')
        .all(Number.isFinite(before) ? before : 0, limit) as AuditRow[];
      return rows.map(toEntry);
    });
  }
}
