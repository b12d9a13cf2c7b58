export { alertmanagerConfig, alertmanagerYaml } from './alertmanager.js';
export { alertmanagerArgs, prometheusArgs, pushgatewayArgs, victoriaMetricsArgs } from './args.js';
export {
  findStackBinary,
  missingBinaryError,
  requireStackBinary,
  STACK_BINARIES,
  type StackBinary,
} from './binaries.js';
export { type CheckName, type CheckOptions, type CheckReport, type CheckResult, checkStack } from './check.js';
export { composeConfig, composeYaml } from './compose.js';
export {
  defaultStackConfig,
  loadStackConfig,
  parseStackConfig,
  type StackConfig,
  type StackConfigInput,
  stackConfigSchema,
} from './config.js';
export { durationSeconds, formatDuration } from './duration.js';
export { generateStack, PROMETHEUS_COMPOSE_FILE, STACK_STATE_FILE, writeStack } from './generate.js';
export { IMAGES } from './images.js';
export { ALERTMANAGER_SECRET, k8sFiles } from './k8s.js';
export {
  type ComponentName,
  type ComponentRecord,
  type ComponentStatus,
  type DownOptions,
  type DownResult,
  planStack,
  type StackState,
  type StackStatus,
  stackDown,
  stackStatus,
  stackUp,
  type UpOptions,
} from './local.js';
export {
  CONTAINER_ADDRESS,
  type Deployment,
  prometheusConfig,
  prometheusYaml,
  RULE_FILE,
  RULE_TEST_FILE,
} from './prometheus.js';
export { alertGroups, recordedSeries, ruleGroups, ruleTests, untestedAlerts } from './rules/index.js';
export { materializeSecrets, SECRETS_DIR, type SecretSource, secretPath, secretsOf } from './secrets.js';
export { workflowConfig, workflowYaml } from './workflow.js';
