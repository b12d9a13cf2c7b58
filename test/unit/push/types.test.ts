import { describe, expectTypeOf, it } from 'vitest';
import type { Registry } from '../../../src/metrics/index.js';
import {
  deleteGroup,
  type GroupOptions,
  type PushError,
  type PushOptions,
  type PushResult,
  push,
  pushAdd,
} from '../../../src/push/index.js';

// Compile-time checks (tsc type-checks test/); nothing here sends a request.
describe('push types', () => {
  it('requires gateway and job; returns a PushResult', () => {
    expectTypeOf(push).parameter(0).toEqualTypeOf<PushOptions>();
    expectTypeOf(pushAdd).parameter(0).toEqualTypeOf<PushOptions>();
    expectTypeOf(deleteGroup).parameter(0).toEqualTypeOf<GroupOptions>();
    expectTypeOf(push).returns.resolves.toEqualTypeOf<PushResult>();
    expectTypeOf<PushOptions['gateway']>().toEqualTypeOf<string>();
    expectTypeOf<PushOptions['job']>().toEqualTypeOf<string>();
    expectTypeOf<PushOptions['registry']>().toEqualTypeOf<Registry | undefined>();
    // @ts-expect-error job is required
    const noJob: PushOptions = { gateway: 'http://127.0.0.1:9091' };
    // @ts-expect-error grouping values are strings
    const numeric: PushOptions = { gateway: 'http://127.0.0.1:9091', job: 'j', groupings: { shard: 1 } };
    // @ts-expect-error deleteGroup sends no body: no registry
    const withRegistry: GroupOptions = { gateway: 'http://127.0.0.1:9091', job: 'j', registry: undefined };
    void [noJob, numeric, withRegistry];
  });

  it('PushError carries status, body and attempts', () => {
    expectTypeOf<PushError['status']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<PushError['body']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<PushError['attempts']>().toEqualTypeOf<number>();
    expectTypeOf<PushError['code']>().toExtend<string>();
  });
});
