import { z } from 'zod';

/**
 * The retained message on `emberwatch/v1/{id}/status`: the link's birth on
 * every connect and its last will. `reason` tells a clean stop from a lost
 * connection (the broker publishes the `lost` one as the last will). The will
 * is fixed at CONNECT, so it carries no timestamp. The periodic health
 * summary shares the topic and is told apart by its `kind: 'health'`.
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
