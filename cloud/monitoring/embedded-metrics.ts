import { ALERT_RULES, type AlertRule } from './alert-rules.js';

/** The metric name of one rule's active alerts in CloudWatch (deploy/aws alarms on it). */
export function activeAlertsMetric(rule: AlertRule): string {
  return `OperatorAlertsActive.${rule}`;
}

/**
 * The fields of one log line in CloudWatch's embedded metric format: the
 * number of active operator alerts of every rule, as metrics without
 * dimensions under `namespace`. CloudWatch Logs turns such a line into
 * metric data points by itself, so the cloud's alarms on AWS come from the
 * same rule engine as its webhooks, with no agent beside it. Pure.
 */
export function activeAlertsEmf(
  namespace: string,
  active: Readonly<Record<string, number>>,
  now: number,
): Record<string, unknown> {
  const line: Record<string, unknown> = {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [[]],
          Metrics: ALERT_RULES.map((rule) => ({ Name: activeAlertsMetric(rule), Unit: 'Count' })),
        },
      ],
    },
  };
  for (const rule of ALERT_RULES) line[activeAlertsMetric(rule)] = active[rule] ?? 0;
  return line;
}
