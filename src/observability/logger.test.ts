import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from './logger.ts';

describe('logger', () => {
  it('writes JSON lines and redacts secret-bearing keys up to three levels deep', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ level: 'info', destination });
    log.info({ password: 'p1-secret', profile: { keyVaultClientSecret: 'kv-secret', auth: { certificate: 'cert-secret', userName: 'svc' } }, req: { headers: { authorization: 'Bearer dvt_abc' } } }, 'saved');
    await new Promise((r) => setImmediate(r));
    const text = lines.join('');
    for (const secret of ['p1-secret', 'kv-secret', 'cert-secret', 'dvt_abc']) assert.equal(text.includes(secret), false, secret);
    const entry = JSON.parse(lines[0]!);
    assert.equal(entry.msg, 'saved');
    assert.equal(entry.profile.auth.userName, 'svc');
    assert.equal(entry.profile.auth.certificate, '[redacted]');
  });
});
