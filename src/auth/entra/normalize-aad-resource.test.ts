import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../../errors.ts';
import { hmaScope, normalizeAadResource } from './normalize-aad-resource.ts';

describe('normalizeAadResource', () => {
  it('turns hosts and URLs into the origin Entra knows as an SPN', () => {
    assert.equal(normalizeAadResource('mail.contoso.com'), 'https://mail.contoso.com');
    assert.equal(normalizeAadResource(' Mail.Contoso.com '), 'https://mail.contoso.com');
    assert.equal(normalizeAadResource('https://mail.contoso.com/'), 'https://mail.contoso.com');
    assert.equal(normalizeAadResource('https://mail.contoso.com/EWS/Exchange.asmx?x=1'), 'https://mail.contoso.com');
    assert.equal(normalizeAadResource('mail.contoso.com:8443'), 'https://mail.contoso.com:8443');
    assert.equal(normalizeAadResource('00000002-0000-0FF1-CE00-000000000000'), '00000002-0000-0ff1-ce00-000000000000');
    assert.equal(hmaScope('mail.contoso.com'), 'https://mail.contoso.com/.default');
  });

  it('refuses plain http and junk', () => {
    for (const bad of ['http://mail.contoso.com', 'https://user:pw@mail.contoso.com', '::::']) {
      assert.throws(() => normalizeAadResource(bad), (e) => isAppError(e, 'hma_resource_invalid') && e.kind === 'invalid-input');
    }
  });
});
