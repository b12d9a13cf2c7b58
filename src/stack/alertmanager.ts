import type { StackConfig } from './config.js';
import { secretPath } from './secrets.js';
import { toYaml } from './yaml.js';

const SLACK_TITLE = '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }})';
const SLACK_TEXT = '{{ range .Alerts }}{{ .Annotations.summary }}: {{ .Annotations.description }}\n{{ end }}';

/**
 * Alertmanager config: critical alerts page (PagerDuty when configured, else Slack and
 * webhooks), warnings go to Slack and webhooks, and a firing critical alert silences the
 * warning of the same name. Secrets appear only as file paths (see secrets.ts).
 */
export function alertmanagerConfig(config: StackConfig): Record<string, unknown> {
  const am = config.alertmanager;
  const chat: Record<string, unknown> = {};
  if (am.slack !== undefined) {
    chat.slack_configs = [
      {
        api_url_file: secretPath('slack_api_url', am.slack.apiUrl),
        channel: am.slack.channel,
        send_resolved: true,
        title: SLACK_TITLE,
        text: SLACK_TEXT,
      },
    ];
  }
  if (am.webhooks.length > 0) {
    chat.webhook_configs = am.webhooks.map((w) => ({ url: w.url, send_resolved: w.sendResolved }));
  }
  const page =
    am.pagerduty === undefined
      ? chat
      : {
          pagerduty_configs: [
            {
              routing_key_file: secretPath('pagerduty_routing_key', am.pagerduty.routingKey),
              severity: 'critical',
              send_resolved: true,
            },
          ],
        };
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: 'default',
      group_by: am.groupBy,
      group_wait: am.groupWait,
      group_interval: am.groupInterval,
      repeat_interval: am.repeatInterval,
      routes: [
        { receiver: 'critical', matchers: ['severity="critical"'] },
        { receiver: 'warning', matchers: ['severity="warning"'] },
      ],
    },
    inhibit_rules: [
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname'] },
    ],
    receivers: [
      { name: 'default', ...chat },
      { name: 'critical', ...page },
      { name: 'warning', ...chat },
    ],
  };
}

export function alertmanagerYaml(config: StackConfig): string {
  return toYaml(alertmanagerConfig(config));
}
