import type { LearningDecision } from '../contracts/cloud-values.js';
import type { Retrainer, RolloutStarter } from './learning-types.js';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs the retraining a decision asked for (`reason`), and rolls out an
 * approved model when a rollout is given: the decision with its
 * explanation and details saying what happened. Never throws; a failure is
 * part of the explanation. `stillLeading` is asked before the rollout, so
 * a worker that lost the learning role in the meantime starts none.
 */
export async function runRetrain(
  decision: LearningDecision,
  reason: string,
  retrainer: Retrainer,
  rollout: RolloutStarter | undefined,
  stillLeading: () => boolean,
): Promise<LearningDecision | undefined> {
  const details: Record<string, unknown> = { ...decision.details };
  let explanation = decision.explanation;
  try {
    const result = await retrainer.retrain(reason);
    if (!stillLeading()) return undefined;
    details['retrain'] = {
      version: result.version,
      approved: result.approved,
      notes: result.notes ?? [],
    };
    details['verdict'] = result.verdict;
    if (!result.approved) {
      explanation += ` Model ${result.version} was trained but the registry gate refused it; the fleet keeps its model.`;
    } else if (rollout === undefined) {
      explanation += ` Model ${result.version} passed the gate; no rollout is configured.`;
    } else {
      try {
        const started = await rollout.start({ version: result.version });
        details['rolloutId'] = started.id;
        explanation += ` Model ${result.version} passed the gate and is rolling out (${started.id}).`;
      } catch (error) {
        details['rolloutError'] = messageOf(error);
        explanation += ` Model ${result.version} passed the gate but its rollout did not start: ${messageOf(error)}.`;
      }
    }
  } catch (error) {
    if (!stillLeading()) return undefined;
    details['retrain'] = { error: messageOf(error) };
    explanation += ` Retraining failed: ${messageOf(error)}.`;
  }
  return { ...decision, explanation, details };
}

/** What the queue needs of the agent it retrains for. */
export interface RetrainQueueOptions {
  readonly retrainer: Retrainer | undefined;
  readonly rollout: RolloutStarter | undefined;
  /** True while the agent leads (and its store is open). */
  readonly leading: () => boolean;
  /** The decision with the retraining's result; undefined when the agent stopped leading meanwhile. */
  readonly finished: (decision: LearningDecision, updated: LearningDecision | undefined) => void;
}

/**
 * The retrainings decisions asked for, run one at a time in the order they
 * were added; a decision already waiting or running is not added twice
 * (taking the learning role up again reads the owed ones once more).
 */
export class RetrainQueue {
  readonly #options: RetrainQueueOptions;
  readonly #queued = new Set<string>();
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: RetrainQueueOptions) {
    this.#options = options;
  }

  /** Settles once everything added so far has run. */
  get tail(): Promise<unknown> {
    return this.#tail;
  }

  add(decision: LearningDecision, reason: string): void {
    const { retrainer, rollout, leading, finished } = this.#options;
    if (retrainer === undefined || this.#queued.has(decision.id)) return;
    this.#queued.add(decision.id);
    const run = async (): Promise<void> => {
      try {
        if (!leading()) return;
        finished(decision, await runRetrain(decision, reason, retrainer, rollout, leading));
      } finally {
        this.#queued.delete(decision.id);
      }
    };
    this.#tail = this.#tail.then(run, run);
  }
}
