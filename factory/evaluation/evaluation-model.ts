import { DEFAULT_ALARM_POLICY, type AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import type { FireModel } from '../../shared/model/fire-model.js';
import { loadModelDir } from '../../shared/model/model-dir.js';
import { RuleModel } from '../../shared/model/rule-model.js';

/** `--model rules`: the rule fallback every device runs when it has no model. */
export const RULES_MODEL = 'rules';

/** A model ready to score, with the alarm policy it ships with. */
export interface EvaluationModel {
  readonly model: FireModel;
  readonly policy: AlarmPolicy;
  /** The model's folder; undefined for the rules. */
  readonly dir: string | undefined;
}

/**
 * Opens `rules` or a model folder, verified as a device would verify it
 * (manifest, feature set, checksum, reference inputs). A folder's policy is
 * its manifest's `alarm`; the rules use the default policy.
 */
export async function openEvaluationModel(spec: string): Promise<EvaluationModel> {
  if (spec === RULES_MODEL) return { model: new RuleModel(), policy: DEFAULT_ALARM_POLICY, dir: undefined };
  const model = await loadModelDir(spec);
  return { model, policy: model.manifest.alarm, dir: spec };
}
