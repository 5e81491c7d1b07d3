import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../errors.ts';
import { cloudByName, cloudOfVault, clouds } from './clouds.ts';

describe('clouds', () => {
  it('pairs each cloud with its own authority, Graph and Key Vault hosts', () => {
    assert.equal(clouds.global.authorityHost, 'login.microsoftonline.com');
    assert.equal(clouds['us-government'].graphScope, 'https://graph.microsoft.us/.default');
    assert.equal(clouds.china.authorityHost, 'login.partner.microsoftonline.cn');
    assert.equal(clouds.china.graphEndpoint, 'https://microsoftgraph.chinacloudapi.cn');
    for (const cloud of Object.values(clouds)) {
      assert.equal(cloud.graphScope, `${cloud.graphEndpoint}/.default`);
      assert.equal(cloud.keyVaultScope, `https://${cloud.keyVaultDnsSuffix.slice(1)}/.default`);
    }
  });

  it('finds a vault cloud by DNS suffix and refuses unknown cloud names', () => {
    assert.equal(cloudOfVault('https://contoso-kv.vault.usgovcloudapi.net/')?.keyVaultScope, 'https://vault.usgovcloudapi.net/.default');
    assert.equal(cloudOfVault('https://contoso-kv.vault.azure.cn/')?.name, 'china');
    assert.equal(cloudOfVault('https://127.0.0.1:8443/'), undefined);
    assert.equal(cloudByName('global'), clouds.global);
    assert.throws(() => cloudByName('germany'), (e) => isAppError(e, 'unknown_cloud'));
  });
});
