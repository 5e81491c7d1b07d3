import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { conformanceSkip, projectRoot } from '../support/env.ts';
import { buildEnvelope } from '../../src/exchange/ews/envelope.ts';
import { ewsOperationSamples } from './ews-operation-samples.ts';
import { validateEnvelopes } from './ews-xsd.ts';

const kebab = (name: string): string => name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

describe('every EWS request Dovetail builds validates against messages.xsd/types.xsd', { skip: conformanceSkip() }, () => {
  it('has representative arguments for every operation file', () => {
    const files = readdirSync(`${projectRoot}/src/exchange/ews/operations`).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const covered = new Set(ewsOperationSamples.map((s) => `${kebab(s.operation)}.ts`));
    assert.deepEqual(files.filter((f) => !covered.has(f)), []);
  });

  it('validates each request, in every version Dovetail may send, with and without impersonation', async () => {
    const docs = ewsOperationSamples.flatMap((s, i) => [
      { name: `${i}-${s.operation}-${s.label}`, xml: buildEnvelope(s.body(), { version: 'Exchange2013_SP1', impersonate: 'sadie@contoso.com' }) },
      { name: `${i}-${s.operation}-${s.label}-2010`, xml: buildEnvelope(s.body(), { version: 'Exchange2010_SP2' }) },
    ]);
    const errors = await validateEnvelopes(docs);
    const failed = [...errors].filter(([, e]) => e.length > 0);
    assert.deepEqual(failed, []);
    assert.equal(errors.size, docs.length);
  });

  it('the validator is not vacuous: a wrong distinguished folder name and an unknown element are rejected', async () => {
    const good = buildEnvelope('<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>', {
      version: 'Exchange2013_SP1',
    });
    const errors = await validateEnvelopes([
      { name: 'good', xml: good },
      { name: 'bad-folder', xml: good.replace('Id="inbox"', 'Id="notafolder"') },
      { name: 'bad-element', xml: good.replace('<t:BaseShape>', '<t:Shape>').replace('</t:BaseShape>', '</t:Shape>') },
    ]);
    assert.deepEqual(errors.get('good'), []);
    assert.match(errors.get('bad-folder')?.join('\n') ?? '', /notafolder/);
    assert.ok((errors.get('bad-element') ?? []).length > 0);
  });
});
