import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEmberError, type ErrorCode } from '../../shared/errors.js';
import type { ObjectStore } from '../../shared/object-store/index.js';
import { ModelRegistry } from './model-registry.js';
import { RegistryCatalog, type RegistryCatalogHome } from './registry-catalog.js';
import { evaluationWith, fakeRegistration } from './registry-fixtures.test-helper.js';

/** An empty store for one test, and how to throw it away. */
export interface RegistryStoreFixture {
  store: ObjectStore;
  dispose(): Promise<void>;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  return isEmberError(error) ? error.code : `no EmberError: ${String(error)}`;
}

const ALICE = { by: 'alice', reason: 'reviewed the evaluation report' };

/** Catalogues for one test: each name its own, empty when first asked for. */
export interface RegistryCatalogFixture {
  home(name: string): Promise<RegistryCatalogHome>;
  dispose(): Promise<void>;
}

/** SQLite catalogue files in a temporary folder. */
export async function sqliteCatalogs(): Promise<RegistryCatalogFixture> {
  const folder = await mkdtemp(join(tmpdir(), 'ember-registry-'));
  return {
    home: (name) => Promise.resolve(RegistryCatalog.file(join(folder, `${name}.sqlite`))),
    dispose: () => rm(folder, { recursive: true, force: true }),
  };
}

/**
 * The behaviour every store and every catalogue must give the registry:
 * one suite, run on a folder and on S3 (s3rver) with real SQLite catalogue
 * files, and with catalogues in PostgreSQL (cloud/registry).
 */
