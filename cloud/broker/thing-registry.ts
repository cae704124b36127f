import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { systemErrorCode, writeFileAtomically } from '../../shared/object-store/atomic-file.js';

const CertificateEntry = z.object({
  status: z.enum(['PENDING_ACTIVATION', 'ACTIVE', 'INACTIVE']),
  thingName: z.string().optional(),
  /** SHA-256 of the ownership token, hex; cleared once used. */
  tokenSha256: z.string().optional(),
  createdAt: z.number(),
});
const ThingEntry = z.object({ groups: z.array(z.string()), attributes: z.record(z.string(), z.string()) });
const RegistryFile = z.object({
  version: z.literal(1),
  certificates: z.record(z.string(), CertificateEntry),
  things: z.record(z.string(), ThingEntry),
});
type RegistryFile = z.infer<typeof RegistryFile>;

/** How long an ownership token may wait for its RegisterThing (IoT Core allows about as long). */
export const OWNERSHIP_TOKEN_TTL_MS = 60 * 60_000;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * The embedded broker's registry of things and the certificates fleet
 * provisioning made: which thing each certificate is, and whether it is
 * active. A JSON file, replaced atomically on every change; the broker is
 * its only writer. Ownership tokens are kept as SHA-256 only.
 */
export class ThingRegistry {
  #data: RegistryFile = { version: 1, certificates: {}, things: {} };
  #saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Reads the file; a missing file is an empty registry, a damaged one EMBER_ERR_BAD_CONFIG. */
  async start(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (systemErrorCode(error) === 'ENOENT') return;
      throw new EmberError('EMBER_ERR_FILE_UNREADABLE', `cannot read ${this.path}`, { cause: error });
    }
    const parsed = RegistryFile.safeParse(JSON.parse(text));
    if (!parsed.success) throw new EmberError('EMBER_ERR_BAD_CONFIG', `${this.path} is not a thing registry`);
    this.#data = parsed.data;
  }

  /** Waits for the last write. */
  async stop(): Promise<void> {
    await this.#saving;
  }

  /** Records a new certificate awaiting RegisterThing; returns its ownership token (shown once). */
  async addPending(certificateId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    this.#data.certificates[certificateId] = {
      status: 'PENDING_ACTIVATION',
      tokenSha256: sha256(token),
      createdAt: this.now(),
    };
    await this.#save();
    return token;
  }

  /** The pending certificate an unexpired, unused ownership token belongs to; undefined otherwise. */
  certificateOfToken(token: string): string | undefined {
    const hash = sha256(token);
    for (const [id, entry] of Object.entries(this.#data.certificates)) {
      if (entry.tokenSha256 === undefined || !sameHash(entry.tokenSha256, hash)) continue;
      if (entry.status !== 'PENDING_ACTIVATION') return undefined;
      return this.now() - entry.createdAt <= OWNERSHIP_TOKEN_TTL_MS ? id : undefined;
    }
    return undefined;
  }

  /** Attaches a pending certificate to its thing (created or updated) and sets its status; the token is spent. */
  async register(
    certificateId: string,
    thing: { name: string; groups: readonly string[]; attributes: Readonly<Record<string, string>> },
    status: 'ACTIVE' | 'INACTIVE',
  ): Promise<void> {
    const entry = this.#data.certificates[certificateId];
    if (entry?.status !== 'PENDING_ACTIVATION') {
      throw new EmberError(
        'EMBER_ERR_PROVISIONING',
        `certificate ${certificateId} is not pending activation`,
      );
    }
    const known = this.#data.things[thing.name];
    this.#data.things[thing.name] = {
      groups: [...new Set([...(known?.groups ?? []), ...thing.groups])],
      attributes: { ...known?.attributes, ...thing.attributes },
    };
    this.#data.certificates[certificateId] = { status, thingName: thing.name, createdAt: entry.createdAt };
    await this.#save();
  }

  /** The thing an active certificate belongs to; undefined for a pending, inactive or unknown one. */
  activeThingOf(certificateId: string): string | undefined {
    const entry = this.#data.certificates[certificateId];
    return entry?.status === 'ACTIVE' ? entry.thingName : undefined;
  }

  /** A thing's groups and attributes, as the registry holds them. */
  thing(
    name: string,
  ): { groups: readonly string[]; attributes: Readonly<Record<string, string>> } | undefined {
    return this.#data.things[name];
  }

  #save(): Promise<void> {
    const text = `${JSON.stringify(this.#data, null, 2)}\n`;
    this.#saving = this.#saving
      .catch(() => undefined)
      .then(() => writeFileAtomically(this.path, (temporary) => writeFile(temporary, text, { mode: 0o600 })));
    return this.#saving;
  }
}
