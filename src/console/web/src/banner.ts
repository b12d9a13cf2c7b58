import type { HealthResponse } from '../../api-types.js';
import { ApiFailure, api } from './api.js';
import { clear, h, sentence, withoutCode } from './dom.js';

/**
 * Polls GET /api/health every 5 s and shows one red banner per configured source that is
 * unreachable (naming it, its URL and the error), or one for the console API itself.
 * Pages read the latest health through `latestHealth()` / `onHealth()`.
 */

export const HEALTH_INTERVAL_MS = 5_000;

const NAMES: Record<string, string> = {
  prometheus: 'Prometheus',
  alertmanager: 'Alertmanager',
  pushgateway: 'Pushgateway',
  registry: 'Registry',
};

let latest: HealthResponse | null = null;
const listeners = new Set<(health: HealthResponse) => void>();

export function latestHealth(): HealthResponse | null {
  return latest;
}

/** Calls `listener` with each new health answer; returns the unsubscribe function. */
export function onHealth(listener: (health: HealthResponse) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function startHealthBanner(container: HTMLElement, mode: HTMLElement): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    try {
      const health = await api.health();
      latest = health;
      renderSources(container, health);
      mode.textContent = `${health.mode} · ${health.status}`;
      mode.dataset.status = health.status;
      for (const listener of listeners) listener(health);
    } catch (error) {
      renderApiDown(container, error);
      mode.textContent = 'console API unreachable';
      mode.dataset.status = 'down';
    }
    if (!stopped) timer = setTimeout(tick, HEALTH_INTERVAL_MS);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function renderSources(container: HTMLElement, health: HealthResponse): void {
  clear(container);
  for (const source of health.sources) {
    if (!source.configured || source.reachable !== false) continue;
    const name = NAMES[source.name] ?? source.name;
    container.append(
      h(
        'div',
        { class: 'banner', 'data-testid': `banner-${source.name}`, 'data-source': source.name },
        h('strong', {}, `${name} is unreachable`),
        source.url === null ? '' : ` (${source.url})`,
        `: ${sentence(withoutCode(source.error ?? 'it does not answer'))} `,
        h('span', { class: 'hint' }, `Data from ${name} is not shown until it answers again.`),
      ),
    );
  }
}

function renderApiDown(container: HTMLElement, error: unknown): void {
  clear(container);
  const detail = error instanceof ApiFailure ? `${error.code}: ${error.message}` : String(error);
  container.append(
    h(
      'div',
      { class: 'banner', 'data-testid': 'banner-console', 'data-source': 'console' },
      h('strong', {}, 'The console API is unreachable'),
      ` (${detail}). Retrying every ${HEALTH_INTERVAL_MS / 1000} s.`,
    ),
  );
}
