import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExchangeBuild, supportsDomainName, supportsHma, supportsOwaEcpHma } from './exchange-builds.ts';

const b = (text: string) => {
  const parsed = parseExchangeBuild(text);
  assert.ok(parsed, text);
  return parsed;
};

describe('parseExchangeBuild', () => {
  it('maps AdminDisplayVersion and ExSetup file versions to product and CU (Microsoft build list)', () => {
    const cases: [string, string][] = [
      ['Version 15.0 (Build 1347.2)', 'Exchange 2013 CU18 (15.0.1347.2)'],
      ['Version 15.0 (Build 1365.1)', 'Exchange 2013 CU19 (15.0.1365.1)'],
      ['Version 15.0 (Build 1497.2)', 'Exchange 2013 CU23 (15.0.1497.2)'],
      ['Version 15.1 (Build 1261.35)', 'Exchange 2016 CU7 (15.1.1261.35)'],
      ['Version 15.1 (Build 1415.2)', 'Exchange 2016 CU8 (15.1.1415.2)'],
      ['Version 15.1 (Build 1531.3)', 'Exchange 2016 CU10 (15.1.1531.3)'],
      ['Version 15.1 (Build 2106.2)', 'Exchange 2016 CU18 (15.1.2106.2)'],
      ['Version 15.1 (Build 2507.6)', 'Exchange 2016 CU23 (15.1.2507.6)'],
      ['Version 15.2 (Build 721.2)', 'Exchange 2019 CU7 (15.2.721.2)'],
      ['Version 15.2 (Build 1544.4)', 'Exchange 2019 CU14 (15.2.1544.4)'],
      ['15.02.1544.011', 'Exchange 2019 CU14 (15.2.1544.11)'],
      ['15.2.1748.10', 'Exchange 2019 CU15 (15.2.1748.10)'],
      ['Version 15.2 (Build 2562.17)', 'Exchange Server SE RTM (15.2.2562.17)'],
      ['Version 14.3 (Build 123.4)', 'Exchange 2010 or older (14.3.123.4)'],
    ];
    for (const [text, label] of cases) assert.equal(b(text).label, label, text);
    assert.equal(b('Version 15.1 (Build 2507.39)').approximate, false);
    assert.equal(b('Version 15.1 (Build 2600.1)').label, 'Exchange 2016 CU23 (15.1.2600.1)');
    assert.equal(b('Version 15.1 (Build 2600.1)').approximate, true);
    assert.equal(parseExchangeBuild('Exchange 2019'), undefined);
  });

  it('knows which builds support HMA (2013 CU19+, 2016 CU8+, 2019, SE)', () => {
    assert.equal(supportsHma(b('Version 15.0 (Build 1347.2)')), false);
    assert.equal(supportsHma(b('Version 15.0 (Build 1365.1)')), true);
    assert.equal(supportsHma(b('Version 15.1 (Build 1261.35)')), false);
    assert.equal(supportsHma(b('Version 15.1 (Build 1415.2)')), true);
    assert.equal(supportsHma(b('Version 15.2 (Build 221.12)')), true);
    assert.equal(supportsHma(b('Version 15.2 (Build 2562.17)')), true);
    assert.equal(supportsHma(b('Version 14.3 (Build 123.4)')), false);
  });

  it('allows Set-AuthServer -DomainName from 2016 CU18 and 2019 CU7', () => {
    assert.equal(supportsDomainName(b('Version 15.1 (Build 2044.4)')), false);
    assert.equal(supportsDomainName(b('Version 15.1 (Build 2106.2)')), true);
    assert.equal(supportsDomainName(b('Version 15.2 (Build 659.4)')), false);
    assert.equal(supportsDomainName(b('Version 15.2 (Build 721.2)')), true);
    assert.equal(supportsDomainName(b('Version 15.0 (Build 1497.2)')), false);
  });

  it('needs 2019 CU14 with the April 2024 HU (15.2.1544.11) or later for OWA/ECP HMA', () => {
    assert.equal(supportsOwaEcpHma(b('15.2.1544.9'), true), 'no');
    assert.equal(supportsOwaEcpHma(b('15.2.1544.11'), true), 'yes');
    assert.equal(supportsOwaEcpHma(b('Version 15.2 (Build 1544.4)'), false), 'unknown');
    assert.equal(supportsOwaEcpHma(b('Version 15.2 (Build 1258.12)'), false), 'no');
    assert.equal(supportsOwaEcpHma(b('Version 15.2 (Build 1748.10)'), false), 'yes');
    assert.equal(supportsOwaEcpHma(b('Version 15.2 (Build 2562.17)'), false), 'yes');
    assert.equal(supportsOwaEcpHma(b('Version 15.1 (Build 2507.39)'), true), 'no');
  });
});
