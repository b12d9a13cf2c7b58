/**
 * Sends a steady trickle of requests to the demo service on 127.0.0.1 so its metrics
 * move: known routes, a few failures, and some random unknown URLs that must not create
 * new series. One request at a time, a few per second, until stopped.
 */
export function startTraffic(baseUrl: string, random: () => number = Math.random): () => void {
  const paths = [
    () => `/api/users/${Math.floor(random() * 20)}`,
    () => '/api/search',
    () => '/api/jobs',
    () => '/api/chat',
    () => '/api/fail',
    () => `/scan/${Math.floor(random() * 1e9).toString(36)}`,
  ];
  const weights = [0.4, 0.2, 0.15, 0.1, 0.05, 0.1];
  let stopped = false;
  let sent = 0;
  const loop = async () => {
    while (!stopped) {
      // Every route once first, so each shows in the metrics from the start; then weighted.
      let i = sent++;
      if (i >= paths.length) {
        let r = random();
        i = 0;
        while (i < weights.length - 1 && r >= (weights[i] as number)) r -= weights[i++] as number;
      }
      const method = paths[i] === paths[2] ? 'POST' : 'GET';
      await fetch(`${baseUrl}${(paths[i] as () => string)()}`, { method, signal: AbortSignal.timeout(2000) })
        .then((res) => res.arrayBuffer())
        .catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 100 + random() * 200));
    }
  };
  void loop();
  return () => {
    stopped = true;
  };
}
