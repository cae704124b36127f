import { z } from 'zod';
import { WebhookDeliverySettings, WebhookTarget } from './webhook-target.js';

/**
 * Settings of the response agent, embedded in the cloud configuration file.
 * Durations are seconds and may be fractional.
 */
export const ResponseSettings = z.strictObject({
  /** Receive one notification per medium incident. */
  notify: z.array(WebhookTarget).default([]),
  /** Receive the emergency alert of a high incident and its repeats. */
  emergency: z.array(WebhookTarget).default([]),
  /** Receive a high incident nobody acknowledged within escalateAfterS, and its repeats from then on. */
  escalation: z.array(WebhookTarget).default([]),
  repeatEveryS: z.number().positive().default(60),
  escalateAfterS: z.number().positive().default(300),
  /** Repeats of an emergency alert before the agent falls silent (the incident stays open). */
  maxRepeats: z.number().int().min(0).default(30),
  /**
   * Link to an incident on the dashboard; `{incidentId}` is replaced by the
   * incident's id. Left out of payloads when not set.
   */
  dashboardLink: z.string().min(1).optional(),
  delivery: WebhookDeliverySettings.prefault({}),
});
export type ResponseSettings = z.infer<typeof ResponseSettings>;
export type ResponseSettingsInput = z.input<typeof ResponseSettings>;
