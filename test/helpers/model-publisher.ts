import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { ModelUpdater } from '../../edge/model/model-updater.js';
import type { ModelUpdaterSettingsInput } from '../../edge/model/model-updater-settings.js';
import type { FireModel } from '../../shared/model/fire-model.js';
import type { ModelManifest } from '../../shared/model/manifest.js';
import type { ModelReport } from '../../shared/model/model-report.js';
import type { ObjectStore } from '../../shared/object-store/object-store.js';
import { encodeManifest, sha256Hex } from '../../shared/model/model-dir.js';
import { signRollback, type ModelRollback } from '../../shared/model/model-rollback.js';
import { generateOfferKeys, signOffer, type ModelOffer } from '../../shared/model/model-signature.js';
import { tinyManifest, trainTinyModel } from './model-fixtures.js';
import { startStaticServer, type StaticServer } from './static-server.js';

export interface PublishedModel {
  readonly manifest: ModelManifest;
  readonly manifestBytes: Uint8Array;
  readonly modelBytes: Uint8Array;
}

/**
 * The cloud side of a model rollout for tests: a fleet key, a rogue key, and
 * an HTTP server on port 0 with these models under /models/<name>/:
 * `v1` and `v2` (two trained models), `badref` (v1's bytes with reference
 * probabilities that do not hold) and `tampered` (a model file altered after
 * its manifest was written).
 */
export interface ModelPublisher {
  readonly server: StaticServer;
  readonly fleet: ReturnType<typeof generateOfferKeys>;
  readonly rogue: ReturnType<typeof generateOfferKeys>;
  readonly published: ReadonlyMap<string, PublishedModel>;
  /**
   * A fresh offer (new id, the next sequence) for a published model, signed
   * with the fleet key unless told otherwise.
   */
  offerFor(
    name: string,
    privateKeyPem?: string,
    extra?: Partial<Pick<ModelOffer, 'deviceId' | 'issuedAt' | 'expiresAt' | 'sequence'>>,
  ): ModelOffer;
  /** A signed rollback of the model an offer installed, for `deviceId`. */
  rollbackOf(offer: ModelOffer, deviceId?: string, privateKeyPem?: string): ModelRollback;
  stop(): Promise<void>;
}

export async function startModelPublisher(): Promise<ModelPublisher> {
  const server = await startStaticServer();
  const fleet = generateOfferKeys();
  const rogue = generateOfferKeys();
  const published = new Map<string, PublishedModel>();
  let offers = 0;
  const publish = (name: string, manifest: ModelManifest, modelBytes: Uint8Array): void => {
    const manifestBytes = encodeManifest(manifest);
    server.files.set(`/models/${name}/manifest.json`, manifestBytes);
    server.files.set(`/models/${name}/model.onnx`, modelBytes);
    published.set(name, { manifest, manifestBytes, modelBytes });
  };

  const a = trainTinyModel(1);
  const b = trainTinyModel(2);
  const v1 = await tinyManifest(a, 'v1');
  publish('v1', v1, a.bytes);
  publish('v2', await tinyManifest(b, 'v2'), b.bytes);
  const wrong = v1.referenceInputs.map((r) => ({ ...r, probability: r.probability > 0.5 ? 0 : 1 }));
  publish('badref', { ...v1, version: 'v-badref', referenceInputs: wrong }, a.bytes);
  publish('tampered', await tinyManifest(b, 'v-tampered'), b.bytes);
  const tampered = Buffer.from(b.bytes);
  tampered[tampered.length - 20] = (tampered[tampered.length - 20] ?? 0) ^ 0xff;
  server.files.set('/models/tampered/model.onnx', tampered);

  return {
    server,
    fleet,
    rogue,
    published,
    offerFor(name, privateKeyPem = fleet.privateKeyPem, extra = {}) {
      const entry = published.get(name);
      if (entry === undefined) throw new Error(`nothing published as ${name}`);
      offers += 1;
      return signOffer(
        {
          schemaVersion: 3,
          id: `offer-${offers}`,
          // Each offer higher than the last, as the cloud numbers them.
          sequence: offers,
          version: entry.manifest.version,
          sha256: sha256Hex(entry.manifestBytes),
          size: entry.manifestBytes.byteLength,
          source: { url: server.urlOf(`/models/${name}/manifest.json`) },
          issuedAt: Date.now(),
          expiresAt: Date.now() + 3_600_000,
          ...extra,
        },
        privateKeyPem,
      );
    },
    rollbackOf(offer, deviceId = 'gw-1', privateKeyPem = fleet.privateKeyPem) {
      offers += 1;
      return signRollback(
        {
          schemaVersion: 1,
          kind: 'rollback',
          id: `rollback-${offers}`,
          deviceId,
          offerId: offer.id,
          version: offer.version,
          issuedAt: Date.now(),
        },
        privateKeyPem,
      );
    },
    stop: () => server.stop(),
  };
}

/** A started ModelUpdater in a fresh models folder per test, with what it reported and swapped to. */
export interface UpdaterFixture {
  readonly root: string;
  readonly updater: ModelUpdater;
  readonly reports: ModelReport[];
  readonly swaps: FireModel[];
  /** Stops the updater, forgets reports and swaps, and starts a new one on the same folder. */
  restart(settings?: Partial<ModelUpdaterSettingsInput>, store?: ObjectStore): Promise<void>;
  /** A new, unstarted updater on the same folder. */
  create(settings?: Partial<ModelUpdaterSettingsInput>, store?: ObjectStore): ModelUpdater;
}

/** Registers beforeEach/afterEach hooks that give every test its own {@link UpdaterFixture}. */
export function useModelUpdater(publisher: () => ModelPublisher): UpdaterFixture {
  let root = '';
  let updater: ModelUpdater | undefined;
  const reports: ModelReport[] = [];
  const swaps: FireModel[] = [];
  const create = (settings: Partial<ModelUpdaterSettingsInput> = {}, store?: ObjectStore): ModelUpdater =>
    new ModelUpdater({
      settings: {
        root,
        fleetPublicKeys: [publisher().fleet.publicKeyPem],
        deviceId: 'gw-1',
        downloadTimeoutMs: 2000,
        ...settings,
      },
      onReport: (r) => reports.push(r),
      onSwap: (m) => swaps.push(m),
      ...(store === undefined ? {} : { objectStore: store }),
    });
  const fixture: UpdaterFixture = {
    get root() {
      return root;
    },
    get updater() {
      if (updater === undefined) throw new Error('no updater outside a test');
      return updater;
    },
    reports,
    swaps,
    create,
    async restart(settings, store) {
      await updater?.stop();
      reports.length = 0;
      swaps.length = 0;
      updater = create(settings, store);
      await updater.start();
    },
  };
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ember-models-'));
    await fixture.restart();
  });
  afterEach(async () => {
    await updater?.stop();
    updater = undefined;
    await rm(root, { recursive: true, force: true });
  });
  return fixture;
}
