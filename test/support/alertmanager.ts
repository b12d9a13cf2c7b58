import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './components.js';
import { freePort } from './ports.js';
import { spawnManaged, waitForHttpReady } from './process.js';

/**
 * A real Alertmanager (Debian prometheus-alertmanager 0.25) for the console tests:
 * 127.0.0.1, a free port, clustering off (else it binds 0.0.0.0:9094), a temp data dir,
 * one route to a receiver that sends nothing. Stopped by PID.
 */

export interface AlertmanagerHandle {
  url: string;
  /** POST /api/v2/alerts: the alerts fire until `endsAt` (default: one hour from now). */
  postAlert(alert: { labels: Record<string, string>; annotations?: Record<string, string> }): Promise<void>;
  stop(): Promise<void>;
}

const CONFIG = ['route:', '  receiver: blackhole', '  group_wait: 0s', 'receivers:', '  - name: blackhole', ''].join(
  '\n',
);

export async function startAlertmanager(): Promise<AlertmanagerHandle> {
  const binary = requireBinary('/usr/bin/prometheus-alertmanager', 'prometheus-alertmanager');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), CONFIG);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnManaged(
    binary,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { dir },
  );
  await waitForHttpReady(proc, `${url}/-/ready`, { timeoutMs: 15_000 });
  return {
    url,
    async postAlert({ labels, annotations = {} }) {
      const now = Date.now();
      const body = [
        {
          labels,
          annotations,
          startsAt: new Date(now - 60_000).toISOString(),
          endsAt: new Date(now + 3_600_000).toISOString(),
          generatorURL: 'http://127.0.0.1/vigil-browser-test',
        },
      ];
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
      if (!res.ok) throw new Error(`alertmanager refused the alert: ${res.status} ${await res.text()}`);
    },
    stop: () => proc.stop(),
  };
}
