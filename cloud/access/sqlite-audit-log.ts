import type { AuditEntry, AuditLog, AuditQuery } from './access-stores.js';
import { AUDIT_MIGRATIONS, settle, SqliteHandle } from './sqlite-access-schema.js';

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

/** {@link AuditLog} in audit.sqlite; ids are the row sequence, so newer entries have larger ids. */
export class SqliteAuditLog implements AuditLog {
  readonly #handle: SqliteHandle;

  constructor(options: { readonly path: string }) {
    this.#handle = new SqliteHandle(options.path, AUDIT_MIGRATIONS, 'audit log');
  }

  start(): Promise<void> {
    return settle(() => this.#handle.open());
  }

  stop(): Promise<void> {
    return settle(() => this.#handle.close());
  }

  append(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    return settle(() => {
      const { lastInsertRowid } = this.#handle.db
        .prepare('INSERT INTO audit (ts, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)')
        .run(entry.ts, entry.actor, entry.action, entry.subject, entry.detail);
      return { id: String(lastInsertRowid), ...entry };
    });
  }

  list(query: AuditQuery = {}): Promise<readonly AuditEntry[]> {
    return settle(() => {
      const limit = Math.min(1000, Math.max(1, Math.floor(query.limit ?? 100)));
      const before = query.before === undefined ? Number.MAX_SAFE_INTEGER : Number(query.before);
      const rows = this.#handle.db
        .prepare('SELECT * FROM audit WHERE seq < ? ORDER BY seq DESC LIMIT ?')
        .all(Number.isFinite(before) ? before : 0, limit) as AuditRow[];
      return rows.map(toEntry);
    });
  }
}
