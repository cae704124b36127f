import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EmberError } from '../../shared/errors.js';
import { EmberwatchStack, type EmberwatchSettings } from './emberwatch-stack.js';

/** Reads the operator's settings from CDK context; a missing one is a one-line error naming it. */
export function settingsFrom(app: App): EmberwatchSettings {
  const text = (name: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(name);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const required = (name: string): string => {
    const value = text(name);
    if (value === undefined) {
      throw new EmberError(
        'EMBER_ERR_BAD_OPTION',
        `deploy/aws: context ${name} is required (cdk ... -c ${name}=…)`,
      );
    }
    return value;
  };
  const publicBaseUrl = text('publicBaseUrl');
  const datasetPrefix = text('datasetPrefix');
  const cloudWorkers = workersFrom(app.node.tryGetContext('cloudWorkers'));
  return {
    cloudImage: required('cloudImage'),
    iotEndpoint: required('iotEndpoint'),
    certificateArn: required('certificateArn'),
    ...(publicBaseUrl === undefined ? {} : { publicBaseUrl }),
    ...(datasetPrefix === undefined ? {} : { datasetPrefix }),
    ...(cloudWorkers === undefined ? {} : { cloudWorkers }),
  };
}

/** Most workers the stack makes: each is a service, a task definition and a session at IoT Core. */
export const MAX_CLOUD_WORKERS = 16;

/** `-c cloudWorkers=N` (a string on the command line, a number in cdk.json); absent or empty: one task. */
function workersFrom(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const count = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isInteger(count) || count < 2 || count > MAX_CLOUD_WORKERS) {
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      `deploy/aws: context cloudWorkers must be a whole number from 2 to ${MAX_CLOUD_WORKERS} ` +
        `(leave it out for one task), not ${JSON.stringify(value)}`,
    );
  }
  return count;
}

/** Where the stack goes; the CDK command line sets both from the AWS profile. */
export interface DeployTarget {
  readonly account?: string | undefined;
  readonly region?: string | undefined;
}

/**
 * The CDK app: one stack, checked by cdk-nag's AWS Solutions rules at
 * synthesis. The region must be known: the load balancer's access logs
 * need it.
 */
export function buildApp(
  app: App = new App(),
  target: DeployTarget = {
    account: process.env['CDK_DEFAULT_ACCOUNT'],
    region: process.env['CDK_DEFAULT_REGION'],
  },
): { app: App; stack: EmberwatchStack } {
  const settings = settingsFrom(app);
  if (target.region === undefined || target.region === '') {
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      'deploy/aws: no region (set AWS_REGION or a profile with one)',
    );
  }
  const stack = new EmberwatchStack(app, 'Emberwatch', settings, { env: target });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
