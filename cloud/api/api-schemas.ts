import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { Reading } from '../../shared/schemas/readings.js';
import { INCIDENT_STATES, OUTCOMES } from '../service/cloud-contracts.js';

/** Largest thermal frame accepted for prediction: a 64×64 sensor, twice the reference kit's in each direction. */
export const MAX_THERMAL_PIXELS = 4096;
/** Readings per prediction request; the body limit bounds it too. */
export const MAX_READINGS = 50_000;

const Person = z.string().trim().min(1).max(200);

export const PredictBody = z.object({
  deviceId: z.string().min(1).max(64).optional(),
  readings: z
    .array(Reading)
    .min(1)
    .max(MAX_READINGS)
    .superRefine((readings, ctx) => {
      readings.forEach((reading, i) => {
        if (reading.protocol !== 'mcu90640') return;
        const expected = reading.width * reading.height;
        if (expected > MAX_THERMAL_PIXELS || reading.pixels_c.length !== expected) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'pixels_c'],
            message: `expected width × height = ${expected} pixels (at most ${MAX_THERMAL_PIXELS}), got ${reading.pixels_c.length}`,
          });
        }
      });
    }),
});
export type PredictBody = z.infer<typeof PredictBody>;

export const AcknowledgeBody = z.object({ by: Person });

export const ResolveBody = z.object({
  outcome: z.enum(OUTCOMES),
  by: Person,
  note: z.string().max(2000).optional(),
});

export const RolloutBody = z.object({
  version: z.string().min(1).max(128),
  canaryShare: z.number().min(0).max(1).optional(),
});

/** Query strings arrive as text; numbers are parsed here. */
const QueryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const IncidentsQuery = z.object({
  state: z.enum(INCIDENT_STATES).optional(),
  deviceId: z.string().min(1).max(64).optional(),
  limit: QueryInt(1, 1000).optional(),
});

export const HistoryQuery = z.object({
  since: QueryInt(0, Number.MAX_SAFE_INTEGER).optional(),
});

/**
 * Checks outside input; throws EMBER_ERR_API_BAD_REQUEST naming the path of
 * the first bad field, e.g. `body.readings.3.ts: expected number, received string`.
 */
export function parseInput<S extends z.ZodType>(schema: S, data: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = [where, ...(issue?.path.map(String) ?? [])].join('.');
  throw new EmberError('EMBER_ERR_API_BAD_REQUEST', `${path}: ${issue?.message ?? 'invalid'}`);
}
