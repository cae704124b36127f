import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { keyIdOf } from '../../shared/model/model-signature.js';

const MIB = 1024 * 1024;

/** The model updater's configuration. */
export const ModelUpdaterSettings = z.strictObject({
  /** The models folder (state.json, versions/, staging/). */
  root: z.string().min(1),
  /** Ed25519 public keys (SPKI PEM) whose signatures this device trusts; an offer names one by its keyIdOf. */
  fleetPublicKeys: z.array(z.string().min(1)).min(1),
  /** When set, offers addressed to another device are refused. */
  deviceId: z.string().min(1).optional(),
  maxManifestBytes: z.number().int().positive().default(MIB),
  maxModelBytes: z
    .number()
    .int()
    .positive()
    .default(64 * MIB),
  downloadTimeoutMs: z.number().int().positive().default(60_000),
  /** Consecutive inference failures of a new model before it is rolled back. */
  maxInferenceFailures: z.number().int().positive().default(5),
  /** ONNX Runtime threads per inference. */
  threads: z.number().int().positive().default(1),
  /**
   * An offer dated further ahead of this device's clock is refused for now
   * (a clock fault on one side or the other); offering it again may work.
   */
  maxOfferAheadS: z.number().int().positive().default(86_400),
});
export type ModelUpdaterSettingsInput = z.input<typeof ModelUpdaterSettings>;

export interface ResolvedModelUpdaterSettings extends Omit<
  z.output<typeof ModelUpdaterSettings>,
  'fleetPublicKeys'
> {
  /** keyId → public key PEM. */
  readonly trustedKeys: ReadonlyMap<string, string>;
}

/** Parses and fills defaults; throws EMBER_ERR_BAD_CONFIG naming the bad field, or EMBER_ERR_SIGNING_KEY. Pure. */
export function resolveModelUpdaterSettings(input: ModelUpdaterSettingsInput): ResolvedModelUpdaterSettings {
  const parsed = ModelUpdaterSettings.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = ['model', ...(issue?.path.map(String) ?? [])].join('.');
    throw new EmberError('EMBER_ERR_BAD_CONFIG', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  const { fleetPublicKeys, ...rest } = parsed.data;
  return { ...rest, trustedKeys: new Map(fleetPublicKeys.map((pem) => [keyIdOf(pem), pem])) };
}
