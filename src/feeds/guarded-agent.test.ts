import type { LookupAddress } from 'node:dns';

import { describe, expect, it } from 'vitest';

import { createAddressPolicy } from './address-policy.ts';
import { createGuardedLookup, type ResolveAll } from './guarded-agent.ts';

const answers: Record<string, LookupAddress[]> = {
  'public.example.test': [{ address: '93.184.215.14', family: 4 }],
  'mixed.example.test': [
    { address: '127.0.0.1', family: 4 },
    { address: '2606:4700::1111', family: 6 },
    { address: '10.0.0.1', family: 4 },
  ],
  'local.example.test': [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ],
  'empty.example.test': [],
};
const resolveAll: ResolveAll = (hostname, _options, callback) => {
  const found = answers[hostname];
  if (found) callback(null, found);
  else callback(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), []);
};
const lookup = createGuardedLookup(createAddressPolicy(false), resolveAll);

function resolve(hostname: string, all: boolean) {
  return new Promise<{ error: Error | null; address: unknown; family: unknown }>((done) => {
    lookup(hostname, { all }, (error, address, family) => done({ error, address, family }));
  });
}

describe('createGuardedLookup', () => {
  it('returns the allowed addresses only, in both shapes net.connect asks for', async () => {
    expect(await resolve('mixed.example.test', true)).toMatchObject({
      error: null,
      address: [{ address: '2606:4700::1111', family: 6 }],
    });
    expect(await resolve('mixed.example.test', false)).toMatchObject({
      error: null,
      address: '2606:4700::1111',
      family: 6,
    });
    expect(await resolve('public.example.test', false)).toMatchObject({
      address: '93.184.215.14',
      family: 4,
    });
  });

  it('fails with a forbidden-address feed error when every address is refused', async () => {
    const { error } = await resolve('local.example.test', true);
    expect(error).toMatchObject({
      reason: 'forbidden-address',
      message:
        "'local.example.test' resolves to 127.0.0.1, a special-purpose address (loopback): not fetched (see FEED_ALLOW_PRIVATE_ADDRESSES)",
    });
  });

  it('passes resolution failures on, and treats no answer as one', async () => {
    expect((await resolve('unknown.example.test', false)).error).toMatchObject({
      code: 'ENOTFOUND',
    });
    expect((await resolve('empty.example.test', true)).error).toMatchObject({
      code: 'ENOTFOUND',
      message: "no address for 'empty.example.test'",
    });
  });
});
