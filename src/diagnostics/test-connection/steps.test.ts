import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import { StepRecorder, TEST_STEPS } from './steps.ts';

const SECRET = 'S3cret-Value-For-Test';

describe('StepRecorder', () => {
  it('reports every step in the fixed order; steps after a failure are skipped and not ok, not-applicable ones are ok', async () => {
    const rec = new StepRecorder(fixedClock(0), []);
    rec.set('configuration', { ok: true, detail: 'fine' });
    rec.notApplicable('autodiscover', 'off');
    await rec.run('tls', async () => {
      throw new AppError('tls_failed', 'TLS to mail.contoso.com failed: certificate "CN=mail": issuer not trusted', { details: { host: 'mail.contoso.com' } });
    });
    const result = rec.result('p1', 'a@b.c');
    assert.deepEqual(result.steps.map((s) => s.step), [...TEST_STEPS]);
    assert.equal(result.ok, false);
    const [configuration, autodiscover, tls, authentication] = result.steps;
    assert.equal(configuration!.ok, true);
    assert.deepEqual([autodiscover!.ok, autodiscover!.skipped], [true, true]);
    assert.deepEqual([tls!.ok, tls!.skipped], [false, false]);
    assert.match(tls!.trace ?? '', /"code":"tls_failed"/);
    assert.deepEqual([authentication!.ok, authentication!.skipped], [false, true]);
    assert.match(authentication!.detail, /the tls step failed/);
  });

  it('merges two outcomes of one step (a failure wins) and never throws for a failed step', async () => {
    const rec = new StepRecorder(fixedClock(0), []);
    rec.set('authentication', { ok: true, detail: 'token issued.' });
    rec.set('authentication', { ok: false, detail: 'refused.', remedy: 'fix it' });
    rec.set('authentication', { ok: true, detail: 'later ok.' });
    const step = rec.result('p', null).steps.find((s) => s.step === 'authentication')!;
    assert.equal(step.ok, false);
    assert.equal(step.detail, 'refused.');
    assert.equal(step.remedy, 'fix it');
    assert.equal(await rec.run('permissions', () => Promise.reject(new Error('boom'))), false);
  });

  it('redacts known secrets and credentials from details, remedies and traces', async () => {
    const rec = new StepRecorder(fixedClock(0), [SECRET]);
    await rec.run('authentication', async () => {
      throw new AppError('auth_failed', `server said no to ${SECRET}`, { details: { request: `Authorization: Basic ${Buffer.from(`svc:${SECRET}`).toString('base64')}`, remedy: `retype ${SECRET}` } });
    });
    const text = JSON.stringify(rec.result('p', null));
    assert.ok(!text.includes(SECRET));
    assert.ok(!text.includes(Buffer.from(`svc:${SECRET}`).toString('base64')));
    assert.match(text, /\[redacted\]/);
  });
});
