/**
 * Inputs shared by every library, built before anything is timed so that no loop pays for
 * creating its label objects or observation values (except the one case that means to).
 */

export const LIBS = ['vigil', 'prom-client', 'otel'] as const;
export type Lib = (typeof LIBS)[number];

export const LABEL_NAMES = ['method', 'route', 'status'] as const;
export type Labels3 = { method: string; route: string; status: string };

export const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'PURGE'];
export const ROUTES = [
  '/',
  '/login',
  '/logout',
  '/api/users',
  '/api/users/:id',
  '/api/orders',
  '/api/orders/:id',
  '/api/search',
  '/health',
  '/metrics',
];
export const STATUSES = ['200', '201', '204', '301', '304', '400', '401', '404', '500', '503'];

/** 10 × 10 × 10 label combinations. Loops rotate through them with an index that wraps at COMBOS. */
export const COMBOS = METHODS.length * ROUTES.length * STATUSES.length;

/** Pre-built label objects, one per combination. */
export const LABELS: Labels3[] = [];
/** The same combinations as three columns, for loops that write the object literal inline. */
export const COMBO_METHOD: string[] = [];
export const COMBO_ROUTE: string[] = [];
export const COMBO_STATUS: string[] = [];
for (let i = 0; i < COMBOS; i++) {
  const method = METHODS[i % 10] as string;
  const route = ROUTES[Math.floor(i / 10) % 10] as string;
  const status = STATUSES[Math.floor(i / 100)] as string;
  LABELS.push({ method, route, status });
  COMBO_METHOD.push(method);
  COMBO_ROUTE.push(route);
  COMBO_STATUS.push(status);
}

/** Ten single-label objects for the labelled histogram. */
export const ROUTE_LABELS: { route: string }[] = ROUTES.map((route) => ({ route }));

/** Prometheus' default latency buckets, given explicitly to OpenTelemetry so all three match. */
export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * 1024 observations, log-uniform between 1 ms and 20 s (fixed seed), so every bucket and
 * +Inf gets hits. The array holds boxed numbers (PACKED_ELEMENTS, see `boxed`): reading
 * one allocates nothing, like a value the caller already has, whatever the callee inlines.
 */
export const OBSERVATIONS: number[] = boxed(
  Array.from({ length: 1024 }, (_, i) => 0.001 * 20_000 ** lcg(i)).map((v) => Math.round(v * 1e6) / 1e6),
);
export const OBS_MASK = 1023;

function lcg(i: number): number {
  return ((Math.imul(i + 1, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

/**
 * A number array V8 stores as tagged values. An array of doubles (PACKED_DOUBLE_ELEMENTS)
 * holds raw floats, and passing one to a call that is not inlined boxes it anew each time:
 * allocation the harness, not the library, would cause. An elements kind never narrows,
 * so starting from an object element and popping it keeps the array generic.
 */
function boxed(values: readonly number[]): number[] {
  const out: unknown[] = [{}];
  out.pop();
  for (const v of values) out.push(v);
  return out as number[];
}

/** Label values for the scrape populations: 10 methods × 100 routes × 100 codes = 100k series. */
export const SCRAPE_ROUTES = Array.from({ length: 100 }, (_, i) => `/api/v1/resource${i}/:id`);
export const SCRAPE_CODES = Array.from({ length: 100 }, (_, i) => `${200 + i}`);
