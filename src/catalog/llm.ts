import { type LabelValue, VigilError } from '../metrics/index.js';
import { type CatalogOptions, classifyError, type Outcome, resolve, timeOutcome } from './shared.js';

/** LLM call metric names: the one place dashboards and alert rules read them from. */
export const LLM_METRICS = {
  requests: 'llm_requests_total',
  duration: 'llm_request_duration_seconds',
  timeToFirstToken: 'llm_time_to_first_token_seconds',
  tokens: 'llm_tokens_total',
  cost: 'llm_cost_usd_total',
  rateLimits: 'llm_rate_limits_total',
} as const;

/** AI agent metric names. */
export const AGENT_METRICS = {
  tasks: 'agent_tasks_total',
  duration: 'agent_task_duration_seconds',
  inProgress: 'agent_tasks_in_progress',
} as const;

/** Default buckets of llm_request_duration_seconds: 250 ms to 2 min. */
export const LLM_BUCKETS: readonly number[] = [0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];
/** Default buckets of llm_time_to_first_token_seconds: 50 ms to 8 s. */
export const LLM_TTFT_BUCKETS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8];
/** Default buckets of agent_task_duration_seconds: 1 s to 30 min. */
export const AGENT_BUCKETS: readonly number[] = [1, 5, 10, 30, 60, 120, 300, 600, 1800];

/** Price of a model in USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

export interface LlmOptions extends CatalogOptions {
  /** Buckets of llm_time_to_first_token_seconds. Default LLM_TTFT_BUCKETS. */
  ttftBuckets?: readonly number[];
  /** Prices by model name: token usage then adds its estimated cost to llm_cost_usd_total. */
  prices?: Readonly<Record<string, ModelPrice>>;
}

export interface LlmLabels {
  /** `openai`, `anthropic`, `local`. */
  provider: LabelValue;
  /** The model name as the provider reports it. */
  model: LabelValue;
}

export interface TokenUsage {
  input?: number;
  output?: number;
}

/** One call in progress; `time` hands it to the timed function. */
export interface LlmCall {
  /** Records the time to first token, once (later calls are ignored). */
  firstToken(): void;
  /** Adds token usage, and its estimated cost when the model has a price. */
  tokens(usage: TokenUsage): void;
  /** Adds an estimated cost in USD. */
  cost(usd: number): void;
  /** Counts a rate limit hit that did not fail the call. */
  rateLimited(): void;
}

/**
 * LLM calls: requests by provider, model and outcome, duration, time to first token,
 * input and output tokens, estimated cost and rate limits. Get-or-create.
 *
 * @example
 * const llm = llmMetrics({ registry, prices: { 'gpt-4o': { input: 2.5, output: 10 } } });
 * const reply = await llm.time({ provider: 'openai', model: 'gpt-4o' }, async (call) => {
 *   const res = await client.chat.completions.create(request);
 *   call.tokens({ input: res.usage.prompt_tokens, output: res.usage.completion_tokens });
 *   return res;
 * });
 */
