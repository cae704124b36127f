import type { Logger } from '../shared/logging.js';
import type { DeviceConfigMessage } from '../shared/schemas/messages.js';
import { QUIET_REASONS, readCloudMessage } from './cloud-message.js';
import type { ModelUpdater } from './model/model-updater.js';

export interface CloudMessageTargets {
  readonly log: Logger;
  /** Takes model offers; undefined when no model folder is configured. */
  readonly updater: Pick<ModelUpdater, 'handleOffer'> | undefined;
  /** Takes a config message from the cloud (it decides whether it is new). */
  readonly applyConfig: (config: DeviceConfigMessage) => void;
}

/**
 * The link's `message` listener: a model offer (or signed rollback) goes to
 * the model updater, a config message to `applyConfig`; a malformed message
 * is logged and dropped.
 */
export function cloudMessageHandler(targets: CloudMessageTargets): (topic: string, payload: Buffer) => void {
  const { log, updater, applyConfig } = targets;
  return (topic, payload) => {
    const message = readCloudMessage(topic, payload);
    if (message.kind === 'ignored') {
      if (!QUIET_REASONS.includes(message.reason)) log.warn({ topic, path: message.path }, message.reason);
    } else if (message.kind === 'offer') {
      if (updater === undefined) log.warn('model offer ignored: no model folder configured');
      else void updater.handleOffer(message.body);
    } else {
      applyConfig(message.config);
    }
  };
}
