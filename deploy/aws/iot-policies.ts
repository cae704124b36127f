import { Aws } from 'aws-cdk-lib';
import { claimReplyTopics, claimRequestTopics } from '../../shared/fleet-provisioning-topics.js';
import { DEVICE_PUBLISHES, DEVICE_SUBSCRIBES, TOPIC_ROOT } from '../../shared/topics.js';

/** An IoT Core policy document as CloudFormation takes it. */
export interface IotPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly {
    readonly Effect: 'Allow';
    readonly Action: string | readonly string[];
    readonly Resource: readonly string[];
    readonly Condition?: Record<string, Record<string, string>>;
  }[];
}

/** Resolved by IoT Core from the connecting certificate's thing (see docs/deploy.md on client ids). */
export const THING = '${iot:Connection.Thing.ThingName}';

/** `arn:<partition>:iot:<region>:<account>:<resource>` in this stack's account and region. */
export function iotArn(resource: string): string {
  return `arn:${Aws.PARTITION}:iot:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
}

/**
 * A device connects only as its own thing (client id = thing name, or the
 * thing name, '#' and a suffix beside a Greengrass nucleus) and uses only
 * its own `emberwatch/v1/{thing}/…` topics: the kinds shared/topics.ts
 * lets it publish and subscribe, the same rules the embedded broker applies.
 */
export function devicePolicyDocument(): IotPolicyDocument {
  const topic = (kind: string): string => `${TOPIC_ROOT}/${THING}/${kind}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'iot:Connect',
        Resource: [iotArn(`client/${THING}`), iotArn(`client/${THING}#*`)],
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      },
      {
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: DEVICE_PUBLISHES.map((kind) => iotArn(`topic/${topic(kind)}`)),
      },
      // The link's birth, last will and stopped status are retained messages.
      { Effect: 'Allow', Action: 'iot:RetainPublish', Resource: [iotArn(`topic/${topic('status')}`)] },
      {
        Effect: 'Allow',
        Action: 'iot:Subscribe',
        Resource: DEVICE_SUBSCRIBES.map((kind) => iotArn(`topicfilter/${topic(kind)}`)),
      },
      {
        Effect: 'Allow',
        Action: 'iot:Receive',
        Resource: DEVICE_SUBSCRIBES.map((kind) => iotArn(`topic/${topic(kind)}`)),
      },
    ],
  };
}

/**
 * A claim certificate (shipped on every device of a batch) may only ask for
 * a certificate and register through one template: no thing topics at all.
 */
export function claimPolicyDocument(templateName: string): IotPolicyDocument {
  const replies = claimReplyTopics(templateName);
  return {
    Version: '2012-10-17',
    Statement: [
      // A device has no thing before it registers: its client id is the serial number it chose.
      { Effect: 'Allow', Action: 'iot:Connect', Resource: [iotArn('client/*')] },
      {
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: claimRequestTopics(templateName).map((t) => iotArn(`topic/${t}`)),
      },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: replies.map((t) => iotArn(`topicfilter/${t}`)) },
      { Effect: 'Allow', Action: 'iot:Receive', Resource: replies.map((t) => iotArn(`topic/${t}`)) },
    ],
  };
}

/**
 * The cloud service: every device's topics (it subscribes with `+` for the
 * device id), nothing outside them. With `sharedGroup` (several workers)
 * also those topics through that MQTT 5 shared subscription group: IoT
 * Core authorizes `$share/{group}/…` as a filter and topic of its own.
 */
export function servicePolicyDocument(clientIdPrefix: string, sharedGroup?: string): IotPolicyDocument {
  const shared = sharedGroup === undefined ? undefined : `$share/${sharedGroup}/${TOPIC_ROOT}/*`;
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: [iotArn(`client/${clientIdPrefix}*`)] },
      {
        Effect: 'Allow',
        Action: ['iot:Publish', 'iot:Receive', 'iot:RetainPublish'],
        Resource: [iotArn(`topic/${TOPIC_ROOT}/*`)],
      },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: [iotArn(`topicfilter/${TOPIC_ROOT}/*`)] },
      ...(shared === undefined
        ? []
        : [
            {
              Effect: 'Allow' as const,
              Action: 'iot:Subscribe',
              Resource: [iotArn(`topicfilter/${shared}`)],
            },
            { Effect: 'Allow' as const, Action: 'iot:Receive', Resource: [iotArn(`topic/${shared}`)] },
          ]),
    ],
  };
}
