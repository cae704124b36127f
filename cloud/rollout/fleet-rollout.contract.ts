import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import { verifyOffer } from '../../shared/model/model-signature.js';
import { FolderStore } from '../../shared/object-store/index.js';
import { ModelRegistry } from '../../factory/registry/model-registry.js';
import { fakeRegistration } from '../../factory/registry/registry-fixtures.test-helper.js';
import { modelKeys } from '../../factory/registry/registry-layout.js';
import type { RolloutProgress } from '../contracts/cloud-values.js';
import { FakeFleet, keys } from './fake-fleet.test-helper.js';
import { FleetRollout } from './fleet-rollout.js';
import { manifestBytes } from './model-offers.js';
import type { AlarmBehaviour, FleetRolloutOptions, RolloutSettingsInput } from './rollout-options.js';

/** Where one test's rollouts are kept: a SQLite file or a PostgreSQL database. */
export interface RolloutBackend {
  /** The `databaseFile` or `postgresUrl` option of every rollout component the test makes. */
  where(): Pick<FleetRolloutOptions, 'databaseFile' | 'postgresUrl'>;
  /** Loses everything stored: the next component starts on an empty store. */
  lose(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * The behaviour of the rollout on every home of its store: one suite, run
 * on a SQLite file and on PostgreSQL.
 */
export function describeFleetRolloutContract(
  name: string,
  makeBackend: (dir: string) => Promise<RolloutBackend>,
): void {
  describe(`FleetRollout on ${name}`, () => {
    let dir: string;
    let backend: RolloutBackend;
    let registry: ModelRegistry;
    let fleet: FakeFleet;
    let rollout: FleetRollout;
    let devices: string[];

    function make(
      settings: RolloutSettingsInput = {},
      alarmBehaviour?: AlarmBehaviour,
      shared = false,
    ): FleetRollout {
      const made = new FleetRollout({
        registry,
        publisher: fleet,
        fleet: { deviceIds: () => devices },
        signingKeyPem: keys.privateKeyPem,
        ...backend.where(),
        shared,
        settings,
        ...(alarmBehaviour === undefined ? {} : { alarmBehaviour }),
      });
      fleet.rollout = made;
      return made;
    }

    async function restart(
      settings: RolloutSettingsInput = {},
      alarmBehaviour?: AlarmBehaviour,
    ): Promise<void> {
      await rollout.stop();
      rollout = make(settings, alarmBehaviour);
      await rollout.start();
    }

    function settled(id: string): Promise<RolloutProgress> {
      const r = rollout;
      return new Promise((resolve) => {
        const check = (p: RolloutProgress) => {
          if (p.id === id && p.state !== 'canary' && p.state !== 'fleet') resolve(p);
        };
        r.on('progress', check);
        check(r.get(id));
      });
    }

    async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isEmberError(error) ? error.code : String(error)).toBe(code);
    }

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ember-rollout-'));
      backend = await makeBackend(dir);
      registry = new ModelRegistry({
        store: new FolderStore(join(dir, 'store')),
        catalogFile: join(dir, 'registry.db'),
      });
      await registry.start();
      for (const [i, version] of ['m1', 'm2', 'm3'].entries()) {
        await registry.register(fakeRegistration(version, { day: i + 1 }));
      }
      await registry.decide('m1', {}, { by: 'test' });
      await registry.decide('m2', {}, { by: 'test' });
      fleet = new FakeFleet();
      devices = Array.from({ length: 10 }, (_, i) => `gw-${i}`);
      rollout = make();
      await rollout.start();
    });

