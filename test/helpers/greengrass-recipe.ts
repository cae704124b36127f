import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { z } from 'zod';

/**
 * The Greengrass v2 component recipe format (RecipeFormatVersion
 * 2020-01-25), written from AWS's recipe reference: strict where the
 * reference lists every key, so a misspelt key is caught as the cloud would.
 */
const Permission = z.enum(['NONE', 'OWNER', 'ALL']);

const LifecycleStep = z.union([
  z.string(),
  z.strictObject({
    Script: z.string().min(1),
    RequiresPrivilege: z.boolean().optional(),
    Skipif: z
      .string()
      .regex(/^(onpath|exists) \S.*$/, 'onpath RUNNABLE or exists FILE')
      .optional(),
    Timeout: z.number().int().positive().optional(),
    Setenv: z.record(z.string(), z.string()).optional(),
  }),
]);

export const ManifestLifecycle = z.strictObject({
  Setenv: z.record(z.string(), z.string()).optional(),
  Bootstrap: LifecycleStep.optional(),
  Install: LifecycleStep.optional(),
  Run: LifecycleStep.optional(),
  Startup: LifecycleStep.optional(),
  Shutdown: LifecycleStep.optional(),
  Recover: LifecycleStep.optional(),
});

const PlatformValue = z.string().regex(/^([A-Za-z0-9].*|\*|\/.+\/)$/, 'an exact value, * or /regex/');

export const GreengrassRecipe = z
  .strictObject({
    RecipeFormatVersion: z.literal('2020-01-25'),
    ComponentName: z.string().regex(/^[A-Za-z0-9._-]+$/),
    ComponentVersion: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'a semantic version'),
    ComponentDescription: z.string().optional(),
    ComponentPublisher: z.string().min(1),
    ComponentType: z
      .enum([
        'aws.greengrass.generic',
        'aws.greengrass.lambda',
        'aws.greengrass.plugin',
        'aws.greengrass.nucleus',
      ])
      .optional(),
    ComponentSource: z.string().optional(),
    ComponentConfiguration: z
      .strictObject({ DefaultConfiguration: z.record(z.string(), z.unknown()) })
      .optional(),
    ComponentDependencies: z
      .record(
        z.string(),
        z.strictObject({
          VersionRequirement: z.string().min(1),
          DependencyType: z.enum(['SOFT', 'HARD']).optional(),
        }),
      )
      .optional(),
    Manifests: z
      .array(
        z.strictObject({
          Name: z.string().optional(),
          Platform: z.record(z.string(), PlatformValue).optional(),
          Lifecycle: ManifestLifecycle.optional(),
          Selections: z.array(z.string()).optional(),
          Artifacts: z
            .array(
              z.strictObject({
                URI: z
                  .string()
                  .regex(/^(s3|docker|greengrass):\/\/\S+$/, 'an s3://, docker: or greengrass: URI'),
                Unarchive: z.enum(['NONE', 'ZIP']).optional(),
                Permission: z
                  .strictObject({ Read: Permission.optional(), Execute: Permission.optional() })
                  .optional(),
                Digest: z.string().optional(),
                Algorithm: z.string().optional(),
              }),
            )
            .optional(),
        }),
      )
      .min(1),
    Lifecycle: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((recipe, context) => {
    recipe.Manifests.forEach((manifest, index) => {
      const names = (manifest.Artifacts ?? []).map((a) => a.URI.split('/').pop());
      if (new Set(names).size !== names.length) {
        context.addIssue({
          code: 'custom',
          path: ['Manifests', index, 'Artifacts'],
          message: 'file names must be unique',
        });
      }
      if (manifest.Lifecycle?.Run !== undefined && manifest.Lifecycle.Startup !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['Manifests', index, 'Lifecycle'],
          message: 'Run or Startup, not both',
        });
      }
    });
  });
export type GreengrassRecipe = z.infer<typeof GreengrassRecipe>;

/** What the nucleus knows when it interpolates a recipe. */
export interface NucleusContext {
  readonly artifactsPath: string;
  readonly workPath: string;
  readonly kernelRootPath: string;
  readonly thingName: string;
  /** The component's configuration after the deployment's merge. */
  readonly configuration: unknown;
  /** Configurations of the dependencies the recipe names (by component name). */
  readonly dependencies: Readonly<Record<string, unknown>>;
}

/** RFC 6901: `/a/b/0` into a value; undefined where there is no node. */
function pointer(value: unknown, path: string): unknown {
  let node = value;
  for (const raw of path.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * Replaces recipe variables as the nucleus does: `{configuration:/ptr}` and
 * `{Component:configuration:/ptr}` (a value as its string, null as `null`,
 * an object as its JSON, no node: left as written), `{artifacts:path}`,
 * `{work:path}`, `{kernel:rootPath}`, `{iot:thingName}`.
 */
export function interpolate(script: string, context: NucleusContext): string {
  return script.replace(
    /\{(?:([A-Za-z0-9._-]+):)?(configuration:(\/[^}]*)|artifacts:path|work:path|kernel:rootPath|iot:thingName)\}/g,
    (whole, component: string | undefined, variable: string, ptr: string | undefined) => {
      if (ptr !== undefined) {
        const source = component === undefined ? context.configuration : context.dependencies[component];
        const node = pointer(source, ptr);
        if (node === undefined) return whole;
        if (node === null) return 'null';
        if (typeof node === 'string') return node;
        return typeof node === 'number' || typeof node === 'boolean' ? String(node) : JSON.stringify(node);
      }
      if (component !== undefined) return whole;
      switch (variable) {
        case 'artifacts:path':
          return context.artifactsPath;
        case 'work:path':
          return context.workPath;
        case 'kernel:rootPath':
          return context.kernelRootPath;
        default:
          return context.thingName;
      }
    },
  );
}

/** A lifecycle step in its long form. */
export function stepOf(
  step: z.infer<typeof LifecycleStep> | undefined,
): Exclude<z.infer<typeof LifecycleStep>, string> | undefined {
  return typeof step === 'string' ? { Script: step } : step;
}

/** The nucleus's Skipif: `onpath X` (X runnable on PATH) or `exists F`. */
export function skipped(skipif: string | undefined, env: NodeJS.ProcessEnv): boolean {
  if (skipif === undefined) return false;
  const [check, ...rest] = skipif.split(' ');
  const target = rest.join(' ');
  if (check === 'exists') return existsSync(target);
  return (env['PATH'] ?? '').split(':').some((dir) => existsSync(`${dir}/${target}`));
}

/** A lifecycle script run the way the nucleus runs it on Linux: `sh -c`, in the work folder, with Setenv. */
export function runStep(
  script: string,
  workPath: string,
  env: NodeJS.ProcessEnv,
): { exited: Promise<number | null>; output: () => string; stop: () => void } {
  const child = spawn('sh', ['-c', script], { cwd: workPath, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { exited, output: () => output, stop: () => child.kill('SIGTERM') };
}
