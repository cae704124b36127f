import { z } from 'zod';

/**
 * What became of a model offer or of the active model (topic model/report):
 * `installed` it runs now; `rejected` it was refused and never ran (bad
 * signature, hash, feature set, reference inputs); `failed` it could not be
 * fetched or stored, and offering it again may work; `rolled-back` it was
 * taken out of service and the one before it (or the rules) runs again.
 */
export const ModelReport = z.object({
  offerId: z.string(),
  version: z.string(),
  status: z.enum(['installed', 'rejected', 'failed', 'rolled-back']),
  /** Why, in words, for anything but a clean install. */
  reason: z.string().optional(),
  /** The EmberError code behind `reason`, for code that branches on it. */
  code: z.string().optional(),
  /** What runs after this event: a model version, or `rules`. */
  active: z.string().optional(),
  /** Sequence of the newest offer the device ever accepted: the cloud numbers its next offers above it. */
  sequence: z.number().int().nonnegative().optional(),
  /** Milliseconds since the Unix epoch. */
  ts: z.number().int().nonnegative(),
});
export type ModelReport = z.infer<typeof ModelReport>;
export type ModelReportStatus = ModelReport['status'];
