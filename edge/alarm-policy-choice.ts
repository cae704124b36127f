import { DEFAULT_ALARM_POLICY, type AlarmPolicy } from '../shared/alarm/alarm-policy.js';
import type { FireModel } from '../shared/model/fire-model.js';
import { OnnxModel } from '../shared/model/onnx-model.js';

/**
 * The alarm policy the pipeline runs with: the cloud's override, else the
 * configured policy, else the active model's manifest, else the default. Pure.
 */
export function chooseAlarmPolicy(
  cloud: AlarmPolicy | undefined,
  configured: AlarmPolicy | undefined,
  model: FireModel,
): AlarmPolicy {
  const manifest = model instanceof OnnxModel ? model.manifest.alarm : undefined;
  return cloud ?? configured ?? manifest ?? DEFAULT_ALARM_POLICY;
}
