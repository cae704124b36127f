import { generateKeyPairSync } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentConfigForGreengrass } from '../edge/config/greengrass-config.js';
import { isEmberError } from '../shared/errors.js';
import { startBrokerFixture, type BrokerFixture } from './helpers/broker.js';
import {
  GreengrassRecipe,
  interpolate,
  runStep,
  skipped,
  stepOf,
  type NucleusContext,
} from './helpers/greengrass-recipe.js';
import { packPackage, REPO_ROOT } from './helpers/packed-package.js';
import { groupEntry } from './helpers/pi-service.js';
import { waitFor } from './helpers/wait.js';

const THING = 'gg-core-1';

async function readRecipe(): Promise<GreengrassRecipe> {
  return GreengrassRecipe.parse(
    parse(await readFile(join(REPO_ROOT, 'deploy/greengrass/recipe.yaml'), 'utf8')),
  );
}

/** A deployment's configuration update: RESET nothing, MERGE these keys over the defaults. */
function merge(base: unknown, update: unknown): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return update;
  if (typeof update !== 'object' || update === null || Array.isArray(update)) return update;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(update)) out[key] = merge(out[key], value);
  return out;
}

describe('deploy/greengrass/recipe.yaml', () => {
  it('is a valid recipe for this package version, its artifact the packed tarball', async () => {
    const recipe = await readRecipe();
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(recipe.ComponentName).toBe('com.emberwatch.EdgeAgent');
    expect(recipe.ComponentVersion).toBe(pkg.version);
    const [manifest] = recipe.Manifests;
    expect(manifest?.Platform?.['os']).toBe('linux');
    expect(manifest?.Artifacts?.map((a) => a.URI.split('/').pop())).toEqual([
      `emberwatch-${pkg.version}.tgz`,
    ]);
    const lifecycle = manifest?.Lifecycle;
    expect(stepOf(lifecycle?.Install)?.Script).toContain(`{artifacts:path}/emberwatch-${pkg.version}.tgz`);
    expect(stepOf(lifecycle?.Install)?.Skipif).toBe(
      `exists {work:path}/app/emberwatch-${pkg.version}.installed`,
    );
    expect(lifecycle?.Setenv).toMatchObject({ ONNXRUNTIME_NODE_INSTALL: 'skip', MALLOC_ARENA_MAX: '2' });
    expect(Object.keys(recipe.ComponentDependencies ?? {})).toEqual(['aws.greengrass.Nucleus']);
  });

  it('the format check catches what the cloud would refuse', () => {
    const good = {
      RecipeFormatVersion: '2020-01-25',
      ComponentName: 'a.B',
      ComponentVersion: '1.0.0',
      ComponentPublisher: 'x',
      Manifests: [{ Lifecycle: { Run: 'true' } }],
    };
    expect(GreengrassRecipe.safeParse(good).success).toBe(true);
    for (const bad of [
      { ...good, RecipeFormatVersion: '2021-01-25' },
      { ...good, ComponentVersion: '1.0' },
      { ...good, Manifests: [{ Lifecycle: { Instal: 'true' } }] },
      { ...good, Manifests: [{ Lifecycle: { Run: { Script: 'x', Skipif: 'maybe x' } } }] },
      { ...good, Manifests: [{ Artifacts: [{ URI: 'https://example.org/a.tgz' }] }] },
      { ...good, Manifests: [] },
    ]) {
      expect(GreengrassRecipe.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("its default configuration maps onto the agent's config once the fleet key is set, and says so until then", async () => {
    const recipe = await readRecipe();
    const defaults = recipe.ComponentConfiguration?.DefaultConfiguration ?? {};
    const core = {
      thingName: THING,
      endpoint: 'x-ats.iot.eu-west-1.amazonaws.com',
      credentialsDir: '/c',
      stateDir: '/s',
      fleetKeyPath: '/c/fleet-public.pem',
    };
    const error: unknown = (() => {
      try {
        return agentConfigForGreengrass(defaults['agent'], core);
      } catch (e) {
        return e;
      }
    })();
    expect(isEmberError(error, 'EMBER_ERR_BAD_CONFIG'), String(error)).toBe(true);
    expect((error as Error).message).toContain('agent.fleetPublicKeyPem');
    const pem = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n';
    const { config } = agentConfigForGreengrass(
      { ...(defaults['agent'] as object), fleetPublicKeyPem: pem },
      core,
    );
    expect(config).toMatchObject({
      deviceId: THING,
      broker: {
        host: core.endpoint,
        clientId: `${THING}#emberwatch`,
        protocol: 'mqtt5',
        certPath: '/c/thingCert.crt',
        keyPath: '/c/privKey.key',
        caPath: '/c/rootCA.pem',
      },
      model: { dir: '/s/models', initial: 'shipped' },
      outbox: { path: '/s/outbox.db' },
    });
  });
});

// The install step runs npm install of the packed package: minutes, mostly better-sqlite3 compiling.
describe(
  'its lifecycle, run as the nucleus runs it, up to a connected agent on the embedded broker',
  { timeout: 900_000 },
  () => {
    let dir: string;
    let broker: BrokerFixture;
    let context: NucleusContext;
    let env: NodeJS.ProcessEnv;
    let recipe: GreengrassRecipe;
    let nucleus: MqttClient;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'emberwatch-greengrass-'));
      recipe = await readRecipe();
      broker = await startBrokerFixture();
      const kernel = join(dir, 'greengrass/v2');
      const artifacts = join(kernel, 'packages/artifacts/com.emberwatch.EdgeAgent', recipe.ComponentVersion);
      const work = join(kernel, 'work/com.emberwatch.EdgeAgent');
      await Promise.all([artifacts, work].map((d) => mkdir(d, { recursive: true })));
      const packed = await packPackage(dir);
      await copyFile(packed.tarball, join(artifacts, `emberwatch-${recipe.ComponentVersion}.tgz`));
      // What the nucleus's installer leaves under its root: the core device's thing certificate.
      const core = await broker.pki.device(THING);
      await writeFile(join(kernel, 'thingCert.crt'), core.certPem);
      await writeFile(join(kernel, 'privKey.key'), core.keyPem, { mode: 0o600 });
      await writeFile(join(kernel, 'rootCA.pem'), broker.pki.ca.certPem);
      // The users of the system the component is installed on.
      const sysroot = join(dir, 'sysroot');
      await mkdir(join(sysroot, 'etc'), { recursive: true });
      for (const file of ['passwd', 'group', 'shadow', 'gshadow'])
        await copyFile(`/etc/${file}`, join(sysroot, 'etc', file));
      const { publicKey } = generateKeyPairSync('ed25519');
      const defaults = recipe.ComponentConfiguration?.DefaultConfiguration ?? {};
      // The deployment's configuration update: this fleet's key, one emulated-free sensor, the local broker.
      const configuration = merge(defaults, {
        posixUser: 'root',
        agent: {
          sensors: [{ id: 'pm', protocol: 'pms5003', path: join(dir, 'no-such-tty') }],
          broker: { port: broker.broker.port, protocol: 'mqtt311', flowControl: 'none' },
          fleetPublicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
          status: { host: '127.0.0.1', port: 0 },
        },
      });
      context = {
        artifactsPath: artifacts,
        workPath: work,
        kernelRootPath: kernel,
        thingName: THING,
        configuration,
        dependencies: { 'aws.greengrass.Nucleus': { iotDataEndpoint: 'localhost' } },
      };
      env = { ...process.env, ...recipe.Manifests[0]?.Lifecycle?.Setenv, EMBERWATCH_SYSROOT: sysroot };
      // The nucleus's own MQTT connection holds the thing name as client id all along.
      nucleus = await broker.connect(core, { clientId: THING });
    });

    afterAll(async () => {
      await broker.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('installs the packed package with the install step, granting serial access and the core credentials', async () => {
      const install = stepOf(recipe.Manifests[0]?.Lifecycle?.Install);
      if (install === undefined) throw new Error('no Install step');
      expect(skipped(interpolate(install.Skipif ?? '', context), env)).toBe(false);
      const started = Date.now();
      const step = runStep(interpolate(install.Script, context), context.workPath, env);
      expect(await step.exited, step.output().slice(-3000)).toBe(0);
      console.log(`greengrass install step: ${((Date.now() - started) / 1000).toFixed(0)} s`);
      expect(await groupEntry(join(dir, 'sysroot'), 'dialout')).toEqual(
        expect.arrayContaining([expect.stringMatching(/\broot\b/)]),
      );
      const key = await stat(join(context.workPath, 'credentials/privKey.key'));
      expect(key.mode & 0o777).toBe(0o600);
      // The next nucleus start skips it: a gateway must come up offline.
      expect(skipped(interpolate(install.Skipif ?? '', context), env)).toBe(true);
    });

    it('runs the agent with the run step: the core thing, its certificate, beside the nucleus, on the shipped model', async () => {
      const run = stepOf(recipe.Manifests[0]?.Lifecycle?.Run);
      if (run === undefined) throw new Error('no Run step');
      const step = runStep(interpolate(run.Script, context), context.workPath, env);
      let ended = false;
      void step.exited.then(() => (ended = true));
      try {
        await waitFor(
          'the agent on the broker',
          () =>
            ended ||
            broker.logs.some(
              (l) =>
                l.msg === 'client connected' &&
                l['deviceId'] === THING &&
                l['clientId'] === `${THING}#emberwatch`,
            ),
          60_000,
        );
        expect(ended, step.output().slice(-3000)).toBe(false);
        const startedLine = step
          .output()
          .split('\n')
          .find((l) => /^\{"deviceId":"[^"]+","status":/.test(l));
        const started = JSON.parse(startedLine ?? '{}') as { status?: string };
        const metrics = await (await fetch(`${started.status ?? ''}/metrics`)).text();
        const manifest = JSON.parse(
          await readFile(join(REPO_ROOT, 'models/default/manifest.json'), 'utf8'),
        ) as { version: string };
        expect(metrics).toContain(`version="${manifest.version}"`);
        // The nucleus's own session survived the agent's connection.
        expect(nucleus.connected).toBe(true);
        const agentConfig = JSON.parse(await readFile(join(context.workPath, 'agent.json'), 'utf8')) as {
          deviceId: string;
        };
        expect(agentConfig.deviceId).toBe(THING);
      } finally {
        step.stop();
        expect(await step.exited).toBe(0);
      }
    });
  },
);
