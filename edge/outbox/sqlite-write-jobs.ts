import { EmberError } from '../../shared/errors.js';
import { PRIORITIES, rankOf, type OutboxMessage } from './message.js';
import { planAdmission, type OutboxLedger, type QuotaLimits } from './quota-policy.js';
import type { DrainPosition } from './lease-book.js';
import type { SqliteOutboxTable } from './sqlite-outbox-table.js';

/** One caller's write, waiting for the next group commit. */
export type WriteJob =
  | {
      readonly kind: 'enqueue';
      readonly messages: OutboxMessage[];
      /** Rank of the lowest priority in the group: the quota judges the group by it. */
      readonly rank: number;
      readonly bytes: readonly number[];
      readonly resolve: (m: OutboxMessage[]) => void;
      readonly reject: (e: Error) => void;
    }
  | {
      readonly kind: 'ack';
      readonly ids: readonly string[];
      readonly resolve: (n: number) => void;
      readonly reject: (e: Error) => void;
    }
  | {
      readonly kind: 'nack';
      readonly ids: readonly string[];
      readonly resolve: () => void;
      readonly reject: (e: Error) => void;
    };

export interface WriteOutcome {
  /** Promise settlements, to run only after the transaction committed. */
  readonly settle: (() => void)[];
  /** Ids whose rows are gone (acked or evicted): their leases end. */
  readonly deleted: string[];
  /** Ids nacked: their leases end, their rows stay. */
  readonly returned: string[];
  /** Places of the rows inserted. */
  readonly inserted: DrainPosition[];
  readonly enqueued: number;
}

/**
 * Applies jobs in arrival order inside the caller's transaction, updating
 * `ledger` (a copy the caller adopts only after the commit). A refused
 * enqueue touches nothing and rejects on its own; the other jobs go ahead.
 */
export function applyWriteJobs(
  table: SqliteOutboxTable,
  jobs: readonly WriteJob[],
  ledger: OutboxLedger,
  limits: QuotaLimits,
  seqOfLease: (id: string) => number | undefined = () => undefined,
): WriteOutcome {
  const outcome: WriteOutcome & { enqueued: number } = {
    settle: [],
    deleted: [],
    returned: [],
    inserted: [],
    enqueued: 0,
  };
  for (const job of jobs) {
    if (job.kind === 'enqueue') {
      const total = job.bytes.reduce((sum, b) => sum + b, 0);
      const priority = PRIORITIES[job.rank] ?? 'telemetry';
      const plan = planAdmission(priority, total, { bytesByRank: ledger.bytesByRank }, limits);
      if (!plan.admit) {
        outcome.settle.push(() => job.reject(new EmberError(plan.code, plan.reason, { retryable: true })));
        continue;
      }
      let freed = 0;
      for (const evictable of plan.evictFrom) {
        const rank = rankOf(evictable);
        while (freed < plan.evictBytes) {
          const evicted = table.evictOldest(rank);
          if (evicted === undefined) break;
          ledger.evicted(rank, evicted.bytes);
          outcome.deleted.push(evicted.id);
          freed += evicted.bytes;
        }
      }
      job.messages.forEach((m, i) => {
        const bytes = job.bytes[i] ?? 0;
        const rank = rankOf(m.priority);
        outcome.inserted.push({ rank, seq: table.insert(m, rank, bytes) });
        ledger.add(rank, bytes);
      });
      outcome.enqueued += job.messages.length;
      outcome.settle.push(() => job.resolve(job.messages));
    } else if (job.kind === 'ack') {
      let deleted = 0;
      for (const id of job.ids) {
        const seq = seqOfLease(id);
        const row = (seq === undefined ? undefined : table.deleteLeased(seq, id)) ?? table.deleteById(id);
        if (row === undefined) continue;
        ledger.remove(row.rank, row.bytes);
        deleted++;
      }
      outcome.deleted.push(...job.ids);
      outcome.settle.push(() => job.resolve(deleted));
    } else {
      for (const id of job.ids) table.countAttempt(id);
      outcome.returned.push(...job.ids);
      outcome.settle.push(() => job.resolve());
    }
  }
  return outcome;
}

const ANOMALY_RANK = rankOf('anomaly');

/** What the reserve is for: alarms, anomalies, and the acks that free room for them. */
export function mayUseReserve(job: WriteJob): boolean {
  return job.kind !== 'enqueue' || job.rank <= ANOMALY_RANK;
}

/** Refuses the telemetry and status of `jobs` (the space left is for alarms); returns the rest. */
export function keepForReserve(jobs: readonly WriteJob[]): WriteJob[] {
  return jobs.filter((job) => {
    if (mayUseReserve(job)) return true;
    const reason = 'disk full: the space left is kept for alarms and anomalies';
    job.reject(new EmberError('EMBER_ERR_OUTBOX_FULL', reason, { retryable: true }));
    return false;
  });
}
