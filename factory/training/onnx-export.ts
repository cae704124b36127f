import { EmberError } from '../../shared/errors.js';
import type { GbdtModel, Tree } from './gbdt-model.js';
import { OnnxAttributeType, OnnxDataType, onnxModelType } from './onnx-schema.js';

/** Name of the model input: float32 [N, nFeatures], NaN for a missing channel. */
export const ONNX_INPUT = 'features';
/** Name of the fire-probability output: float32 [N]. */
export const ONNX_PROBABILITY_OUTPUT = 'probability';
/** Name of the raw-margin (log-odds) output: float32 [N]. */
export const ONNX_MARGIN_OUTPUT = 'margin';

/** What to stamp into the exported model besides the trees. */
export interface OnnxExportOptions {
  /** Emberwatch release that trained the model, stored as metadata and producer version. */
  readonly emberwatchVersion: string;
  /** One name per feature column, in order. */
  readonly featureNames?: readonly string[];
  /** Extra metadata_props; keys must not clash with the ones the exporter writes. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** ModelProto.model_version; a positive integer. */
  readonly modelVersion?: number;
}

const IR_VERSION = 8;
const ONNX_OPSET = 13;
const ML_OPSET = 3;
const ML_DOMAIN = 'ai.onnx.ml';
const TREE_SUM = 'tree_sum';
const MARGIN_SHAPE = 'margin_shape';
const BATCH = 'N';

type Attribute = Record<string, unknown>;

/**
 * Encodes a model as ONNX bytes: TreeEnsembleRegressor (SUM, base value =
 * baseScore, BRANCH_LT, NaN following each node's learned direction) →
 * Reshape to [N] ('margin') → Sigmoid ('probability').
 */
export function exportGbdtToOnnx(model: GbdtModel, options: OnnxExportOptions): Uint8Array {
  const metadata = metadataProps(model, options);
  const ensemble = {
    input: [ONNX_INPUT],
    output: [TREE_SUM],
    name: 'trees',
    opType: 'TreeEnsembleRegressor',
    domain: ML_DOMAIN,
    attribute: ensembleAttributes(model),
  };
  const reshape = {
    input: [TREE_SUM, MARGIN_SHAPE],
    output: [ONNX_MARGIN_OUTPUT],
    name: 'flatten',
    opType: 'Reshape',
  };
  const sigmoid = {
    input: [ONNX_MARGIN_OUTPUT],
    output: [ONNX_PROBABILITY_OUTPUT],
    name: 'logistic',
    opType: 'Sigmoid',
  };
  const graph = {
    name: 'emberwatch_fire_gbdt',
    node: [ensemble, reshape, sigmoid],
    initializer: [{ name: MARGIN_SHAPE, dims: [1], dataType: OnnxDataType.INT64, int64Data: [-1] }],
    input: [floatTensorInfo(ONNX_INPUT, [BATCH, model.nFeatures])],
    output: [floatTensorInfo(ONNX_PROBABILITY_OUTPUT, [BATCH]), floatTensorInfo(ONNX_MARGIN_OUTPUT, [BATCH])],
  };
  const modelProto = {
    irVersion: IR_VERSION,
    producerName: 'emberwatch',
    producerVersion: options.emberwatchVersion,
    domain: 'org.emberwatch',
    modelVersion: options.modelVersion ?? 1,
    docString: 'Emberwatch fire detector: probability that a fire is in progress.',
    graph,
    opsetImport: [
      { domain: '', version: ONNX_OPSET },
      { domain: ML_DOMAIN, version: ML_OPSET },
    ],
    metadataProps: metadata,
  };
  const type = onnxModelType();
  return type.encode(type.fromObject(modelProto)).finish();
}

