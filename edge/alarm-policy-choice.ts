import { DEFAULT_ALARM_POLICY, type AlarmPolicy } from '../shared/alarm/alarm-policy.js';
import type { FireModel } from '../shared/model/fire-model.js';
import { OnnxModel } from '../shared/model/onnx-model.js';

/**
 * The alarm policy the pipeline runs with: the cloud's override, else the
 * configured policy, else the active model's manifest, else the default.
 * An override without a sustained high rule keeps the model's, fitted
 * between the override's medium and high: the rule belongs to the model (a
 * slow smoulder is found through it), an override only shifts thresholds.
 * Pure.
 */
export function chooseAlarmPolicy(
  cloud: AlarmPolicy | undefined,
  configured: AlarmPolicy | undefined,
  model: FireModel,
): AlarmPolicy {
  const manifest = model instanceof OnnxModel ? model.manifest.alarm : undefined;
  const chosen = cloud ?? configured ?? manifest ?? DEFAULT_ALARM_POLICY;
  const rule = manifest?.sustainedHigh;
  if (chosen.sustainedHigh !== undefined || rule === undefined) return chosen;
  const threshold = Math.min(chosen.high.threshold, Math.max(chosen.medium.threshold, rule.threshold));
  if (threshold >= chosen.high.threshold || threshold <= chosen.hysteresis) return chosen;
  return {
    ...chosen,
    sustainedHigh: { threshold, raiseAfter: Math.max(rule.raiseAfter, chosen.high.raiseAfter) },
  };
}
