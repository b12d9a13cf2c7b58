import { describe, expect, it } from 'vitest';
import { DEFAULT_OTLP_ENDPOINT, resolveTracingConfig } from '../../../src/tracing/index.js';

describe('resolveTracingConfig', () => {
  it('defaults to OTLP http/protobuf on localhost:4318 with parent-based always-on sampling', () => {
    const c = resolveTracingConfig({ env: {} });
    expect(c).toMatchObject({
      enabled: true,
      exporter: 'otlp-proto',
      endpoint: DEFAULT_OTLP_ENDPOINT,
      serviceName: 'unknown_service',
      sampler: 'parentbased_always_on',
      samplerArg: 1,
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
      warnings: [],
    });
  });

  it('picks the exporter from the endpoint scheme', () => {
    expect(resolveTracingConfig({ endpoint: 'memory://', env: {} }).exporter).toBe('memory');
    expect(resolveTracingConfig({ endpoint: 'console://', env: {} }).exporter).toBe('console');
    expect(resolveTracingConfig({ endpoint: 'https://otel.example:4318/v1/traces', env: {} }).exporter).toBe(
      'otlp-proto',
    );
    expect(resolveTracingConfig({ endpoint: 'http://x:4318', protocol: 'http/json', env: {} }).exporter).toBe(
      'otlp-json',
    );
    expect(() => resolveTracingConfig({ endpoint: 'grpc://x:4317', env: {} })).toThrow(/unknown scheme/);
  });

  it('reads the standard OTEL_* variables', () => {
    const c = resolveTracingConfig({
      env: {
        OTEL_SERVICE_NAME: 'checkout',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-tenant = t1',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.version=1.2.3',
        OTEL_BSP_MAX_QUEUE_SIZE: '100',
      },
    });
    expect(c).toMatchObject({
      serviceName: 'checkout',
      exporter: 'otlp-json',
      endpoint: 'http://collector:4318/v1/traces',
      headers: { authorization: 'Bearer abc', 'x-tenant': 't1' },
      sampler: 'parentbased_traceidratio',
      samplerArg: 0.25,
      resourceAttributes: {
        'deployment.environment': 'prod',
        'service.version': '1.2.3',
        'service.name': 'checkout',
      },
      maxQueueSize: 100,
      maxExportBatchSize: 100,
      warnings: [],
    });
  });

  it('uses the traces-specific variables as given and over the generic ones', () => {
    const c = resolveTracingConfig({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=1',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=2',
      },
    });
    expect(c.endpoint).toBe('http://traces:9999/custom');
    expect(c.exporter).toBe('otlp-proto');
    expect(c.headers).toEqual({ a: '1', b: '2' });
  });

  it('lets the config object win over the environment', () => {
    const c = resolveTracingConfig({
      serviceName: 'mine',
      endpoint: 'memory://',
      sampler: 'always_off',
      resourceAttributes: { team: 'core' },
      env: { OTEL_SERVICE_NAME: 'env', OTEL_TRACES_SAMPLER: 'always_on', OTEL_RESOURCE_ATTRIBUTES: 'team=env,a=b' },
    });
    expect(c.serviceName).toBe('mine');
    expect(c.sampler).toBe('always_off');
    expect(c.resourceAttributes).toEqual({ team: 'core', a: 'b', 'service.name': 'mine' });
  });

  it('takes service.name from OTEL_RESOURCE_ATTRIBUTES when OTEL_SERVICE_NAME is unset', () => {
    expect(resolveTracingConfig({ env: { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' } }).serviceName).toBe(
      'from-attrs',
    );
  });

  it('honours OTEL_SDK_DISABLED', () => {
    const c = resolveTracingConfig({ env: { OTEL_SDK_DISABLED: 'TRUE' } });
    expect(c.enabled).toBe(false);
    expect(c.exporter).toBe('none');
    expect(resolveTracingConfig({ env: { OTEL_SDK_DISABLED: 'false' } }).enabled).toBe(true);
  });

  it('ignores bad environment values with a warning instead of failing the application', () => {
    const c = resolveTracingConfig({
      env: {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_SAMPLER: 'jaeger_remote',
        OTEL_TRACES_SAMPLER_ARG: '7',
        OTEL_RESOURCE_ATTRIBUTES: 'ok=1,broken,=x',
      },
    });
    expect(c.exporter).toBe('otlp-proto');
    expect(c.sampler).toBe('parentbased_always_on');
    expect(c.samplerArg).toBe(1);
    expect(c.resourceAttributes).toEqual({ ok: '1', 'service.name': 'unknown_service' });
    expect(c.warnings).toHaveLength(5);
    expect(c.warnings.join('\n')).toMatch(/grpc/);
    expect(c.warnings.join('\n')).toMatch(/jaeger_remote/);
  });

  it('rejects invalid values given in code', () => {
    const code = expect.objectContaining({ code: 'VIGIL_ERR_TRACING_OPTION' });
    expect(() => resolveTracingConfig({ samplerArg: 2, env: {} })).toThrow(code);
    expect(() => resolveTracingConfig({ maxQueueSize: 0, env: {} })).toThrow(code);
  });
});
