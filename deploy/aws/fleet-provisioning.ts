import { readFileSync } from 'node:fs';
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import { Construct } from 'constructs';
import { EmberError } from '../../shared/errors.js';
import { FLEET_TEMPLATE_NAME } from '../../shared/fleet-provisioning-topics.js';
import { findPackageFile } from '../../shared/package-files.js';
import { claimPolicyDocument, devicePolicyDocument, iotArn, servicePolicyDocument } from './iot-policies.js';

/** The names the provisioning template refers to (deploy/aws/fleet-provisioning-template.json). */
export const DEVICE_POLICY_NAME = 'EmberwatchDevice';
export const CLAIM_POLICY_NAME = 'EmberwatchClaim';
export const SERVICE_POLICY_NAME = 'EmberwatchService';
export const FLEET_GROUP_NAME = 'emberwatch-fleet';
/** The cloud service's MQTT client ids start with this (cloud/ingest). */
export const SERVICE_CLIENT_PREFIX = 'emberwatch-cloud';

/** The template body both IoT Core and the embedded broker run, read from the package. */
export function fleetTemplateBody(): string {
  const path = findPackageFile('deploy/aws/fleet-provisioning-template.json');
  if (path === undefined) {
    throw new EmberError('EMBER_ERR_BAD_CONFIG', 'deploy/aws/fleet-provisioning-template.json is missing');
  }
  return readFileSync(path, 'utf8');
}

/**
 * The fleet in IoT Core: the device, claim and service policies, the thing
 * group every gateway joins, and the fleet provisioning template that turns
 * a claim certificate into a gateway's own certificate and thing.
 */
export class FleetProvisioning extends Construct {
  readonly template: iot.CfnProvisioningTemplate;
  readonly devicePolicy: iot.CfnPolicy;
  readonly claimPolicy: iot.CfnPolicy;
  readonly servicePolicy: iot.CfnPolicy;
  readonly group: iot.CfnThingGroup;

  /** `sharedGroup`: the cloud workers' MQTT 5 shared subscription group, when there are several. */
  constructor(scope: Construct, id: string, props: { readonly sharedGroup?: string } = {}) {
    super(scope, id);
    this.devicePolicy = new iot.CfnPolicy(this, 'DevicePolicy', {
      policyName: DEVICE_POLICY_NAME,
      policyDocument: devicePolicyDocument(),
    });
    this.claimPolicy = new iot.CfnPolicy(this, 'ClaimPolicy', {
      policyName: CLAIM_POLICY_NAME,
      policyDocument: claimPolicyDocument(FLEET_TEMPLATE_NAME),
    });
    this.servicePolicy = new iot.CfnPolicy(this, 'ServicePolicy', {
      policyName: SERVICE_POLICY_NAME,
      policyDocument: servicePolicyDocument(SERVICE_CLIENT_PREFIX, props.sharedGroup),
    });
    this.group = new iot.CfnThingGroup(this, 'FleetGroup', {
      thingGroupName: FLEET_GROUP_NAME,
      thingGroupProperties: { thingGroupDescription: 'Emberwatch gateways' },
    });

    // What RegisterThing does on the template's behalf, and nothing more.
    const role = new iam.Role(this, 'ProvisioningRole', {
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com'),
      description: 'Lets IoT fleet provisioning create Emberwatch gateways from the template',
      inlinePolicies: {
        register: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: [
                'iot:CreateThing',
                'iot:DescribeThing',
                'iot:UpdateThing',
                'iot:AddThingToThingGroup',
              ],
              resources: [iotArn('thing/gw-*'), iotArn(`thinggroup/${FLEET_GROUP_NAME}`)],
            }),
            new iam.PolicyStatement({
              actions: [
                'iot:DescribeCertificate',
                'iot:UpdateCertificate',
                'iot:AttachThingPrincipal',
                'iot:AttachPolicy',
              ],
              resources: [iotArn('cert/*'), iotArn('thing/gw-*'), iotArn(`policy/${DEVICE_POLICY_NAME}`)],
            }),
          ],
        }),
      },
    });
    const why =
      'Certificates are created at provisioning time with ids nobody knows before, and thing names ' +
      'come from the template (gw-<serial>): cert/* and thing/gw-* are the narrowest resources.';
    for (const resource of ['cert/*', 'thing/gw-*']) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:<AWS::Region>:<AWS::AccountId>:${resource}]`,
        reason: why,
      });
    }

    this.template = new iot.CfnProvisioningTemplate(this, 'Template', {
      templateName: FLEET_TEMPLATE_NAME,
      description: 'A gateway with the claim certificate becomes thing gw-<SerialNumber> in emberwatch-fleet',
      enabled: true,
      provisioningRoleArn: role.roleArn,
      templateBody: fleetTemplateBody(),
      templateType: 'FLEET_PROVISIONING',
    });
    // The template names the policy and group: they must exist before a device registers.
    this.template.addResourceDependency(this.devicePolicy);
    this.template.addResourceDependency(this.group);
  }
}