export function llmMetrics(options: LlmOptions = {}) {
  const { registry, name, limit } = resolve(options);
  const prices = options.prices ?? {};
  const requests = registry.counter({
    name: name(LLM_METRICS.requests),
    help: 'LLM requests, by provider, model and outcome (success or error).',
    labelNames: ['provider', 'model', 'outcome'],
    ...limit,
  });
  const duration = registry.histogram({
    name: name(LLM_METRICS.duration),
    help: 'LLM request duration in seconds, until the last token, by provider, model and outcome.',
    labelNames: ['provider', 'model', 'outcome'],
    ...limit,
    buckets: options.buckets ?? LLM_BUCKETS,
  });
  const timeToFirstToken = registry.histogram({
    name: name(LLM_METRICS.timeToFirstToken),
    help: 'Time from sending an LLM request to its first streamed token, in seconds.',
    labelNames: ['provider', 'model'],
    ...limit,
    buckets: options.ttftBuckets ?? LLM_TTFT_BUCKETS,
  });
  const tokens = registry.counter({
    name: name(LLM_METRICS.tokens),
    help: 'LLM tokens, by provider, model and type (input or output).',
    labelNames: ['provider', 'model', 'type'],
    ...limit,
  });
  const cost = registry.counter({
    name: name(LLM_METRICS.cost),
    help: 'Estimated cost of LLM calls in US dollars, by provider and model.',
    labelNames: ['provider', 'model'],
    ...limit,
  });
  const rateLimits = registry.counter({
    name: name(LLM_METRICS.rateLimits),
    help: 'LLM requests that hit a rate limit, by provider and model.',
    labelNames: ['provider', 'model'],
    ...limit,
  });

  const addTokens = (labels: LlmLabels, usage: TokenUsage): void => {
    const { provider, model } = labels;
    const input = usage.input ?? 0;
    const output = usage.output ?? 0;
    if (input > 0) tokens.inc({ provider, model, type: 'input' }, input);
    if (output > 0) tokens.inc({ provider, model, type: 'output' }, output);
    const price = prices[String(model)];
    if (price !== undefined && (input > 0 || output > 0)) {
      cost.inc({ provider, model }, (input * price.input + output * price.output) / 1e6);
    }
  };

  /** Starts tracking a call; `end` records it (only the first `end` counts). */
  const start = (labels: LlmLabels): LlmCall & { end(outcome: Outcome, error?: unknown): number } => {
    const { provider, model } = labels;
    const began = performance.now();
    let firstToken = false;
    let ended = false;
    return {
      firstToken() {
        if (firstToken) return;
        firstToken = true;
        timeToFirstToken.observe({ provider, model }, (performance.now() - began) / 1000);
      },
      tokens: (usage) => addTokens(labels, usage),
      cost(usd) {
        cost.inc({ provider, model }, usd);
      },
      rateLimited() {
        rateLimits.inc({ provider, model });
      },
      end(outcome, error) {
        const seconds = (performance.now() - began) / 1000;
        if (ended) return seconds;
        ended = true;
        requests.inc({ provider, model, outcome });
        duration.observe({ provider, model, outcome }, seconds);
        if (outcome === 'error' && classifyError(error) === 'rate_limit') rateLimits.inc({ provider, model });
        return seconds;
      },
    };
  };

  return {
    requests,
    duration,
    timeToFirstToken,
    tokens,
    cost,
    rateLimits,
    start,
    /** Adds token usage (and its estimated cost) outside a timed call. */
    addTokens,
    /**
     * Times a sync or async call: success when it returns, error when it throws or rejects
     * (an HTTP 429 error also counts a rate limit). `fn` gets the call to report tokens on.
     */
    time<R>(labels: LlmLabels, fn: (call: LlmCall) => R): R {
      requests.labels({ provider: labels.provider, model: labels.model, outcome: 'success' });
      const call = start(labels);
      return timeOutcome(
        () => fn(call),
        (outcome, _seconds, error) => {
          call.end(outcome, error);
        },
      );
    },
  };
}

export type LlmMetrics = ReturnType<typeof llmMetrics>;

export interface AgentLabels {
  /** The agent's name: `researcher`, `support-triage`. */
  agent: LabelValue;
}

/**
 * AI agent tasks: tasks by agent and outcome, their duration and the tasks in progress.
 * The success ratio is `agentSuccessRatioQuery()`: a ratio of two rates of the one counter,
 * which a recording rule can keep. Get-or-create.
 *
 * @example
 * const agents = agentMetrics({ registry });
 * await agents.time({ agent: 'researcher' }, () => runTask(task));
 */
export function agentMetrics(options: CatalogOptions = {}) {
  const { registry, name, limit } = resolve(options);
  const tasks = registry.counter({
    name: name(AGENT_METRICS.tasks),
    help: 'Agent tasks finished, by agent and outcome (success or error).',
    labelNames: ['agent', 'outcome'],
    ...limit,
  });
  const duration = registry.histogram({
    name: name(AGENT_METRICS.duration),
    help: 'Agent task duration in seconds, by agent and outcome.',
    labelNames: ['agent', 'outcome'],
    ...limit,
    buckets: options.buckets ?? AGENT_BUCKETS,
  });
  const inProgress = registry.gauge({
    name: name(AGENT_METRICS.inProgress),
    help: 'Agent tasks running now, by agent.',
    labelNames: ['agent'],
    ...limit,
  });
  const record = (labels: AgentLabels, outcome: Outcome, seconds: number): void => {
    tasks.inc({ agent: labels.agent, outcome });
    duration.observe({ agent: labels.agent, outcome }, seconds);
  };
  return {
    tasks,
    duration,
    inProgress,
    record,
    /** Times a sync or async task: success when it returns, error when it throws or rejects. */
    time<R>(labels: AgentLabels, fn: () => R): R {
      const running = inProgress.labels({ agent: labels.agent });
      running.inc();
      return timeOutcome(fn, (outcome, seconds) => {
        running.dec();
        record(labels, outcome, seconds);
      });
    },
  };
}

export type AgentMetrics = ReturnType<typeof agentMetrics>;

const WINDOW = /^\d+(?:ms|s|m|h|d|w|y)$/;

/**
 * PromQL for the agent success ratio over a window, by agent: successful tasks over all
 * tasks. Use it in a recording rule (`agent:agent_task_success:ratio_rate5m`) or a panel.
 */
export function agentSuccessRatioQuery(window = '5m', prefix = ''): string {
  if (!WINDOW.test(window)) {
    throw new VigilError(
      'VIGIL_ERR_INVALID_OPTION',
      `window ${JSON.stringify(window)} is not a PromQL duration like "5m".`,
    );
  }
  const tasks = `${prefix}${AGENT_METRICS.tasks}`;
  return `sum by (agent) (rate(${tasks}{outcome="success"}[${window}])) / sum by (agent) (rate(${tasks}[${window}]))`;
}
