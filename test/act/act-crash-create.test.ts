/**
 * Crash tests of ACT creates: a worker process SIGKILLed after the org stamp, after the create
 * intent, after the Exchange create, after the link, and after a CRM create with its link; the
 * next process's cycle repairs it with no duplicate on either side.
 */
import { after, before, describe, it } from 'node:test';
import { tnode } from '../../src/lab/xml/xml-writer.ts';
import { postgresSkip } from '../support/env.ts';
import { ALEX, openActCrash, type ActCrash } from './act-crash-harness.ts';

describe('ACT creates survive SIGKILL at every persisted step (PostgreSQL)', { skip: postgresSkip() }, () => {
  let c: ActCrash;
  before(async () => {
    c = await openActCrash();
  });
  after(() => c?.close());

  it('creates on Exchange: killed after the org stamp, after the intent, after the create, after the link', async () => {
    let n = 0;
    for (const step of ['act:org-stamped', 'act:intent-recorded', 'act:exchange-created', 'act:linked']) {
      await c.insert('task', { subject: `Task ${++n} (${step})` });
      await c.crashThenRepair(step);
      await c.assertNoDuplicates('task');
    }
  });

  it('creates in the CRM: killed after the CRM record and its link commit', async () => {
    const id = c.lab.api.createContact(ALEX, { givenName: 'Ana', surname: 'Diaz', email: 'ana@fabrikam.example', companyName: 'Fabrikam' });
    // Tracked in Outlook: the owner gives it the category.
    c.lab.api.item(ALEX, id).props.set('Categories', tnode('Categories', '', {}, [tnode('String', 'Tracked to Dovetail')]));
    c.lab.api.editItem(ALEX, id, { JobTitle: 'Buyer' });
    await c.crashThenRepair('act:crm-created');
    await c.assertNoDuplicates('contact');
  });
});
