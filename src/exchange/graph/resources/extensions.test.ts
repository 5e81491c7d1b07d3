import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DOVETAIL_PROPERTY_SET } from '../../ews/schema/extended-property.ts';
import { dovetailPropertySet, expandProperties, orgIdProperty, stampFromExtension, stampFromProperties, stampProperties } from './extensions.ts';

describe('Dovetail marks in Graph', () => {
  it('uses the EWS driver property set, so stamps read the same through both providers', () => {
    assert.equal(dovetailPropertySet.replace(/[{}]/g, '').toLowerCase(), DOVETAIL_PROPERTY_SET.toLowerCase());
    assert.match(orgIdProperty, /^String \{[0-9a-f-]{36}\} Name DovetailOrgId$/);
  });

  it('round-trips a stamp through extended properties and open extensions', () => {
    const stamp = { orgId: 'org-1', activityId: 'act-9' };
    assert.deepEqual(stampFromProperties({ singleValueExtendedProperties: stampProperties(stamp).map((p) => ({ ...p, id: p.id.toUpperCase() })) }), stamp);
    assert.deepEqual(stampFromExtension({ extensions: [{ extensionName: 'com.dovetail.sync', orgId: 'org-1', activityId: 'act-9' }] }), stamp);
    assert.equal(stampFromProperties({}), undefined);
  });

  it('quotes ids in $expand filters as OData wants', () => {
    assert.equal(expandProperties(["String 0x1042", "a'b"]), "singleValueExtendedProperties($filter=id eq 'String 0x1042' or id eq 'a''b')");
  });
});
