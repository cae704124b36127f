import type { Logger } from '../../shared/logging.js';
import type { FireModel } from '../../shared/model/fire-model.js';
import { RuleModel } from '../../shared/model/rule-model.js';

/** Where the active model comes from: the ModelUpdater, or a fixed model in tests and tools. */
export interface ModelProvider {
  currentModel(): FireModel;
  reportInferenceFailure?(error: unknown, model: FireModel): void;
  reportInferenceSuccess?(): void;
}

export interface Prediction {
  readonly probability: number;
  readonly modelVersion: string;
}

/** Upper bounds (seconds) of the inference latency histogram. */
export const LATENCY_BUCKETS_S = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1,
] as const;

/** Cumulative-free counts per bucket plus sum and count, as a Prometheus histogram needs. */
export interface LatencyHistogram {
  readonly buckets: readonly number[];
  readonly count: number;
  readonly sumS: number;
}

/**
 * Runs one feature vector through the current model. A failing model is
 * reported to the provider (which may roll it back) and the rules answer for
 * that step, so a device never goes without an estimate.
 */
export class ModelRunner {
  readonly #provider: ModelProvider;
  readonly #rules = new RuleModel();
  readonly #log: Logger;
  readonly #buckets = new Array<number>(LATENCY_BUCKETS_S.length).fill(0);
  #count = 0;
  #sumS = 0;
  #failures = 0;

  constructor(provider: ModelProvider, logger: Logger) {
    this.#provider = provider;
    this.#log = logger.child({ component: 'model-runner' });
  }

  get failures(): number {
    return this.#failures;
  }

  latency(): LatencyHistogram {
    return { buckets: [...this.#buckets], count: this.#count, sumS: this.#sumS };
  }

  async predict(vector: Float32Array): Promise<Prediction> {
    const model = this.#provider.currentModel();
    const started = performance.now();
    try {
      const out = await model.predict([vector]);
      const probability = out[0];
      if (probability === undefined || !(probability >= 0 && probability <= 1)) {
        throw new Error(`model ${model.version} gave ${String(probability)}`);
      }
      this.#observe((performance.now() - started) / 1000);
      if (model.version !== this.#rules.version) this.#provider.reportInferenceSuccess?.();
      return { probability, modelVersion: model.version };
    } catch (error) {
      this.#failures++;
      this.#log.warn({ err: error, model: model.version }, 'inference failed; the rules answer this step');
      this.#provider.reportInferenceFailure?.(error, model);
      const out = await this.#rules.predict([vector]);
      return { probability: out[0] ?? 0, modelVersion: this.#rules.version };
    }
  }

  #observe(seconds: number): void {
    this.#count++;
    this.#sumS += seconds;
    const index = LATENCY_BUCKETS_S.findIndex((bound) => seconds <= bound);
    if (index >= 0) this.#buckets[index] = (this.#buckets[index] ?? 0) + 1;
  }
}
