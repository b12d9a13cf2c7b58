import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Family, Registry } from '../../src/metrics/index.js';
import { deleteGroup, PushError, push, pushAdd } from '../../src/push/index.js';
import { type PushgatewayHandle, startPushgateway } from '../support/pushgateway.js';

/**
 * vigil/push against a real Pushgateway 1.5: what a group holds is read back through
 * the gateway's own /api/v1/metrics, never through Vigil.
 */
let gateway: PushgatewayHandle;
beforeAll(async () => {
  gateway = await startPushgateway();
});
afterAll(async () => {
  await gateway?.stop();
});

const fast = { backoff: { initialMs: 20, maxMs: 200 } };

/** name → [{labels, value}] of a group's pushed families (the gateway's own left out). */
function values(group: Awaited<ReturnType<PushgatewayHandle['group']>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, family] of Object.entries(group?.families ?? {})) {
    if (name === 'push_time_seconds' || name === 'push_failure_time_seconds') continue;
    out[name] = family.metrics.map((m) => m.value ?? `count=${m.count}`).sort();
  }
  return out;
}

describe('push, pushAdd, deleteGroup semantics', () => {
  it('push (PUT) replaces the whole group', async () => {
    const first = new Registry();
    first.counter({ name: 'sem_put_a_total', help: 'a' }).inc(1);
    first.gauge({ name: 'sem_put_b', help: 'b' }).set(2);
    expect((await push({ gateway: gateway.url, job: 'sem-put', registry: first })).status).toBe(200);
    expect(values(await gateway.group({ job: 'sem-put' }))).toEqual({ sem_put_a_total: ['1'], sem_put_b: ['2'] });

    const second = new Registry();
    second.counter({ name: 'sem_put_a_total', help: 'a' }).inc(5);
    await push({ gateway: gateway.url, job: 'sem-put', registry: second });
    expect(values(await gateway.group({ job: 'sem-put' }))).toEqual({ sem_put_a_total: ['5'] });
  });

  it('pushAdd (POST) replaces only the same-named metrics', async () => {
    const first = new Registry();
    first.counter({ name: 'sem_post_a_total', help: 'a' }).inc(1);
    const b = first.gauge({ name: 'sem_post_b', help: 'b', labelNames: ['k'] });
    b.set({ k: 'x' }, 1);
    b.set({ k: 'y' }, 2);
    await push({ gateway: gateway.url, job: 'sem-post', registry: first });

    const second = new Registry();
    second.gauge({ name: 'sem_post_b', help: 'b', labelNames: ['k'] }).set({ k: 'z' }, 9);
    second.histogram({ name: 'sem_post_c_seconds', help: 'c', buckets: [1] }).observe(0.5);
    const result = await pushAdd({ gateway: gateway.url, job: 'sem-post', registry: second });
    expect(result.status).toBe(200);
    const group = await gateway.group({ job: 'sem-post' });
    // a kept; b replaced as a whole (x and y gone); c added.
    expect(values(group)).toEqual({ sem_post_a_total: ['1'], sem_post_b: ['9'], sem_post_c_seconds: ['count=1'] });
    expect(group?.families.sem_post_b?.metrics[0]?.labels).toMatchObject({ k: 'z', job: 'sem-post' });
    expect(group?.families.sem_post_c_seconds?.type).toBe('HISTOGRAM');
  });

  it('deleteGroup (DELETE) answers 202 and removes only that group', async () => {
    const registry = new Registry();
    registry.gauge({ name: 'sem_del', help: 'd' }).set(1);
    await push({ gateway: gateway.url, job: 'sem-del', groupings: { shard: '1' }, registry });
    await push({ gateway: gateway.url, job: 'sem-del', groupings: { shard: '2' }, registry });
    const result = await deleteGroup({ gateway: gateway.url, job: 'sem-del', groupings: { shard: '1' } });
    expect(result.status).toBe(202);
    expect(await gateway.group({ job: 'sem-del', shard: '1' })).toBeUndefined();
    expect(values(await gateway.group({ job: 'sem-del', shard: '2' }))).toEqual({ sem_del: ['1'] });
    // Deleting a group the gateway does not hold is not an error.
    expect((await deleteGroup({ gateway: gateway.url, job: 'sem-del', groupings: { shard: '9' } })).status).toBe(202);
  });

  it('a gzip body is accepted and decoded by the gateway', async () => {
    const registry = new Registry();
    registry.gauge({ name: 'sem_gzip', help: 'g', labelNames: ['i'] }).set({ i: 'é' }, 42);
    await push({ gateway: gateway.url, job: 'sem-gzip', registry, gzip: true });
    const group = await gateway.group({ job: 'sem-gzip' });
    expect(group?.families.sem_gzip?.metrics[0]).toMatchObject({ labels: { i: 'é' }, value: '42' });
  });
});

