import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { isDeviceId } from '../../shared/topics.js';

/** A template value: a string, a parameter reference, or a join of values (what fleet templates use). */
type TemplateValue = string | { Ref: string } | { 'Fn::Join': [string, TemplateValue[]] };

const TemplateValue: z.ZodType<TemplateValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.strictObject({ Ref: z.string() }),
    z.strictObject({ 'Fn::Join': z.tuple([z.string(), z.array(TemplateValue)]) }),
  ]),
);

const Resource = z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).default({}) });

/**
 * The part of an IoT Core fleet provisioning template the embedded broker
 * runs: string parameters, one thing (its name, attributes and groups), one
 * certificate (its status) and one policy by name. Anything else in the
 * template is ignored, as the broker has no registry of its own for it.
 */
export const ProvisioningTemplateBody = z.object({
  Parameters: z.record(z.string(), z.object({ Type: z.literal('String'), Default: z.string().optional() })),
  Resources: z.record(z.string(), Resource),
});
export type ProvisioningTemplateBody = z.infer<typeof ProvisioningTemplateBody>;

/** What RegisterThing does for one request. */
export interface ProvisioningOutcome {
  readonly thingName: string;
  readonly thingGroups: readonly string[];
  readonly attributes: Readonly<Record<string, string>>;
  readonly certificateStatus: 'ACTIVE' | 'INACTIVE';
}

function refused(message: string): EmberError {
  return new EmberError('EMBER_ERR_PROVISIONING', message);
}

/** Parses a template body (JSON text), throwing EMBER_ERR_BAD_CONFIG naming what is wrong. */
export function parseProvisioningTemplate(text: string, where: string): ProvisioningTemplateBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EmberError('EMBER_ERR_BAD_CONFIG', `${where}: not JSON`, { cause: error });
  }
  const parsed = ProvisioningTemplateBody.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EmberError(
      'EMBER_ERR_BAD_CONFIG',
      `${where}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
    );
  }
  const types = Object.values(parsed.data.Resources).map((r) => r.Type);
  for (const type of ['AWS::IoT::Thing', 'AWS::IoT::Certificate']) {
    if (types.filter((t) => t === type).length !== 1) {
      throw new EmberError('EMBER_ERR_BAD_CONFIG', `${where}: needs exactly one ${type} resource`);
    }
  }
  return parsed.data;
}

function evaluate(value: unknown, parameters: Readonly<Record<string, string>>, where: string): string {
  const parsed = TemplateValue.safeParse(value);
  if (!parsed.success) throw refused(`${where}: not a string, Ref or Fn::Join`);
  const node = parsed.data;
  if (typeof node === 'string') return node;
  if ('Ref' in node) {
    const found = parameters[node.Ref];
    if (found === undefined) throw refused(`${where}: parameter ${node.Ref} has no value`);
    return found;
  }
  const [separator, parts] = node['Fn::Join'];
  return parts.map((part) => evaluate(part, parameters, where)).join(separator);
}

/**
 * Runs a template for one RegisterThing request: the request's parameters
 * (strings only; unknown ones refused) with the template's defaults, and
 * `AWS::IoT::Certificate::Id`. Throws EMBER_ERR_PROVISIONING naming the
 * problem, which the broker sends back as the rejection. Pure.
 */
export function runProvisioningTemplate(
  template: ProvisioningTemplateBody,
  requested: Readonly<Record<string, unknown>>,
  certificateId: string,
): ProvisioningOutcome {
  const parameters: Record<string, string> = {};
  for (const [name, spec] of Object.entries(template.Parameters)) {
    if (spec.Default !== undefined) parameters[name] = spec.Default;
  }
  for (const [name, value] of Object.entries(requested)) {
    if (!(name in template.Parameters) || name.startsWith('AWS::'))
      throw refused(`unknown parameter ${name}`);
    if (typeof value !== 'string') throw refused(`parameter ${name} must be a string`);
    parameters[name] = value;
  }
  parameters['AWS::IoT::Certificate::Id'] = certificateId;
  const resources = Object.values(template.Resources);
  const thing = resources.find((r) => r.Type === 'AWS::IoT::Thing')?.Properties ?? {};
  const certificate = resources.find((r) => r.Type === 'AWS::IoT::Certificate')?.Properties ?? {};
  const thingName = evaluate(thing['ThingName'], parameters, 'ThingName');
  if (!isDeviceId(thingName))
    throw refused(`thing name ${JSON.stringify(thingName)} is not a valid thing name`);
  const groups = thing['ThingGroups'] ?? [];
  if (!Array.isArray(groups)) throw refused('ThingGroups: not a list');
  const payload: unknown = thing['AttributePayload'] ?? {};
  if (typeof payload !== 'object' || payload === null) throw refused('AttributePayload: not an object');
  const attributes = Object.fromEntries(
    Object.entries(payload).map(([key, value]) => [
      key,
      evaluate(value, parameters, `AttributePayload.${key}`),
    ]),
  );
  const status =
    certificate['Status'] === undefined ? 'ACTIVE' : evaluate(certificate['Status'], parameters, 'Status');
  if (status !== 'ACTIVE' && status !== 'INACTIVE')
    throw refused(`certificate Status ${status} is not ACTIVE or INACTIVE`);
  return {
    thingName,
    thingGroups: groups.map((g, i) => evaluate(g, parameters, `ThingGroups.${i}`)),
    attributes,
    certificateStatus: status,
  };
}
