import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { Reading } from '../../shared/schemas/readings.js';
import { ROLES } from '../access/roles.js';
import { INCIDENT_STATES } from '../contracts/cloud-values.js';
import { OUTCOMES } from '../../shared/schemas/outcomes.js';

/** Largest thermal frame accepted for prediction: a 64×64 sensor, twice the reference kit's in each direction. */
export const MAX_THERMAL_PIXELS = 4096;
/** Readings per prediction request; the body limit bounds it too. */
export const MAX_READINGS = 50_000;

/** A model version as the registry names them; anything else (`../ca`) is a 400, never a path. */
export const ModelVersion = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/,
    'expected 1-128 characters of A-Z a-z 0-9 . _ + -, starting with a letter or digit',
  );

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

/** Who acknowledges is the caller, never a name in the body. */
export const AcknowledgeBody = z.object({}).optional();

export const ResolveBody = z.object({
  outcome: z.enum(OUTCOMES),
  note: z.string().max(2000).optional(),
});

export const RolloutBody = z.object({
  version: ModelVersion,
  canaryShare: z.number().min(0).max(1).optional(),
});

export const DecisionBody = z.object({
  reason: z.string().trim().min(1, 'say why').max(2000),
});

export const LoginBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});

const RoleField = z.enum(ROLES);

export const NewUserBody = z.strictObject({
  username: z.string().min(1).max(64),
  role: RoleField,
  password: z.string().min(1).max(1024),
});

export const UserUpdateBody = z.strictObject({
  role: RoleField.optional(),
  password: z.string().min(1).max(1024).optional(),
  disabled: z.boolean().optional(),
});

export const NewTokenBody = z.strictObject({
  name: z.string().min(1).max(64),
  role: RoleField,
  expiresInDays: z.number().positive().max(3650).optional(),
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

export const AuditQuery = z.object({
  limit: QueryInt(1, 1000).optional(),
  before: z
    .string()
    .regex(/^\d{1,16}$/, 'expected an entry id')
    .optional(),
});

export const HistoryQuery = z.object({
  since: QueryInt(0, Number.MAX_SAFE_INTEGER).optional(),
});

/** `:id` of a device, an incident or a token. */
export const IdParams = z.object({ id: z.string().min(1).max(256) });
/** `:name` of a user. */
export const NameParams = z.object({ name: z.string().min(1).max(64) });
export const VersionParams = z.object({ version: ModelVersion });
/** A model's file; the handler answers 404 for a name that is no model file. */
export const ModelFileParams = z.object({ version: ModelVersion, file: z.string().min(1).max(64) });
export const GrantFileParams = ModelFileParams.extend({ grant: z.string().min(1).max(256) });
export const AssetParams = z.object({ name: z.string().min(1).max(128) });

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
