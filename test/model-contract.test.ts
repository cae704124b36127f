import { FEATURE_NAMES } from '../shared/features/feature-set.js';
import { describeFireModelContract } from '../shared/model/fire-model.contract.js';
import { loadOnnxModel } from '../shared/model/onnx-model.js';
import { RuleModel } from '../shared/model/rule-model.js';
import { syntheticVectors, tinyManifest, trainTinyModel } from './helpers/model-fixtures.js';

/** Rooms from quiet to burning, by the signs the rules look for, with some sensors missing. */
function ruleVectors(): Float32Array[] {
  const at = (name: string): number => FEATURE_NAMES.indexOf(name);
  return Array.from({ length: 8 }, (_, i) => {
    const v = new Float32Array(FEATURE_NAMES.length).fill(0);
    v[at('temp_dev')] = i * 2;
    v[at('co_dev')] = i * 4;
    v[at('co_d60')] = 0.01 * i;
    if (i % 3 === 0) v[at('pm25_level')] = Number.NaN;
    return v;
  });
}

describeFireModelContract('RuleModel', () => Promise.resolve(new RuleModel()), ruleVectors);

const tiny = trainTinyModel(1);
const manifest = await tinyManifest(tiny, 'contract-1');
describeFireModelContract(
  'OnnxModel (GBDT trained here)',
  () => loadOnnxModel(tiny.bytes, manifest),
  () => syntheticVectors(12, 5),
);
