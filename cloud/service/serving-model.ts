import type { AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import type { Logger } from '../../shared/logging.js';
import type { FireModel } from '../../shared/model/fire-model.js';
import { loadOnnxModel, OnnxModel } from '../../shared/model/onnx-model.js';
import { RuleModel } from '../../shared/model/rule-model.js';
import type { ModelRegistry } from '../../factory/registry/model-registry.js';

/**
 * The model the inference API serves: the registry's current (newest
 * approved) model, or the rules when there is no registry or no approved
 * model. `refresh()` reloads after an approval or a finished rollout; the old
 * session is closed only after the new one is in place.
 */
export class ServingModel {
  readonly #registry: ModelRegistry | undefined;
  readonly #log: Logger;
  readonly #rules = new RuleModel();
  #model: FireModel = this.#rules;

  constructor(registry: ModelRegistry | undefined, logger: Logger) {
    this.#registry = registry;
    this.#log = logger.child({ component: 'serving-model' });
  }

  current(): FireModel {
    return this.#model;
  }

  /** The alarm policy of the served model's manifest; undefined for the rules. */
  policy(): AlarmPolicy | undefined {
    return this.#model instanceof OnnxModel ? this.#model.manifest.alarm : undefined;
  }

  async refresh(): Promise<void> {
    const registry = this.#registry;
    if (registry === undefined) return;
    const record = await registry.current();
    if (record === undefined || record.version === this.#model.version) return;
    try {
      const { bytes, manifest } = await registry.fetchModel(record.version);
      const next = await loadOnnxModel(bytes, manifest);
      const previous = this.#model;
      this.#model = next;
      if (previous !== this.#rules) await previous.close();
      this.#log.info({ version: next.version }, 'inference serves a new model');
    } catch (error) {
      this.#log.error(
        { err: error, version: record.version },
        'model not loaded; inference keeps the previous one',
      );
    }
  }

  async close(): Promise<void> {
    const model = this.#model;
    this.#model = this.#rules;
    if (model !== this.#rules) await model.close();
  }
}
