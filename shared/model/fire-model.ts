/**
 * What the edge, evaluation and the inference API need from a model: fire
 * probabilities for a batch of feature vectors in the published order.
 */
export interface FireModel {
  /** A name for logs and status: the model version, or `rules` for the fallback. */
  readonly version: string;
  /** Feature names, in the order the vectors carry them. */
  readonly featureNames: readonly string[];
  /** One probability in [0, 1] per vector. NaN features mean "missing". */
  predict(vectors: readonly Float32Array[]): Promise<Float32Array>;
  /** Frees native resources; the model must not be used afterwards. */
  close(): Promise<void>;
}