function ensembleAttributes(model: GbdtModel): Attribute[] {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const values: number[] = [];
  const modes: string[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTracksTrue: number[] = [];
  const targetTreeIds: number[] = [];
  const targetNodeIds: number[] = [];
  const targetWeights: number[] = [];
  // ONNX Runtime rejects an ensemble without nodes, so an empty model exports one zero leaf.
  const trees: readonly Tree[] =
    model.trees.length > 0 ? model.trees : [{ nodes: [{ kind: 'leaf', value: 0 }] }];
  trees.forEach((tree, t) => {
    tree.nodes.forEach((node, n) => {
      treeIds.push(t);
      nodeIds.push(n);
      if (node.kind === 'leaf') {
        featureIds.push(0);
        values.push(0);
        modes.push('LEAF');
        trueIds.push(0);
        falseIds.push(0);
        missingTracksTrue.push(0);
        targetTreeIds.push(t);
        targetNodeIds.push(n);
        targetWeights.push(node.value);
        return;
      }
      // BRANCH_LT's "true" branch is x < threshold, which is the trainer's left.
      featureIds.push(node.feature);
      values.push(node.threshold);
      modes.push('BRANCH_LT');
      trueIds.push(node.left);
      falseIds.push(node.right);
      missingTracksTrue.push(node.missingGoesLeft ? 1 : 0);
    });
  });
  assertFloat32Exact(values, 'threshold');
  assertFloat32Exact(targetWeights, 'leaf value');
  return [
    intAttribute('n_targets', 1),
    stringAttribute('aggregate_function', 'SUM'),
    stringAttribute('post_transform', 'NONE'),
    floatsAttribute('base_values', [model.baseScore]),
    intsAttribute('nodes_treeids', treeIds),
    intsAttribute('nodes_nodeids', nodeIds),
    intsAttribute('nodes_featureids', featureIds),
    floatsAttribute('nodes_values', values),
    stringsAttribute('nodes_modes', modes),
    intsAttribute('nodes_truenodeids', trueIds),
    intsAttribute('nodes_falsenodeids', falseIds),
    intsAttribute('nodes_missing_value_tracks_true', missingTracksTrue),
    intsAttribute('target_treeids', targetTreeIds),
    intsAttribute('target_nodeids', targetNodeIds),
    intsAttribute(
      'target_ids',
      targetTreeIds.map(() => 0),
    ),
    floatsAttribute('target_weights', targetWeights),
  ];
}

function metadataProps(model: GbdtModel, options: OnnxExportOptions): { key: string; value: string }[] {
  const names = options.featureNames;
  if (names !== undefined && names.length !== model.nFeatures) {
    throw new EmberError(
      'EMBER_ERR_BAD_MODEL',
      `${names.length} feature names for ${model.nFeatures} features`,
    );
  }
  const own: Record<string, string> = {
    'emberwatch.version': options.emberwatchVersion,
    'emberwatch.model_format': `${model.format}/${model.formatVersion}`,
    'emberwatch.objective': model.objective,
    'emberwatch.n_features': String(model.nFeatures),
    'emberwatch.n_trees': String(model.trees.length),
    'emberwatch.input': ONNX_INPUT,
    'emberwatch.outputs': `${ONNX_PROBABILITY_OUTPUT},${ONNX_MARGIN_OUTPUT}`,
  };
  if (names !== undefined) own['emberwatch.feature_names'] = JSON.stringify(names);
  for (const key of Object.keys(options.metadata ?? {})) {
    if (key in own)
      throw new EmberError('EMBER_ERR_BAD_MODEL', `metadata key "${key}" is reserved by the exporter`);
  }
  return Object.entries({ ...own, ...options.metadata }).map(([key, value]) => ({ key, value }));
}

function assertFloat32Exact(values: readonly number[], what: string): void {
  const bad = values.find((v) => Math.fround(v) !== v && !Number.isNaN(v));
  if (bad !== undefined) {
    throw new EmberError(
      'EMBER_ERR_BAD_MODEL',
      `${what} ${bad} is not float32-representable; ONNX would round it`,
    );
  }
}

function floatTensorInfo(name: string, dims: readonly (number | string)[]): Attribute {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: OnnxDataType.FLOAT, shape: { dim } } } };
}

function intAttribute(name: string, i: number): Attribute {
  return { name, type: OnnxAttributeType.INT, i };
}

function stringAttribute(name: string, s: string): Attribute {
  return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(s) };
}

function intsAttribute(name: string, ints: readonly number[]): Attribute {
  return { name, type: OnnxAttributeType.INTS, ints };
}

function floatsAttribute(name: string, floats: readonly number[]): Attribute {
  return { name, type: OnnxAttributeType.FLOATS, floats };
}

function stringsAttribute(name: string, strings: readonly string[]): Attribute {
  const encoder = new TextEncoder();
  return { name, type: OnnxAttributeType.STRINGS, strings: strings.map((s) => encoder.encode(s)) };
}
