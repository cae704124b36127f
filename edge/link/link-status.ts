import { z } from 'zod';
import type { LinkProtocol } from './link-settings.js';

/**
 * The retained message on `emberwatch/v1/{id}/status`. `reason` tells a clean
 * stop from a lost connection (the broker publishes the `lost` one as the
 * last will). The will is fixed at CONNECT, so it carries no timestamp.
 */
export const LinkStatus = z.object({
  state: z.enum(['online', 'offline']),
  deviceId: z.string(),
  ts: z.iso.datetime().optional(),
  reason: z.enum(['stopped', 'lost']).optional(),
  version: z.string(),
  protocol: z.enum(['mqtt311', 'mqtt5']),
});
export type LinkStatus = z.infer<typeof LinkStatus>;

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
