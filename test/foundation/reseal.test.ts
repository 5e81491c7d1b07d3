import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { seededRandom } from '../../src/clock.ts';
import { isAppError } from '../../src/errors.ts';
import { profileDefaults, splitAuthInput } from '../../src/domain/profile.ts';
import { resealAll } from '../../src/store/reseal.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { repositories } from '../../src/store/store.ts';
import { openTestStore } from './test-store.ts';

describe('secret rotation', () => {
  it('reseals every *_sealed value under the current key; the old key is then no longer needed', async () => {
    const random = seededRandom(5);
    const keyA = secretKey(Buffer.alloc(32, 0xa));
    const keyB = secretKey(Buffer.alloc(32, 0xb));
    const t = await openTestStore('pglite', { sealer: createSealer(keyringOf(keyA), random) });
    const store = t.store;
    try {
      const { auth, secrets } = splitAuthInput({
        type: 'hybrid-modern-auth', ewsUrl: 'https://mail.contoso.com/EWS/Exchange.asmx', aadResourceId: 'https://mail.contoso.com',
        tenantId: 'contoso.onmicrosoft.com', hmaApplicationId: '0f1e2d3c-4b5a-4697-8877-665544332211', keyVaultUri: 'https://kv.vault.azure.net',
        keyVaultKeyName: 'HMA-Cert', keyVaultApplicationId: '1a2b3c4d-5e6f-4a0b-9c8d-7e6f5a4b3c2d', keyVaultClientSecret: 'kv-client-secret-value',
      });
      const p = await store.profiles.create({ ...profileDefaults(auth), name: 'HMA', serverType: 'exchange-server', auth }, secrets);

      const rotated = createSealer(keyringOf(keyB, keyA), random);
      const result = await resealAll(store.kysely, rotated);
      assert.equal(result.resealed, 1);
      assert.ok(result.columns.includes('email_server_profiles.key_vault_client_secret_sealed'));
      const raw = await sql<{ v: string }>`select key_vault_client_secret_sealed as v from email_server_profiles`.execute(store.kysely);
      assert.equal(rotated.keyIdOf(raw.rows[0]!.v), keyB.id);
      assert.equal((await resealAll(store.kysely, rotated)).resealed, 0);

      const onlyB = repositories(store.kysely, { clock: t.clock, random, sealer: createSealer(keyringOf(keyB), random) });
      assert.deepEqual(await onlyB.profiles.getSecrets(p.id), { keyVaultClientSecret: 'kv-client-secret-value' });
      const onlyA = repositories(store.kysely, { clock: t.clock, random, sealer: createSealer(keyringOf(keyA), random) });
      await assert.rejects(onlyA.profiles.getSecrets(p.id), (e) => isAppError(e, 'secret_key_missing'));
    } finally {
      await t.dispose();
    }
  });
});