describe('grouping keys come back exactly', () => {
  const tricky: Record<string, string> = {
    branch: 'feature/x',
    nested: 'a/b/c/',
    slash: '/',
    empty: '',
    dot: '.',
    dots: '..',
    city: 'Zürich',
    text: 'sauvegarde été 日本語 🚀',
    unicode_slash: 'é/ü',
    reserved: "a b?c#d%e&f+g@h;i=j:k,l!'()*~",
    percent: '%2F%41',
    backslash: 'a\\b',
    base64ish: '=',
  };

  it('slashes, empty values, dots, non-ASCII and reserved characters', async () => {
    const registry = new Registry();
    registry.gauge({ name: 'group_exact', help: 'g' }).set(1);
    await push({ gateway: gateway.url, job: 'group/exact é', groupings: tricky, registry });
    const expected = { job: 'group/exact é', ...tricky };
    const group = await gateway.group(expected);
    expect(group, JSON.stringify((await gateway.metrics()).map((g) => g.labels))).toBeDefined();
    expect(group?.labels).toEqual(expected);
    expect(group?.families.group_exact?.metrics[0]?.labels).toEqual({ ...expected, instance: '' });
    // deleteGroup finds the same group through the same encoding.
    await deleteGroup({ gateway: gateway.url, job: 'group/exact é', groupings: tricky });
    expect(await gateway.group(expected)).toBeUndefined();
  });

  it.each(Object.entries(tricky))('one label %s = %j alone', async (name, value) => {
    const registry = new Registry();
    registry.gauge({ name: 'group_single', help: 'g' }).set(1);
    await push({ gateway: gateway.url, job: 'group-single', groupings: { [name]: value }, registry });
    const group = await gateway.group({ job: 'group-single', [name]: value });
    expect(group?.labels).toEqual({ job: 'group-single', [name]: value });
    await deleteGroup({ gateway: gateway.url, job: 'group-single', groupings: { [name]: value } });
  });
});

describe('the gateway’s 400s are surfaced', () => {
  it('a type conflict with a metric in another group', async () => {
    const counter = new Registry();
    counter.counter({ name: 'conflict_metric', help: 'c' }).inc();
    await push({ gateway: gateway.url, job: 'conflict-a', registry: counter });

    const gauge = new Registry();
    gauge.gauge({ name: 'conflict_metric', help: 'c' }).set(1);
    const error = await pushAdd({ gateway: gateway.url, job: 'conflict-b', registry: gauge, ...fast }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PushError);
    const e = error as PushError;
    expect(e.code).toBe('VIGIL_ERR_PUSH_REJECTED');
    expect(e.status).toBe(400);
    expect(e.attempts).toBe(1);
    expect(e.message).toContain('pushed metrics are invalid or inconsistent with existing metrics');
    expect(e.message).toMatch(/collected metric "conflict_metric" .* is not a (GAUGE|COUNTER)/);
    // Nothing of the rejected push landed.
    expect(await gateway.group({ job: 'conflict-b' })).toMatchObject({ lastPushSuccessful: false });
    expect(values(await gateway.group({ job: 'conflict-b' }))).toEqual({});
  });

  it('duplicate series', async () => {
    const registry = new Registry();
    const duplicate: Family = {
      name: 'dup_metric',
      help: 'd',
      type: 'gauge',
      unit: '',
      labelNames: ['k'],
      series: [
        { labelText: 'k="1"', value: 1 },
        { labelText: 'k="1"', value: 2 },
      ],
    } as Family;
    registry.registerCollector('dup', { collect: () => [duplicate] });
    const error = (await push({ gateway: gateway.url, job: 'dup', registry }).catch((e: unknown) => e)) as PushError;
    expect(error.code).toBe('VIGIL_ERR_PUSH_REJECTED');
    expect(error.message).toMatch(
      /collected metric "dup_metric" .* was collected before with the same name and label values/,
    );
  });
});

describe('gateway down, then up', () => {
  it('a push that retries while the gateway restarts on the same port loses nothing', async () => {
    const own = await startPushgateway();
    const port = own.port;
    const registry = new Registry();
    const done = registry.counter({ name: 'restart_jobs_total', help: 'r', labelNames: ['step'] });
    done.inc({ step: 'a/b' }, 2);
    await push({ gateway: own.url, job: 'restart', registry });
    await own.stop();

    // Down: a push without enough retries fails and changes nothing in the registry.
    done.inc({ step: 'a/b' }, 3);
    done.inc({ step: 'c' }, 1);
    const failed = (await push({ gateway: own.url, job: 'restart', registry, retries: 1, ...fast }).catch(
      (e: unknown) => e,
    )) as PushError;
    expect(failed.code).toBe('VIGIL_ERR_PUSH_FAILED');
    expect(failed.message).toMatch(/ECONNREFUSED/);

    // Push with retries; bring the gateway back on the same port while it retries.
    const pushing = push({
      gateway: own.url,
      job: 'restart',
      registry,
      retries: 20,
      backoff: { initialMs: 100, maxMs: 300 },
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const back = await startPushgateway({ port });
    try {
      const result = await pushing;
      expect(result.attempts).toBeGreaterThan(1);
      const group = await back.group({ job: 'restart' });
      const series = group?.families.restart_jobs_total?.metrics.map((m) => [m.labels.step, m.value]).sort();
      expect(series).toEqual([
        ['a/b', '5'],
        ['c', '1'],
      ]);
    } finally {
      await back.stop();
    }
  });
});
