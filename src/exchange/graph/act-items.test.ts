import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, systemClock } from '../../clock.ts';
import { createLabCa, startLabHttpsServer, type LabHttpsServer } from '../../lab/tls/lab-ca.ts';
import { GraphClient } from './client.ts';
import { ActItems } from './act-items.ts';

/**
 * Exchange Online's calendarView delta answers occurrences and exceptions of a series, never the
 * series master (the lab answers masters); this replays such a page.
 */
describe('appointment delta over occurrences', () => {
  let server: LabHttpsServer;
  let client: GraphClient;
  const requests: string[] = [];

  before(async () => {
    const ca = await createLabCa();
    server = await startLabHttpsServer(ca.issueServerCert(['127.0.0.1']), (req, res) => {
      requests.push(`${req.url} | ${req.headers['prefer']}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          '@odata.deltaLink': `${server.url}/v1.0/users/a@x/calendarView/delta?$deltatoken=abc`,
          value: [
            { id: 'occ-1', '@odata.etag': 'W/"o1"', type: 'occurrence', seriesMasterId: 'master-1' },
            { id: 'occ-2', '@odata.etag': 'W/"o2"', type: 'occurrence', seriesMasterId: 'master-1' },
            { id: 'exc-1', '@odata.etag': 'W/"e1"', type: 'exception', seriesMasterId: 'master-1' },
            { id: 'single-1', '@odata.etag': 'W/"s1"', type: 'singleInstance' },
            { id: 'gone-1', '@removed': { reason: 'deleted' } },
          ],
        }),
      );
    });
    client = new GraphClient({ root: server.url, trustedCaPem: ca.caCertPem, tokens: { getToken: async () => ({ token: 't', expiresAt: 0 }) }, clock: systemClock, random: seededRandom(1) });
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  it('reports a series once, by its master, and keeps exceptions and single events as they are', async () => {
    const act = new ActItems(client, { clock: systemClock, timeZone: 'Europe/Paris', calendarWindow: { pastDays: 1, futureDays: 2 } });
    const page = await act.sync('a@x', 'appointment', null, 25);
    assert.deepEqual(
      page.changes.map((c) => `${c.type}:${c.id}:${c.type === 'upsert' ? c.version : ''}`),
      ['upsert:master-1:', 'upsert:exc-1:W/"e1"', 'upsert:single-1:W/"s1"', 'removed:gone-1:'],
    );
    assert.equal(page.more, false);
    assert.match(requests[0]!, /\/users\/a%40x\/calendarView\/delta\?startDateTime=.+&endDateTime=.+ \| odata\.maxpagesize=25, IdType="ImmutableId", outlook\.timezone="Europe\/Paris"/);
  });
});
