/**
 * vigil/catalog: ready, typed metric sets for the parts a service has. Each set is
 * get-or-create (call it wherever you need it: the same registry and prefix give the same
 * metrics), and keeps its metric names in one exported constant that dashboards and alert
 * rules import.
 */
import { CACHE_METRICS } from './cache.js';
import { DATABASE_METRICS } from './database.js';
import { JOB_METRICS } from './jobs.js';
import { AGENT_METRICS, LLM_METRICS } from './llm.js';
import { MODEL_METRICS } from './models.js';
import { OUTBOUND_METRICS } from './outbound.js';
import { WORKER_METRICS } from './workers.js';

export {
  CACHE_BUCKETS,
  CACHE_METRICS,
  type CacheLabels,
  type CacheMetrics,
  type CacheResult,
  cacheHitRatioQuery,
  cacheMetrics,
} from './cache.js';
export {
  DATABASE_BUCKETS,
  DATABASE_METRICS,
  type DatabaseMetrics,
  databaseMetrics,
  type PoolState,
  type QueryLabels,
} from './database.js';
export * from './http.js';
export { JOB_BUCKETS, JOB_METRICS, type JobLabels, type JobMetrics, jobMetrics, type QueueLabels } from './jobs.js';
export {
  AGENT_BUCKETS,
  AGENT_METRICS,
  type AgentLabels,
  type AgentMetrics,
  agentMetrics,
  agentSuccessRatioQuery,
  LLM_BUCKETS,
  LLM_METRICS,
  LLM_TTFT_BUCKETS,
  type LlmCall,
  type LlmLabels,
  type LlmMetrics,
  type LlmOptions,
  llmMetrics,
  type ModelPrice,
  type TokenUsage,
} from './llm.js';
export {
  MODEL_BUCKETS,
  MODEL_EVENTS,
  MODEL_METRICS,
  type ModelEvent,
  type ModelMetrics,
  modelMetrics,
} from './models.js';
export {
  OUTBOUND_BUCKETS,
  OUTBOUND_METRICS,
  type OutboundLabels,
  type OutboundMetrics,
  type OutboundOptions,
  outboundMetrics,
} from './outbound.js';
export {
  type CatalogOptions,
  classifyError,
  ERROR_KINDS,
  type ErrorKind,
  OUTCOMES,
  type Outcome,
  prefixNames,
  timeOutcome,
} from './shared.js';
export {
  type RunLabels,
  WORKER_BUCKETS,
  WORKER_METRICS,
  type WorkerMetrics,
  type WorkerOptions,
  workerMetrics,
} from './workers.js';

/**
 * Every catalog name by domain (the HTTP server set keeps its names in `HTTP_SERVER_*`
 * constants of its own).
 */
export const CATALOG_METRICS = {
  outbound: OUTBOUND_METRICS,
  llm: LLM_METRICS,
  agent: AGENT_METRICS,
  database: DATABASE_METRICS,
  cache: CACHE_METRICS,
  jobs: JOB_METRICS,
  models: MODEL_METRICS,
  workers: WORKER_METRICS,
} as const;
