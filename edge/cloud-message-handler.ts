import type { AlarmPolicy } from '../shared/alarm/alarm-policy.js';
import type { Logger } from '../shared/logging.js';
import { readCloudMessage } from './cloud-message.js';
import type { ModelUpdater } from './model/model-updater.js';

export interface CloudMessageTargets {
  readonly log: Logger;
  /** Takes model offers; undefined when no model folder is configured. */
  readonly updater: Pick<ModelUpdater, 'handleOffer'> | undefined;
  /** The cloud set an alarm policy override, or cleared it (undefined). */
  readonly setCloudPolicy: (policy: AlarmPolicy | undefined) => void;
}

/**
 * The link's `message` listener: a model offer goes to the model updater, a
 * config message's alarm policy to `setCloudPolicy` (a config without one
 * changes nothing); a malformed message is logged and dropped.
 */
export function cloudMessageHandler(targets: CloudMessageTargets): (topic: string, payload: Buffer) => void {
  const { log, updater, setCloudPolicy } = targets;
  return (topic, payload) => {
    const message = readCloudMessage(topic, payload);
    if (message.kind === 'ignored') {
      if (message.reason !== 'not for the agent') log.warn({ topic, path: message.path }, message.reason);
    } else if (message.kind === 'offer') {
      if (updater === undefined) log.warn('model offer ignored: no model folder configured');
      else void updater.handleOffer(message.body);
    } else if (message.config.alarm !== undefined) {
      setCloudPolicy(message.config.alarm ?? undefined);
    }
  };
}