export function describeModelRegistryContract(
  name: string,
  makeStore: () => Promise<RegistryStoreFixture>,
  makeCatalogs: () => Promise<RegistryCatalogFixture> = sqliteCatalogs,
): void {
  describe(`ModelRegistry on ${name}`, () => {
    let fixture: RegistryStoreFixture;
    let catalogs: RegistryCatalogFixture;
    let registry: ModelRegistry;
    const opened: ModelRegistry[] = [];
    let clock = Date.parse('2025-04-01T00:00:00.000Z');

    async function openRegistry(catalogName = 'catalog'): Promise<ModelRegistry> {
      const opening = new ModelRegistry({
        store: fixture.store,
        catalog: await catalogs.home(catalogName),
        now: () => new Date((clock += 1000)),
      });
      await opening.start();
      opened.push(opening);
      return opening;
    }

    const expectCode = async (promise: Promise<unknown>, code: ErrorCode) => {
      expect(await codeOf(promise)).toBe(code);
    };

    beforeEach(async () => {
      fixture = await makeStore();
      catalogs = await makeCatalogs();
      registry = await openRegistry();
    });

    afterEach(async () => {
      for (const r of opened.splice(0)) await r.stop();
      await fixture.dispose();
      await catalogs.dispose();
    });

    it('registers a candidate: objects in the store, a row in the catalogue', async () => {
      const input = { ...fakeRegistration('v1'), report: '<html>report</html>' };
      const { created, record } = await registry.register(input);
      expect(created).toBe(true);
      expect(record).toMatchObject({ version: 'v1', status: 'candidate', family: 'gbdt', decidedAt: null });
      expect(record.sha256).toBe(input.manifest.model.sha256);
      expect(record.metrics['detectionRate']).toBe(1);
      expect(await fixture.store.list('')).toEqual([
        'experiments/exp-v1.json',
        'models/v1/evaluation.json',
        'models/v1/manifest.json',
        'models/v1/model.onnx',
        'models/v1/report.html',
      ]);
      const details = await registry.show('v1');
      expect(details.manifest).toEqual(input.manifest);
      expect(details.evaluation).toEqual(input.evaluation);
      expect(details.decisions).toEqual([]);
      expect(details.experiments.map((e) => [e.id, e.modelVersion])).toEqual([['exp-v1', 'v1']]);
      expect(details.hasReport).toBe(true);
      expect((await registry.fetchModel('v1')).bytes).toEqual(input.modelBytes);
    });

    it('refuses bytes that do not match the manifest, and writes nothing', async () => {
      const input = fakeRegistration('v1');
      await expectCode(
        registry.register({ ...input, modelBytes: new Uint8Array([1, 2, 3]) }),
        'EMBER_ERR_REGISTRY_CHECKSUM',
      );
      expect(await fixture.store.list('')).toEqual([]);
      expect(await registry.list()).toEqual([]);
    });

    it('refuses an evaluation of another model and an invalid manifest, naming the field', async () => {
      const input = fakeRegistration('v1');
      await expectCode(
        registry.register({ ...input, evaluation: evaluationWith('v9', () => undefined) }),
        'EMBER_ERR_REGISTRY_BAD_INPUT',
      );
      const bad = { ...input, manifest: { ...input.manifest, version: '../escape' } };
      const error = await registry.register(bad).catch((e: unknown) => e);
      expect(isEmberError(error, 'EMBER_ERR_REGISTRY_BAD_INPUT')).toBe(true);
      expect(String(error)).toContain('manifest version');
      expect(await fixture.store.list('')).toEqual([]);
    });

    it('is idempotent for the same version and bytes', async () => {
      const input = fakeRegistration('v1');
      await registry.register(input);
      await registry.approve('v1', ALICE);
      const again = await registry.register(input);
      expect(again.created).toBe(false);
      expect(again.record.status).toBe('approved');
      expect((await registry.list()).map((m) => m.version)).toEqual(['v1']);
      expect((await registry.show('v1')).experiments).toHaveLength(1);
    });

    it('refuses a different model under a registered version and keeps the original', async () => {
      const original = fakeRegistration('v1');
      await registry.register(original);
      await expectCode(registry.register(fakeRegistration('v1')), 'EMBER_ERR_REGISTRY_CONFLICT');
      expect((await registry.fetchModel('v1')).bytes).toEqual(original.modelBytes);
      // Another catalogue on the same store knows it only from the objects, and refuses too.
      const other = await openRegistry('other');
      await expectCode(other.register(fakeRegistration('v1')), 'EMBER_ERR_REGISTRY_CONFLICT');
    });

    it('approves, rejects and keeps the newest approved model current', async () => {
      await registry.register(fakeRegistration('v1', { day: 1 }));
      await registry.register(fakeRegistration('v2', { day: 2 }));
      expect(await registry.current()).toBeUndefined();
      await registry.approve('v1', ALICE);
      expect((await registry.current())?.version).toBe('v1');
      await registry.approve('v2', { by: 'bob', reason: 'faster on smouldering fires' });
      expect((await registry.current())?.version).toBe('v2');
      const withdrawn = await registry.reject('v2', { by: 'carol', reason: 'false alarms in the field' });
      expect(withdrawn).toMatchObject({ seq: 2, from: 'approved', to: 'rejected', by: 'carol' });
      expect((await registry.current())?.version).toBe('v1');
      expect((await registry.list({ status: 'rejected' })).map((m) => m.version)).toEqual(['v2']);
      expect((await registry.list()).map((m) => [m.version, m.status])).toEqual([
        ['v2', 'rejected'],
        ['v1', 'approved'],
      ]);
      const { decisions, record } = await registry.show('v2');
      expect(decisions.map((d) => [d.seq, d.from, d.to, d.by, d.reason])).toEqual([
        [1, 'candidate', 'approved', 'bob', 'faster on smouldering fires'],
        [2, 'approved', 'rejected', 'carol', 'false alarms in the field'],
      ]);
      expect(record).toMatchObject({ decidedBy: 'carol', reason: 'false alarms in the field' });
    });

    it('refuses moves the status does not allow, decisions without a reason, and unknown versions', async () => {
      await registry.register(fakeRegistration('v1'));
      await expectCode(registry.retire('v1', ALICE), 'EMBER_ERR_REGISTRY_TRANSITION');
      await expectCode(registry.approve('v1', { by: 'alice', reason: '  ' }), 'EMBER_ERR_REGISTRY_BAD_INPUT');
      await registry.approve('v1', ALICE);
      await expectCode(registry.approve('v1', ALICE), 'EMBER_ERR_REGISTRY_TRANSITION');
      await expectCode(registry.approve('v7', ALICE), 'EMBER_ERR_REGISTRY_NOT_FOUND');
      await expectCode(registry.fetchModel('v7'), 'EMBER_ERR_REGISTRY_NOT_FOUND');
      expect((await registry.show('v1')).decisions).toHaveLength(1);
    });

    it('lets the gate decide: approval when it passes, rejection with its reasons when not', async () => {
      await registry.register(fakeRegistration('v1', { day: 1 }));
      const first = await registry.decide('v1', {}, { by: 'gate-bot' });
      expect(first.decision).toMatchObject({ to: 'approved', by: 'gate-bot' });
      expect(first.gate).toMatchObject({ approved: true, against: null });
      const slower = evaluationWith('v2', (e) => (e.fire.medianTimeToAlarmS = 40));
      await registry.register(fakeRegistration('v2', { day: 2, evaluation: slower }));
      const second = await registry.decide('v2', {}, { by: 'gate-bot' });
      expect(second.decision.to).toBe('rejected');
      expect(second.gate.against).toBe('v1');
      expect(second.decision.reason).toContain('FAIL: median time to alarm 40.0 s vs 30.0 s of current v1');
      const stored = (await registry.show('v2')).decisions[0];
      expect(stored?.gate?.checks.filter((c) => !c.passed).map((c) => c.criterion)).toEqual([
        'maxTimeToAlarmRiseVsCurrent',
      ]);
      await expectCode(registry.decide('v1', {}, { by: 'gate-bot' }), 'EMBER_ERR_REGISTRY_TRANSITION');
    });

    it('refuses an approval backed by a failing or stale gate verdict', async () => {
      const small = evaluationWith('v1', (e) => (e.nuisance.runs = 40));
      await registry.register(fakeRegistration('v1', { day: 1, evaluation: small }));
      await registry.register(fakeRegistration('v2', { day: 2 }));
      const failing = await registry.checkGate('v1');
      expect(failing.reasons[0]).toBe('FAIL: nuisance runs evaluated 40 (limit ≥ 300)');
      await expectCode(
        registry.approve('v1', { ...ALICE, gate: failing }),
        'EMBER_ERR_REGISTRY_GATE_REFUSED',
      );
      const verdict = await registry.checkGate('v2');
      expect(verdict).toMatchObject({ approved: true, against: null });
      await registry.approve('v1', { ...ALICE, reason: 'overruled: nuisance set was checked by hand' });
      await expectCode(
        registry.approve('v2', { ...ALICE, gate: verdict }),
        'EMBER_ERR_REGISTRY_GATE_REFUSED',
      );
      const fresh = await registry.checkGate('v2');
      const approval = await registry.approve('v2', { ...ALICE, gate: fresh });
      expect(approval.gate?.against).toBe('v1');
      await expectCode(
        registry.checkGate('v2', { minDetectonRate: 1 } as object),
        'EMBER_ERR_REGISTRY_BAD_INPUT',
      );
    });

    it('refuses to hand out a model whose stored bytes were altered', async () => {
      await registry.register(fakeRegistration('v1'));
      await fixture.store.put('models/v1/model.onnx', new Uint8Array([9, 9, 9]));
      await expectCode(registry.fetchModel('v1'), 'EMBER_ERR_REGISTRY_CHECKSUM');
    });

    it('rebuilds a lost catalogue from the store, decisions and experiments included', async () => {
      await registry.register(fakeRegistration('v1', { day: 1 }));
      await registry.register(fakeRegistration('v2', { day: 2 }));
      await registry.approve('v1', ALICE);
      await registry.reject('v2', { by: 'bob', reason: 'too slow' });
      await registry.recordExperiment({
        id: 'trial-17',
        params: { depth: 9 },
        metrics: { cvAuc: 0.9 },
        dataSha256: 'd'.repeat(64),
        createdAt: '2025-03-03T00:00:00.000Z',
      });
      const before = await registry.list();
      const shownBefore = await registry.show('v2');
      // A catalogue opened fresh on the same store fills itself.
      const restored = await openRegistry('replacement');
      expect(await restored.list()).toEqual(before);
      expect(await restored.show('v2')).toEqual(shownBefore);
      expect((await restored.current())?.version).toBe('v1');
      // A damaged manifest is left out and reported; the rest is rebuilt.
      await fixture.store.put('models/v2/manifest.json', '{"not":"a manifest"}');
      const result = await restored.rebuildCatalog();
      expect(result).toMatchObject({ models: 1, experiments: 3, decisions: 1 });
      expect(result.skipped.map((s) => s.key)).toEqual(['models/v2/']);
      expect((await restored.list()).map((m) => m.version)).toEqual(['v1']);
    });

    it('catches up on decisions another catalogue recorded in the store', async () => {
      await registry.register(fakeRegistration('v1'));
      const elsewhere = await openRegistry('elsewhere');
      await elsewhere.approve('v1', { by: 'bob', reason: 'approved on another machine' });
      expect((await registry.list())[0]?.status).toBe('candidate');
      await expectCode(registry.approve('v1', ALICE), 'EMBER_ERR_REGISTRY_TRANSITION');
      const withdrawal = await registry.reject('v1', { by: 'alice', reason: 'recall' });
      expect(withdrawal).toMatchObject({ seq: 2, from: 'approved' });
      expect((await registry.show('v1')).decisions.map((d) => d.by)).toEqual(['bob', 'alice']);
    });

    it('takes turns with a registry on the same catalogue, so neither overwrites the other', async () => {
      const twin = await openRegistry();
      await registry.register(fakeRegistration('v1'));
      const decided = await Promise.allSettled([
        registry.approve('v1', ALICE),
        twin.approve('v1', { by: 'bob', reason: 'approved at the same moment' }),
      ]);
      expect(decided.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = decided.find((o) => o.status === 'rejected');
      expect(isEmberError(refused?.reason, 'EMBER_ERR_REGISTRY_TRANSITION')).toBe(true);
      expect(await fixture.store.list('models/v1/decisions/')).toHaveLength(1);
      expect((await twin.show('v1')).decisions).toHaveLength(1);
      const offers = [fakeRegistration('v2'), fakeRegistration('v2')] as const;
      const registered = await Promise.allSettled([registry.register(offers[0]), twin.register(offers[1])]);
      expect(registered.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = registered.find((o) => o.status === 'rejected');
      expect(isEmberError(lost?.reason, 'EMBER_ERR_REGISTRY_CONFLICT')).toBe(true);
      const winner = registered[0].status === 'fulfilled' ? offers[0] : offers[1];
      expect((await twin.fetchModel('v2')).bytes).toEqual(winner.modelBytes);
      expect((await registry.list()).map((m) => m.version)).toEqual(['v2', 'v1']);
    });

    it('must be started before use', async () => {
      await registry.stop();
      await expectCode(registry.list(), 'EMBER_ERR_NOT_STARTED');
    });
  });
}
