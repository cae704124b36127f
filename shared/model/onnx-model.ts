import './onnx-runtime-env.js';
import * as ort from 'onnxruntime-node';
import { EmberError } from '../errors.js';
import type { FireModel } from './fire-model.js';
import type { ModelManifest } from './manifest.js';

/** How a session runs. */
export interface OnnxModelOptions {
  /**
   * Threads for one inference. The edge predicts one row a second per device,
   * where a thread pool only adds wake-up latency (p99 ten times worse in our
   * measurement) and competes with the rest of the agent; batch scoring in
   * the cloud may ask for more.
   */
  readonly threads?: number;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A trained model run by ONNX Runtime on the CPU. One `session.run` per
 * batch; a single vector reuses one preallocated input tensor, so the
 * once-a-second path allocates nothing but the output.
 */
export class OnnxModel implements FireModel {
  readonly version: string;
  readonly featureNames: readonly string[];
  readonly manifest: ModelManifest;
  readonly #session: ort.InferenceSession;
  readonly #inputName: string;
  readonly #fetches: readonly string[];
  readonly #single: Float32Array;
  readonly #singleFeeds: Record<string, ort.Tensor>;
  #singleBusy = false;
  #inFlight = 0;
  #closed = false;
  #closing: Promise<void> | undefined;
  #idle: (() => void) | undefined;

  /** Use {@link loadOnnxModel}; the constructor takes a session that is already open. */
  constructor(session: ort.InferenceSession, manifest: ModelManifest) {
    this.#session = session;
    this.manifest = manifest;
    this.version = manifest.version;
    this.featureNames = manifest.featureNames;
    this.#inputName = manifest.model.inputName;
    this.#fetches = [manifest.model.outputName];
    this.#single = new Float32Array(manifest.featureNames.length);
    this.#singleFeeds = {
      [this.#inputName]: new ort.Tensor('float32', this.#single, [1, this.#single.length]),
    };
  }

  async predict(vectors: readonly Float32Array[]): Promise<Float32Array> {
    if (this.#closed) throw new EmberError('EMBER_ERR_MODEL_CLOSED', `model ${this.version} is closed`);
    const width = this.#single.length;
    vectors.forEach((vector, row) => {
      if (vector.length !== width) {
        throw new EmberError(
          'EMBER_ERR_MODEL_INPUT',
          `vector ${row} has ${vector.length} features; model ${this.version} takes ${width}`,
        );
      }
    });
    if (vectors.length === 0) return new Float32Array(0);
    // The binding reads the input on a later tick, so a second concurrent
    // single-row call must not overwrite the shared buffer: it packs its own.
    const first = vectors.length === 1 ? vectors[0] : undefined;
    const shared = first !== undefined && !this.#singleBusy;
    let feeds = this.#singleFeeds;
    if (shared) {
      this.#single.set(first);
      this.#singleBusy = true;
    } else {
      const packed = new Float32Array(vectors.length * width);
      vectors.forEach((vector, row) => packed.set(vector, row * width));
      feeds = { [this.#inputName]: new ort.Tensor('float32', packed, [vectors.length, width]) };
    }
    this.#inFlight += 1;
    try {
      return this.#checked(await this.#session.run(feeds, this.#fetches), vectors.length);
    } catch (error) {
      if (error instanceof EmberError) throw error;
      throw new EmberError('EMBER_ERR_MODEL_INFERENCE', `model ${this.version}: ${messageOf(error)}`, {
        cause: error,
      });
    } finally {
      if (shared) this.#singleBusy = false;
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#idle?.();
    }
  }

  /** Waits for predictions in flight, then frees the session; later predictions reject. */
  close(): Promise<void> {
    this.#closing ??= this.#release();
    return this.#closing;
  }

  async #release(): Promise<void> {
    this.#closed = true;
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.#idle = resolve;
      });
    }
    await this.#session.release();
  }

  #checked(result: ort.InferenceSession.ReturnType, rows: number): Float32Array {
    const output = result[this.#fetches[0] ?? ''];
    const data = output?.data;
    if (!(data instanceof Float32Array) || data.length !== rows) {
      throw new EmberError(
        'EMBER_ERR_MODEL_INFERENCE',
        `model ${this.version} did not return ${rows} float32 probabilities`,
      );
    }
    for (const p of data) {
      // NaN fails both comparisons, so it is caught too.
      if (!(p >= 0 && p <= 1)) {
        throw new EmberError('EMBER_ERR_MODEL_INFERENCE', `model ${this.version} gave probability ${p}`);
      }
    }
    return data;
  }
}

/**
 * Opens `bytes` with ONNX Runtime and checks that the graph has the input and
 * output the manifest names, with as many features as it lists. Does not
 * check the hash or reference inputs: {@link loadModelDir} does.
 */
export async function loadOnnxModel(
  bytes: Uint8Array,
  manifest: ModelManifest,
  options: OnnxModelOptions = {},
): Promise<OnnxModel> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // The models are small trees scored a row at a time: ONNX Runtime's CPU arena and memory
      // patterns would keep their high-water mark resident for the life of the session.
      enableCpuMemArena: false,
      enableMemPattern: false,
    });
  } catch (error) {
    throw new EmberError('EMBER_ERR_MODEL_LOAD', `model ${manifest.version}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const problem = graphProblem(session, manifest);
  if (problem !== undefined) {
    await session.release();
    throw new EmberError('EMBER_ERR_MODEL_LOAD', `model ${manifest.version}: ${problem}`);
  }
  return new OnnxModel(session, manifest);
}

function graphProblem(session: ort.InferenceSession, manifest: ModelManifest): string | undefined {
  const { inputName, outputName } = manifest.model;
  if (!session.outputNames.includes(outputName)) {
    return `no output '${outputName}' (outputs: ${session.outputNames.join(', ')})`;
  }
  const input = session.inputMetadata.find((m) => m.name === inputName);
  if (input === undefined) return `no input '${inputName}' (inputs: ${session.inputNames.join(', ')})`;
  if (!input.isTensor || input.type !== 'float32') return `input '${inputName}' is not a float32 tensor`;
  const width = input.shape[1];
  if (input.shape.length !== 2 || (typeof width === 'number' && width !== manifest.featureNames.length)) {
    return `input '${inputName}' has shape [${input.shape.join(', ')}], expected [N, ${manifest.featureNames.length}]`;
  }
  return undefined;
}
