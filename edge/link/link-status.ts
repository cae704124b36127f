import { LinkStatus } from '../../shared/schemas/link-status.js';
import type { LinkProtocol } from './link-settings.js';

/** The retained status schema lives in shared/ so the cloud reads it without importing the edge. */
export { LinkStatus };

interface StatusContext {
  readonly deviceId: string;
  readonly softwareVersion: string;
  readonly protocol: LinkProtocol;
}

function encode(status: LinkStatus): Buffer {
  return Buffer.from(JSON.stringify(status), 'utf8');
}

/** Published retained on every (re)connect. */
export function birthStatus(context: StatusContext, now: Date): Buffer {
  return encode({
    state: 'online',
    deviceId: context.deviceId,
    ts: now.toISOString(),
    version: context.softwareVersion,
    protocol: context.protocol,
  });
}

/** Published retained by stop() before disconnecting. */
export function stoppedStatus(context: StatusContext, now: Date): Buffer {
  return encode({
    state: 'offline',
    deviceId: context.deviceId,
    ts: now.toISOString(),
    reason: 'stopped',
    version: context.softwareVersion,
    protocol: context.protocol,
  });
}

/** The retained last will: what the broker publishes when the connection dies without DISCONNECT. */
export function willStatus(context: StatusContext): Buffer {
  return encode({
    state: 'offline',
    deviceId: context.deviceId,
    reason: 'lost',
    version: context.softwareVersion,
    protocol: context.protocol,
  });
}
