import { EmberError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { LearningStore } from './learning-store.js';
import { OUTCOMES } from '../../shared/schemas/outcomes.js';
import type { OutcomeInput } from './learning-types.js';

/** What one round over the queue needs of the agent. */
export interface OutcomeLearner {
  /** The open store while the agent leads; undefined once it stopped leading or stopped. */
  readonly store: () => LearningStore | undefined;
  /** Learns one queued outcome and records it in the same transaction as taking it off the queue. */
  readonly learn: (input: OutcomeInput, seq: number) => Promise<unknown>;
  readonly log: Logger;
}

/**
 * Learns the queued outcomes one at a time, oldest first, until the queue
 * is empty or the agent stops leading. An outcome that cannot be read, or
 * whose learning fails for a reason other than the database being away
 * (which would fail it every time), is logged and dropped; with the
 * database away the round ends and the next tries again.
 */
export async function learnQueuedOutcomes(learner: OutcomeLearner): Promise<void> {
  for (let store = learner.store(); store !== undefined; store = learner.store()) {
    const batch = store.queued(20);
    if (batch.length === 0) return;
    for (const queued of batch) {
      const current = learner.store();
      if (current === undefined) return;
      if (queued.input === undefined) {
        learner.log.error({ seq: queued.seq }, 'a queued outcome is unreadable; dropped');
        current.drop(queued.seq);
        continue;
      }
      try {
        await learner.learn(queued.input, queued.seq);
      } catch (error) {
        learner.log.error({ err: error, incident: queued.input.incident.id }, 'outcome not learned');
        if (error instanceof EmberError && error.retryable) return;
        learner.store()?.drop(queued.seq);
      }
    }
  }
}

/** Throws EMBER_ERR_BAD_OUTCOME for an outcome that is not one of OUTCOMES. */
export function checkOutcome(input: OutcomeInput): void {
  if (!(OUTCOMES as readonly string[]).includes(input.outcome)) {
    throw new EmberError(
      'EMBER_ERR_BAD_OUTCOME',
      `outcome ${JSON.stringify(input.outcome)} is not one of ${OUTCOMES.join(', ')}`,
    );
  }
}
