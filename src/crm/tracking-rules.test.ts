import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTrackingRule, shouldTrack, trackingRules } from './tracking-rules.ts';
import type { PartyKind } from './address-resolution.ts';

const senders: Array<PartyKind | null> = [null, 'user', 'queue', 'contact', 'account', 'lead'];

describe('tracking rules', () => {
  it('defaults to responses', () => assert.equal(defaultTrackingRule, 'responses'));

  it('tracks per rule', () => {
    const track = (rule: (typeof trackingRules)[number], correlated: boolean, senderKind: PartyKind | null) =>
      shouldTrack(rule, { correlated, senderKind }).track;
    for (const s of senders) {
      assert.equal(track('all', false, s), true);
      assert.equal(track('none', true, s), false);
      assert.equal(track('responses', false, s), false);
      assert.equal(track('responses', true, s), true);
      assert.equal(track('crm-records', false, s), s === 'contact' || s === 'account' || s === 'lead');
      assert.equal(track('email-enabled-records', false, s), s !== null);
    }
  });

  it('every rule but none tracks a response', () => {
    for (const rule of trackingRules) {
      assert.equal(shouldTrack(rule, { correlated: true, senderKind: null }).track, rule !== 'none');
    }
  });
});
