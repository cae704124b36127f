/** Options of one publish; the outbox only ever asks for QoS 1. */
export interface PublishOptions {
  readonly qos: 1;
  /**
   * The outbox message id. An MQTT 5 link sends it as a user property
   * (`ember-id`) so the cloud can drop QoS 1 redeliveries without parsing payloads.
   */
  readonly messageId: string;
}

/**
 * What the drainer needs from the MQTT link: the IoT client implements it,
 * tests fake it.
 */
export interface Publisher {
  /** Resolves when the broker's PUBACK arrives; rejects if it will not (link lost, refused, closed). */
  publish(topic: string, payload: Buffer, options: PublishOptions): Promise<void>;
  /** True while connected; the drainer publishes nothing while false. */
  isOnline(): boolean;
  /** Calls `listener` when the link comes up, so the drainer does not wait for its next poll. Returns an unsubscribe function. */
  onOnline?(listener: () => void): () => void;
}
