import { PRIORITIES, rankOf, type Priority } from './message.js';

/** The disk budget of an outbox, in accounted bytes (see `storedBytes`). */
export interface QuotaLimits {
  /** Telemetry and status are evicted or refused beyond this. */
  readonly quotaBytes: number;
  /** Alarms and anomalies may use the room between the quota and this ceiling; nothing is stored beyond it. */
  readonly hardCeilingBytes: number;
}

/** What the outbox holds now, by priority rank (index 0 = alarm). */
export interface QuotaUsage {
  readonly bytesByRank: readonly number[];
}

export type AdmissionPlan =
  | {
      readonly admit: true;
      /** Free at least this many bytes first, oldest first, from `evictFrom` in order. 0 = evict nothing. */
      readonly evictBytes: number;
      readonly evictFrom: readonly Priority[];
    }
  | {
      readonly admit: false;
      readonly code: 'EMBER_ERR_OUTBOX_FULL' | 'EMBER_ERR_OUTBOX_HARD_LIMIT';
      readonly reason: string;
    };

/**
 * Classes an incoming message may push out, in eviction order: telemetry,
 * then status, and only classes ranked no higher than the newcomer (new
 * telemetry never pushes out a status message). Alarms and anomalies are
 * never evicted by anything.
 */
export function evictableBy(incoming: Priority): readonly Priority[] {
  const rank = rankOf(incoming);
  return (['telemetry', 'status'] as const).filter((p) => rankOf(p) >= rank);
}

/**
 * Decides whether `bytes` more of class `priority` may be stored, and what
 * must be evicted first. The policy, in order:
 * 1. Within the quota: store, evict nothing.
 * 2. Over the quota: evict the oldest messages of the classes in
 *    {@link evictableBy} until the newcomer fits.
 * 3. Still over (only higher classes remain): refuse telemetry and status
 *    (EMBER_ERR_OUTBOX_FULL, retryable once the link drains the backlog);
 *    store alarms and anomalies anyway, after evicting every evictable
 *    byte, as long as the total stays under the hard ceiling; beyond it
 *    refuse them too (EMBER_ERR_OUTBOX_HARD_LIMIT).
 * Refusals evict nothing: data is never destroyed for a message that is not stored.
 */
export function planAdmission(
  priority: Priority,
  bytes: number,
  usage: QuotaUsage,
  limits: QuotaLimits,
): AdmissionPlan {
  const used = usage.bytesByRank.reduce((sum, b) => sum + b, 0);
  const over = used + bytes - limits.quotaBytes;
  if (over <= 0) return { admit: true, evictBytes: 0, evictFrom: [] };
  const evictFrom = evictableBy(priority);
  const evictable = evictFrom.reduce((sum, p) => sum + (usage.bytesByRank[rankOf(p)] ?? 0), 0);
  if (evictable >= over) return { admit: true, evictBytes: over, evictFrom };
  const protectedClass = priority === 'alarm' || priority === 'anomaly';
  if (!protectedClass) {
    return {
      admit: false,
      code: 'EMBER_ERR_OUTBOX_FULL',
      reason: `outbox quota of ${limits.quotaBytes} bytes is full of messages ${priority} may not evict`,
    };
  }
  if (used - evictable + bytes > limits.hardCeilingBytes) {
    return {
      admit: false,
      code: 'EMBER_ERR_OUTBOX_HARD_LIMIT',
      reason: `outbox hard ceiling of ${limits.hardCeilingBytes} bytes reached by alarms and anomalies`,
    };
  }
  return { admit: true, evictBytes: evictable, evictFrom };
}

/** Message counts, accounted bytes and eviction counts per priority rank; both outbox stores keep one. */
export class OutboxLedger {
  readonly messagesByRank: number[] = PRIORITIES.map(() => 0);
  readonly bytesByRank: number[] = PRIORITIES.map(() => 0);
  readonly evictedByRank: number[] = PRIORITIES.map(() => 0);

  get totalBytes(): number {
    return this.bytesByRank.reduce((sum, b) => sum + b, 0);
  }

  get totalMessages(): number {
    return this.messagesByRank.reduce((sum, n) => sum + n, 0);
  }

  add(rank: number, bytes: number): void {
    this.messagesByRank[rank] = (this.messagesByRank[rank] ?? 0) + 1;
    this.bytesByRank[rank] = (this.bytesByRank[rank] ?? 0) + bytes;
  }

  remove(rank: number, bytes: number): void {
    this.messagesByRank[rank] = (this.messagesByRank[rank] ?? 0) - 1;
    this.bytesByRank[rank] = (this.bytesByRank[rank] ?? 0) - bytes;
  }

  evicted(rank: number, bytes: number): void {
    this.remove(rank, bytes);
    this.evictedByRank[rank] = (this.evictedByRank[rank] ?? 0) + 1;
  }

  /** Evictions per priority since `before` (a copy of evictedByRank); undefined when there were none. */
  evictedSince(before: readonly number[]): Partial<Record<Priority, number>> | undefined {
    const entries = PRIORITIES.map(
      (priority, rank) => [priority, (this.evictedByRank[rank] ?? 0) - (before[rank] ?? 0)] as const,
    ).filter(([, count]) => count > 0);
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }

  /** A copy to work on inside a transaction; `adopt` it after the commit, drop it after a rollback. */
  copy(): OutboxLedger {
    const copy = new OutboxLedger();
    copy.adopt(this);
    return copy;
  }

  adopt(other: OutboxLedger): void {
    this.messagesByRank.splice(0, Infinity, ...other.messagesByRank);
    this.bytesByRank.splice(0, Infinity, ...other.bytesByRank);
    this.evictedByRank.splice(0, Infinity, ...other.evictedByRank);
  }
}