    afterEach(async () => {
      await rollout.stop();
      await registry.stop();
      await backend.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    it('offers to one canary first, then to the rest, and completes with every device installed', async () => {
      const started = await rollout.start({ version: 'm2' });
      expect(started.state).toBe('canary');
      const canary = started.devices.find((d) => d.canary)?.deviceId ?? '';
      expect(started.devices.filter((d) => d.canary)).toHaveLength(1);
      const done = await settled(started.id);
      expect(done.state).toBe('completed');
      expect(done.devices.every((d) => d.status === 'installed')).toBe(true);
      expect(fleet.log.slice(0, 2)).toEqual([`offer ${canary} m2`, `report ${canary} installed`]);
      expect(fleet.log.slice(2, 11).every((line) => line.startsWith('offer '))).toBe(true);
      expect(new Set(fleet.offeredTo('m2'))).toEqual(new Set(devices));
      const bytes = await manifestBytes(registry, 'm2');
      expect(fleet.offers[0]?.offer).toMatchObject({
        deviceId: canary,
        size: bytes.byteLength,
        source: { objectKey: modelKeys('m2').manifest },
      });
      expect(new Set(fleet.offers.map((o) => o.offer.id)).size).toBe(devices.length);
      expect(rollout.active()).toBeUndefined();
      expect(rollout.list().map((p) => p.id)).toEqual([started.id]);
      expect(done.previousVersion).toBe('m1');
    });

    it('points offers at the public API when it has a base URL', async () => {
      await restart({ publicBaseUrl: 'https://cloud.example.org/' });
      const started = await rollout.start({ version: 'm2', devices: ['gw-1'] });
      await settled(started.id);
      expect(fleet.offers[0]?.offer.source).toEqual({
        url: 'https://cloud.example.org/v1/models/m2/manifest.json',
      });
    });

    it('signs each offer with its issue time and the configured lifetime', async () => {
      await restart({ offerTtlS: 600 });
      const before = Date.now();
      const started = await rollout.start({ version: 'm2', devices: ['gw-1'] });
      await settled(started.id);
      const offer = fleet.offers[0]?.offer;
      expect(offer?.issuedAt).toBeGreaterThanOrEqual(before);
      expect(offer?.issuedAt).toBeLessThanOrEqual(Date.now());
      expect((offer?.expiresAt ?? 0) - (offer?.issuedAt ?? 0)).toBe(600_000);
      expect(offer !== undefined && verifyOffer(offer, keys.publicKeyPem)).toBe(true);
    });

    it('serves manifest bytes identical to the object the registry stored', async () => {
      const stored = await new FolderStore(join(dir, 'store')).get(modelKeys('m2').manifest);
      expect(Buffer.from(await manifestBytes(registry, 'm2')).equals(Buffer.from(stored))).toBe(true);
    });

    it('stops when a canary refuses, offers nothing to the rest, and offers the version before back', async () => {
      devices = ['gw-a', 'gw-b', 'gw-c', 'gw-d'];
      await settled((await rollout.start({ version: 'm1' })).id);
      await registry.decide('m3', {}, { by: 'test' });
      fleet.behaviour.set('gw-b', 'reject');
      const started = await rollout.start({ version: 'm3', canaries: ['gw-a', 'gw-b'] });
      const done = await settled(started.id);
      expect(done.state).toBe('rolled-back');
      expect(done.reason).toMatch(/canary gw-b rejected \(EMBER_ERR_MODEL_REFERENCE/);
      expect(fleet.offeredTo('m3').sort()).toEqual(['gw-a', 'gw-b']);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const after = rollout.get(started.id);
      expect(after.devices.map((d) => [d.deviceId, d.status])).toEqual([
        ['gw-a', 'rolled-back'],
        ['gw-b', 'rejected'],
        ['gw-c', 'pending'],
        ['gw-d', 'pending'],
      ]);
      expect(fleet.active.get('gw-a')).toBe('m1');
      // A signed rollback of gw-a's offer of m3, not an offer of m1: nothing to fetch, no clock to trust.
      const m3ToA = fleet.offers.find((o) => o.deviceId === 'gw-a' && o.offer.version === 'm3')?.offer;
      expect(fleet.rollbacks).toMatchObject([
        { deviceId: 'gw-a', rollback: { offerId: m3ToA?.id, version: 'm3' } },
      ]);
      expect(after.devices[0]?.reason).toBe('back on m1');
      // Everything answered: no retained offer is left for anyone.
      expect([...fleet.retained.keys()]).toEqual([]);
    });

    it('numbers the offers to each device, above any sequence a device reports it accepted', async () => {
      await settled((await rollout.start({ version: 'm1', devices: ['gw-1', 'gw-2'] })).id);
      await rollout.handleReport('gw-2', {
        offerId: 'from-a-lost-database',
        version: 'm9',
        status: 'rejected',
        sequence: 40,
        ts: 1,
      });
      await settled((await rollout.start({ version: 'm2', devices: ['gw-1', 'gw-2'] })).id);
      const sequences = (deviceId: string): number[] =>
        fleet.offers.filter((o) => o.deviceId === deviceId).map((o) => o.offer.sequence);
      expect(sequences('gw-1')).toEqual([1, 2]);
      expect(sequences('gw-2')).toEqual([1, 41]);
    });

    it('sends offers retained, and the newest unanswered one again when its device comes back online', async () => {
      fleet.behaviour.set('gw-7', 'silent');
      const started = await rollout.start({ version: 'm2', devices: ['gw-7'] });
      const topic = 'emberwatch/v1/gw-7/model/offer';
      const first = fleet.offers.at(-1)?.offer;
      expect(fleet.retained.get(topic)).toBe(JSON.stringify(first));
      fleet.behaviour.delete('gw-7');
      await rollout.deviceOnline('gw-7');
      expect(fleet.offers.at(-1)?.offer.id).toBe(first?.id);
      expect((await settled(started.id)).devices[0]?.status).toBe('installed');
      expect(fleet.retained.has(topic)).toBe(false);
      await rollout.deviceOnline('gw-7');
      expect(fleet.offers).toHaveLength(2); // nothing unanswered: nothing sent
    });

    it('counts a silent canary as failed after canaryTimeoutS', async () => {
      await restart({ canaryTimeoutS: 0.05 });
      fleet.behaviour.set('gw-3', 'silent');
      const done = await settled((await rollout.start({ version: 'm2', canaries: ['gw-3'] })).id);
      expect(done.state).toBe('rolled-back');
      expect(done.reason).toMatch(/gw-3 timed-out \(no report within 0.05 s\)/);
      expect(fleet.offers).toHaveLength(1);
    });

    it('goes on despite failures up to maxCanaryFailures, and times out silent fleet devices', async () => {
      await restart({ maxCanaryFailures: 1, fleetTimeoutS: 0.05 });
      fleet.behaviour.set('gw-0', 'reject');
      fleet.behaviour.set('gw-9', 'silent');
      const done = await settled((await rollout.start({ version: 'm2', canaries: ['gw-0', 'gw-1'] })).id);
      expect(done.state).toBe('completed');
      const status = new Map(done.devices.map((d) => [d.deviceId, d.status]));
      expect([status.get('gw-0'), status.get('gw-1'), status.get('gw-9'), status.get('gw-5')]).toEqual([
        'rejected',
        'installed',
        'timed-out',
        'installed',
      ]);
    });

    it("rolls back when the canaries' alarm rate regresses after installing", async () => {
      const asked: [readonly string[], number, number][] = [];
      const rates: AlarmBehaviour = {
        anomalyRate: (ids, since, until) => {
          asked.push([ids, since, until]);
          return asked.length === 1 ? 0.5 : 6;
        },
      };
      await restart({ observation: { windowS: 0.05, maxIncreaseRatio: 2, minIncrease: 1 } }, rates);
      const done = await settled((await rollout.start({ version: 'm2', canaries: ['gw-2'] })).id);
      expect(done.state).toBe('rolled-back');
      expect(done.reason).toBe("canaries' anomaly rate rose from 0.5 to 6 after installing");
      expect(asked.map(([ids]) => ids)).toEqual([['gw-2'], ['gw-2']]);
      const [before, after] = asked;
      expect(before?.[2]).toBeLessThanOrEqual(after?.[1] ?? 0);
      expect(fleet.offeredTo('m2')).toEqual(['gw-2']);
    });

    it('goes on when the alarm rate holds steady', async () => {
      await restart({ observation: { windowS: 0.05 } }, { anomalyRate: () => 2 });
      const done = await settled((await rollout.start({ version: 'm2', canaries: ['gw-2'] })).id);
      expect(done.state).toBe('completed');
    });

    it('runs one rollout at a time, refuses unapproved models and unknown ids', async () => {
      fleet.behaviour.set('gw-0', 'silent');
      const running = await rollout.start({ version: 'm2', canaries: ['gw-0'] });
      await expectCode(rollout.start({ version: 'm1' }), 'EMBER_ERR_ROLLOUT');
      expect(rollout.active()?.id).toBe(running.id);
      await restart();
      await expectCode(rollout.start({ version: 'm1' }), 'EMBER_ERR_ROLLOUT');
      expect(() => rollout.get('rollout-nope')).toThrow(
        expect.objectContaining({ code: 'EMBER_ERR_ROLLOUT_NOT_FOUND' }) as Error,
      );
      await rollout.stop();
      await backend.lose();
      rollout = make();
      await rollout.start();
      await expectCode(rollout.start({ version: 'm3' }), 'EMBER_ERR_ROLLOUT');
      await expectCode(rollout.start({ version: 'nope' }), 'EMBER_ERR_ROLLOUT');
      await expectCode(rollout.start({ version: 'm2', devices: [] }), 'EMBER_ERR_ROLLOUT');
      await expectCode(rollout.start({ version: 'm2', canaries: ['gw-x'] }), 'EMBER_ERR_ROLLOUT');
    });

    it('ignores reports for offers it never sent', async () => {
      const started = await rollout.start({ version: 'm2' });
      await settled(started.id);
      const before = rollout.get(started.id);
      await rollout.handleReport('gw-1', { offerId: 'elsewhere', version: 'm2', status: 'rejected', ts: 1 });
      const offerOfOther = fleet.offers.find((o) => o.deviceId === 'gw-2')?.offer.id ?? '';
      await rollout.handleReport('gw-1', { offerId: offerOfOther, version: 'm2', status: 'rejected', ts: 1 });
      expect(rollout.get(started.id)).toEqual(before);
    });

    it('resumes after a restart: the unanswered offer goes out again and the rollout completes', async () => {
      fleet.behaviour.set('gw-4', 'silent');
      const started = await rollout.start({ version: 'm2', canaries: ['gw-4'] });
      fleet.behaviour.clear();
      await restart();
      expect(rollout.active()?.id).toBe(started.id);
      const done = await settled(started.id);
      expect(done.state).toBe('completed');
      const toCanary = fleet.offers.filter((o) => o.deviceId === 'gw-4');
      expect(toCanary).toHaveLength(2);
      expect(toCanary[1]?.offer.id).toBe(toCanary[0]?.offer.id);
    });

    it('shares its store between workers: one runs the rollout, reports reaching another wait for it, and another carries it on', async () => {
      await rollout.stop();
      const [a, b] = [make({}, undefined, true), make({}, undefined, true)];
      const until = async (what: string, check: () => boolean): Promise<void> => {
        const deadline = Date.now() + 15_000;
        while (!check()) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      try {
        await a.start();
        await b.start();
        await a.lead();
        await expectCode(b.start({ version: 'm2' }), 'EMBER_ERR_ROLLOUT');
        fleet.behaviour.set('gw-3', 'silent');
        const started = await a.start({ version: 'm2', canaries: ['gw-3'] });
        expect(b.active()?.id).toBe(started.id);
        // a stands down with its canary silent; b takes the rollout over and sends the unanswered offer again.
        await a.follow();
        fleet.behaviour.clear();
        // From now on every report reaches a, which no longer runs rollouts: it keeps them for b.
        fleet.rollout = a;
        await b.lead();
        await until('the rollout completing', () => b.get(started.id).state === 'completed');
        const done = b.get(started.id);
        expect(done.devices.filter((d) => d.status === 'installed')).toHaveLength(devices.length);
        const toCanary = fleet.offers.filter((o) => o.deviceId === 'gw-3');
        expect(toCanary).toHaveLength(2);
        expect(toCanary[1]?.offer.id).toBe(toCanary[0]?.offer.id);
        // Each of the other devices was offered the model once, by b alone.
        expect(
          fleet
            .offeredTo('m2')
            .filter((id) => id !== 'gw-3')
            .sort(),
        ).toEqual(devices.filter((id) => id !== 'gw-3').sort());
      } finally {
        await a.stop();
        await b.stop();
      }
      rollout = make();
      await rollout.start();
    });

    it('completes a rollout to 1,000 devices, a hundred canaries first', async () => {
      devices = Array.from({ length: 1000 }, (_, i) => `gw-${String(i).padStart(4, '0')}`);
      const started = await rollout.start({ version: 'm2' });
      expect(started.devices.filter((d) => d.canary)).toHaveLength(100);
      const done = await settled(started.id);
      expect(done.state).toBe('completed');
      expect(done.devices.filter((d) => d.status === 'installed')).toHaveLength(1000);
      const firstRest = fleet.log.findIndex(
        (l) => l.startsWith('offer') && !started.devices.find((d) => l.includes(d.deviceId))?.canary,
      );
      const reports = fleet.log.slice(0, firstRest).filter((l) => l.startsWith('report')).length;
      expect(reports).toBe(100);
    }, 60_000);
  });
}
