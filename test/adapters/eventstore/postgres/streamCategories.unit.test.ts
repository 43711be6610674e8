import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  categoryOf,
  concernsPayload,
  concernsStream,
  MAX_NOTIFY_CATEGORIES,
  notifyPayload,
} from '../../../../src/adapters/eventstore/postgres/streamCategories';

const streamIds = ['execution-5b0e6a44', 'user-policy-alice', 'trading-control', 'plain'];

describe('stream categories (which subscriptions an append wakes)', () => {
  it('names a stream by its id up to the first dash', () => {
    expect(streamIds.map(categoryOf)).toEqual(['execution-', 'user-', 'trading-', 'plain']);
  });

  it('an in-process append wakes only subscriptions to its prefix, or to everything', () => {
    expect(concernsStream(['user-policy-'], 'execution-5b0e6a44')).toBe(false);
    expect(concernsStream(['user-policy-'], 'user-policy-alice')).toBe(true);
    expect(concernsStream(['execution-', 'user-policy-'], 'execution-1')).toBe(true);
    expect(concernsStream(undefined, 'anything')).toBe(true);
    expect(concernsStream([], 'anything')).toBe(true);
  });

  it('a NOTIFY wakes a subscription when a category may hold its streams; an unreadable payload wakes all', () => {
    expect(concernsPayload(['user-policy-'], 'execution-')).toBe(false);
    expect(concernsPayload(['user-policy-'], 'execution-,user-')).toBe(true);
    expect(concernsPayload(['execution-'], 'execution-')).toBe(true);
    expect(concernsPayload(['user-policy-'], '')).toBe(true);
    expect(concernsPayload(undefined, 'execution-')).toBe(true);
    const many = Array.from({ length: MAX_NOTIFY_CATEGORIES + 1 }, (_, n) => `c${n}-`).join(',');
    expect(concernsPayload(['user-policy-'], many)).toBe(true);
  });

  it('never lets a subscription sleep through an append to one of its streams (property)', () => {
    const id = fc.stringMatching(/^[a-z]{1,8}(-[a-z0-9]{1,8}){0,2}$/);
    fc.assert(
      fc.property(
        fc.array(id, { minLength: 1, maxLength: 30 }),
        fc.array(id, { maxLength: 3 }),
        (appended, raw) => {
          const prefixes = raw.map((prefix) => prefix.slice(0, Math.max(1, prefix.length - 2)));
          const payload = notifyPayload(new Set(appended.map(categoryOf)));
          const concerned = appended.some((streamId) => concernsStream(prefixes, streamId));
          // A false wake-up costs one read; a missed one would wait for the poll.
          if (concerned) expect(concernsPayload(prefixes, payload)).toBe(true);
        },
      ),
    );
  });
});
