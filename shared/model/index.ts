export type { FireModel } from './fire-model.js';
export { RuleModel, ruleProbability } from './rule-model.js';
export {
  assertFeatureSet,
  decodeManifest,
  fromJsonVector,
  ModelManifest,
  parseManifest,
  ReferenceInput,
  toJsonVector,
} from './manifest.js';
export { loadOnnxModel, OnnxModel, type OnnxModelOptions } from './onnx-model.js';
export {
  checkReferenceInputs,
  encodeManifest,
  loadModelDir,
  MANIFEST_FILE,
  REFERENCE_TOLERANCE,
  sha256Hex,
  writeModelDir,
  type LoadModelDirOptions,
} from './model-dir.js';
export { buildManifest, type BuildManifestInput } from './build-manifest.js';
export {
  canonicalJson,
  generateOfferKeys,
  keyIdOf,
  ModelOffer,
  ModelSource,
  offerSigningPayload,
  signOffer,
  verifyOffer,
  type UnsignedModelOffer,
} from './model-signature.js';
export { ModelReport, type ModelReportStatus } from './model-report.js';
