import { PRIORITIES, type Priority } from './message.js';
import type { OutboxStats, PriorityStats } from './outbox.js';
import type { OutboxLedger, QuotaLimits } from './quota-policy.js';

/** Assembles {@link OutboxStats} from a ledger and the `createdAt` of each rank's head (undefined when empty). */
export function buildStats(
  ledger: OutboxLedger,
  oldestByRank: readonly (number | undefined)[],
  leased: number,
  limits: QuotaLimits,
  now: number,
): OutboxStats {
  const entries = PRIORITIES.map((priority, rank): [Priority, PriorityStats] => [
    priority,
    {
      messages: ledger.messagesByRank[rank] ?? 0,
      bytes: ledger.bytesByRank[rank] ?? 0,
      oldestCreatedAt: oldestByRank[rank],
      evicted: ledger.evictedByRank[rank] ?? 0,
    },
  ]);
  const heads = oldestByRank.filter((t): t is number => t !== undefined);
  return {
    byPriority: Object.fromEntries(entries) as Record<Priority, PriorityStats>,
    messages: ledger.totalMessages,
    bytes: ledger.totalBytes,
    oldestAgeMs: heads.length === 0 ? 0 : Math.max(0, now - Math.min(...heads)),
    leased,
    quotaBytes: limits.quotaBytes,
    hardCeilingBytes: limits.hardCeilingBytes,
  };
}
