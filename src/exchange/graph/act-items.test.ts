import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, systemClock } from '../../clock.ts';
import { createLabCa, startLabHttpsServer, type LabHttpsServer } from '../../lab/tls/lab-ca.ts';
import { GraphClient } from './client.ts';
import { ActItems } from './act-items.ts';

/**
 * Exchange Online's calendarView delta answers occurrences and exceptions of a series, never the
 * series master (the lab answers masters); this replays such a page. It also reports events that
 * are outside its window as removed; those are read by id before they count as deleted.
 */
describe('appointment delta over occurrences', () => {
  let server: LabHttpsServer;
  let client: GraphClient;
  const requests: string[] = [];
  const batchUrls: string[] = [];

  before(async () => {
    const ca = await createLabCa();
    server = await startLabHttpsServer(ca.issueServerCert(['127.0.0.1']), (req, res) => {
      if (req.method === 'POST' && (req.url ?? '').includes('$batch')) {
        // Removed events are read by id: 'gone-1' is really gone, 'outside-1' only left the window.
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          const batch = JSON.parse(body) as { requests: Array<{ id: string; url: string }> };
          batchUrls.push(...batch.requests.map((r) => r.url));
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({
            responses: batch.requests.map((r) => r.url.includes('outside-1')
              ? { id: r.id, status: 200, headers: { 'content-type': 'application/json' }, body: { id: 'outside-1', '@odata.etag': 'W/"x1"' } }
              : { id: r.id, status: 404, headers: { 'content-type': 'application/json' }, body: { error: { code: 'ErrorItemNotFound', message: 'The specified object was not found in the store.' } } }),
          }));
        });
        return;
      }
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
            { id: 'outside-1', '@removed': { reason: 'deleted' } },
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
      ['upsert:master-1:', 'upsert:exc-1:W/"e1"', 'upsert:single-1:W/"s1"', 'removed:gone-1:', 'upsert:outside-1:W/"x1"'],
      'an event reported removed that still exists (it left the window) comes back as a change',
    );
    assert.equal(batchUrls.length, 2, 'both removed events were read by id, in one $batch');
    assert.equal(page.more, false);
    assert.match(requests[0]!, /\/users\/a%40x\/calendarView\/delta\?startDateTime=.+&endDateTime=.+ \| odata\.maxpagesize=25, IdType="ImmutableId", outlook\.timezone="Europe\/Paris"/);
  });
});
