import { parse } from 'yaml';

/**
 * Alert names of a rules file that no test of a promtool test file checks, or that it only
 * checks one way: each alert needs a case that fires and a case that stays quiet.
 * `stack check` and the unit tests use it, since promtool passes a test file that skips an alert.
 */
export function untestedAlerts(rulesYaml: string, testsYaml: string): string[] {
  const rules = parse(rulesYaml) as { groups?: Array<{ rules?: Array<{ alert?: string }> }> } | null;
  const tests = parse(testsYaml) as {
    tests?: Array<{ alert_rule_test?: Array<{ alertname?: string; exp_alerts?: unknown[] }> }>;
  } | null;
  const fires = new Set<string>();
  const quiet = new Set<string>();
  for (const test of tests?.tests ?? []) {
    for (const check of test.alert_rule_test ?? []) {
      if (check.alertname === undefined) continue;
      ((check.exp_alerts ?? []).length > 0 ? fires : quiet).add(check.alertname);
    }
  }
  const alerts = (rules?.groups ?? []).flatMap((g) =>
    (g.rules ?? []).flatMap((r) => (r.alert === undefined ? [] : [r.alert])),
  );
  return alerts.filter((name) => !fires.has(name) || !quiet.has(name));
}
