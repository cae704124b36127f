import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ALERT_RULES, type AlertRule } from '../../cloud/monitoring/alert-rules.js';
import { activeAlertsMetric } from '../../cloud/monitoring/embedded-metrics.js';

/**
 * One CloudWatch alarm per operator rule (cloud/monitoring/alert-rules.ts),
 * on the active-alert counts the cloud logs as embedded metrics: in alarm
 * while the rule holds for any subject, to an encrypted SNS topic operators
 * subscribe to.
 */
export class OperatorAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: ReadonlyMap<AlertRule, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: { readonly namespace: string }) {
    super(scope, id);
    const key = new kms.Key(this, 'TopicKey', {
      enableKeyRotation: true,
      description: 'Encrypts the Emberwatch operator alarm topic',
    });
    // CloudWatch publishes to an encrypted topic only with a key policy that lets it.
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Emberwatch operator alarms',
      masterKey: key,
      enforceSSL: true,
    });
    const alarms = new Map<AlertRule, cloudwatch.Alarm>();
    for (const rule of ALERT_RULES) {
      const alarm = new cloudwatch.Alarm(this, `Alarm-${rule}`, {
        alarmName: `emberwatch-${rule}`,
        alarmDescription: `Emberwatch operator rule ${rule} holds (see the dashboard's alerts)`,
        metric: new cloudwatch.Metric({
          namespace: props.namespace,
          metricName: activeAlertsMetric(rule),
          statistic: cloudwatch.Stats.MAXIMUM,
          period: Duration.minutes(1),
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // No data means the cloud logs nothing: that is the service's own alarm, not this rule's.
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
      });
      alarm.addAlarmAction(new actions.SnsAction(this.topic));
      alarm.addOkAction(new actions.SnsAction(this.topic));
      alarms.set(rule, alarm);
    }
    this.alarms = alarms;
  }
}
