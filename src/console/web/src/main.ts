import { latestHealth, startHealthBanner } from './banner.js';
import { alertsPage } from './pages/alerts.js';
import { metricsPage } from './pages/metrics.js';
import { overviewPage } from './pages/overview.js';
import { testsPage } from './pages/tests.js';
import { tracesPage } from './pages/traces.js';
import { startRouter } from './router.js';

function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`index.html lacks #${id}`);
  return el;
}

const nav = document.querySelector<HTMLElement>('nav');
const mode = document.querySelector<HTMLElement>('.mode');
if (nav === null || mode === null) throw new Error('index.html lacks its nav');

startHealthBanner(byId('banners'), mode);
startRouter(
  byId('page'),
  nav,
  { overview: overviewPage, metrics: metricsPage, traces: tracesPage, alerts: alertsPage, tests: testsPage },
  latestHealth,
);
