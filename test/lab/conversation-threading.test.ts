/**
 * Both labs thread messages as Exchange does (MS-OXOMSG PidTagConversationIndex / ConversationId):
 * a new conversation gets a 22-byte header, a reply (In-Reply-To or References naming a message of
 * the mailbox, or a carried Thread-Index) its parent's index plus one 5-byte level and the same
 * ConversationId; a sent message keeps its index in Sent Items and in every recipient's copy.
 * The EWS answers are validated against messages.xsd/types.xsd; the Graph side is read through
 * Dovetail's Graph driver, so its mapping of conversationId/conversationIndex is checked too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, systemClock } from '../../src/clock.ts';
import type { EmailMessage, RemoteFolderId, RemoteItemId } from '../../src/exchange/driver.ts';
import { openGraphDriver, type GraphMailboxDriver } from '../../src/exchange/graph/driver.ts';
import type { GraphLab } from '../../src/lab/graph/start-graph-lab.ts';
import { conversationIdOf, fileTime, headerFileTime, replyConversationIndex } from '../../src/lab/threading/conversation-index.ts';
import { conformanceSkip } from '../support/env.ts';
import { startTestGraphLab, testTokens } from '../contract/graph-lab-fixture.ts';
import { grab } from './support/ews-http.ts';
import { validateEnvelopes } from './support/ews-schema.ts';
import { ALEX, MEGAN, startFixture, type Fixture } from './support/lab-fixture.ts';

const ANA = { name: 'Ana Diaz', address: 'ana@fabrikam.example' };
const index = (b64: string): Buffer => Buffer.from(b64, 'base64');

function assertNewConversation(b64: string, label: string): void {
  const bytes = index(b64);
  assert.equal(bytes.length, 22, `${label}: a 22-byte header`);
  assert.equal(bytes[0], 0x01, `${label}: reserved byte 0x01`);
  const drift = Number(fileTime(Date.now()) - headerFileTime(bytes)) / 10_000;
  assert.ok(drift >= 0 && drift < 120_000, `${label}: the header carries the time of delivery (off by ${drift} ms)`);
}

function assertReplyOf(child: string, parent: string, label: string): void {
  const c = index(child);
  assert.equal(c.length, index(parent).length + 5, `${label}: one 5-byte level more than its parent`);
  assert.deepEqual(c.subarray(0, c.length - 5), index(parent), `${label}: starts with its parent's index`);
}

describe('the EWS lab threads messages', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(async () => f?.close());

  const getItem = async (name: string, id: string, impersonate = ALEX): Promise<{ index: string; conversationId: string; body: string }> => {
    const r = await f.call(name, `<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="${id}"/></m:ItemIds></m:GetItem>`, { impersonate });
    assert.equal(r.status, 200, r.body);
    return { index: grab(r.body, /<t:ConversationIndex>([^<]+)<\/t:ConversationIndex>/), conversationId: grab(r.body, /<t:ConversationId Id="([^"]+)"/), body: r.body };
  };
  const findByMessageId = async (name: string, folder: string, messageId: string, impersonate = ALEX): Promise<string> => {
    const r = await f.call(
      name,
      `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>Default</t:BaseShape></m:ItemShape><m:Restriction><t:IsEqualTo><t:FieldURI FieldURI="message:InternetMessageId"/>` +
        `<t:FieldURIOrConstant><t:Constant Value="${messageId.replace(/</g, '&lt;').replace(/>/g, '&gt;')}"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction>` +
        `<m:ParentFolderIds><t:DistinguishedFolderId Id="${folder}"/></m:ParentFolderIds></m:FindItem>`,
      { impersonate },
    );
    assert.match(r.body, /<t:ConversationIndex>/, 'FindItem views show the conversation too');
    return grab(r.body, /<t:ItemId Id="([^"]+)"/);
  };

  it('gives a new message a header index and a reply its parent index plus one level, in one conversation', async () => {
    const [root] = f.lab.api.deliverEmail({ to: [ALEX], from: ANA, subject: 'Pricing', body: 'What does it cost?', messageId: '<root@fabrikam.example>' });
    const [reply] = f.lab.api.deliverEmail({ to: [ALEX], from: ANA, subject: 'RE: Pricing', body: 'And shipping?', messageId: '<r1@fabrikam.example>', inReplyTo: '<root@fabrikam.example>', references: ['<root@fabrikam.example>'] });
    const [byReferences] = f.lab.api.deliverEmail({ to: [ALEX], from: ANA, subject: 'Pricing (again)', body: '…', messageId: '<r2@fabrikam.example>', references: ['<root@fabrikam.example>', '<r1@fabrikam.example>'] });
    const [other] = f.lab.api.deliverEmail({ to: [ALEX], from: ANA, subject: 'Pricing', body: 'Same subject, new thread', messageId: '<other@fabrikam.example>' });
    const r = await getItem('GetItem root', root!.itemId);
    const c = await getItem('GetItem reply', reply!.itemId);
    const g = await getItem('GetItem reply by References', byReferences!.itemId);
    const o = await getItem('GetItem other thread', other!.itemId);
    assertNewConversation(r.index, 'root');
    assertReplyOf(c.index, r.index, 'reply');
    assertReplyOf(g.index, c.index, 'reply naming the newest reference');
    assert.equal(c.conversationId, r.conversationId);
    assert.equal(g.conversationId, r.conversationId);
    assert.equal(r.conversationId, conversationIdOf(index(r.index)));
    assertNewConversation(o.index, 'unrelated message');
    assert.notEqual(o.conversationId, r.conversationId, 'the same subject alone does not join a thread');
  });

  it('keeps the Thread-Index a message carries (In-Reply-To stripped on the way)', async () => {
    const [root] = f.lab.api.deliverEmail({ to: [ALEX], from: ANA, subject: 'Carried', body: 'x', messageId: '<carried-root@fabrikam.example>' });
    const rootIndex = (await getItem('GetItem carried root', root!.itemId)).index;
    const threadIndex = replyConversationIndex(index(rootIndex), Date.now(), 0x5a).toString('base64');
    const [reply] = f.lab.api.deliverEmail({ to: [ALEX], from: ANA, subject: 'RE: Carried', body: 'y', threadIndex });
    const got = await getItem('GetItem carried reply', reply!.itemId);
    assert.equal(got.index, threadIndex);
    assert.equal(got.conversationId, conversationIdOf(index(rootIndex)));
  });

  it("threads a draft under the message it answers and keeps the thread in Sent Items and the recipient's copy", async () => {
    const parentId = await findByMessageId('FindItem parent', 'inbox', '<r1@fabrikam.example>');
    const parent = await getItem('GetItem parent', parentId);
    const created = await f.call(
      'CreateItem reply draft',
      `<m:CreateItem MessageDisposition="SaveOnly"><m:Items><t:Message><t:Subject>RE: Pricing</t:Subject><t:Body BodyType="Text">See attached.</t:Body>` +
        `<t:ToRecipients><t:Mailbox><t:EmailAddress>${MEGAN}</t:EmailAddress></t:Mailbox></t:ToRecipients>` +
        `<t:InReplyTo>&lt;r1@fabrikam.example&gt;</t:InReplyTo><t:InternetMessageId>&lt;answer@contoso.lab&gt;</t:InternetMessageId></t:Message></m:Items></m:CreateItem>`,
    );
    const draftId = grab(created.body, /<t:ItemId Id="([^"]+)"/);
    const draft = await getItem('GetItem draft', draftId);
    assertReplyOf(draft.index, parent.index, 'draft reply');
    assert.equal(draft.conversationId, parent.conversationId);
    const sent = await f.call('SendItem', `<m:SendItem SaveItemToFolder="true"><m:ItemIds><t:ItemId Id="${draftId}"/></m:ItemIds><m:SavedItemFolderId><t:DistinguishedFolderId Id="sentitems"/></m:SavedItemFolderId></m:SendItem>`);
    assert.match(sent.body, /ResponseClass="Success"/);
    const copy = await getItem('GetItem sent copy', await findByMessageId('FindItem sent copy', 'sentitems', '<answer@contoso.lab>'));
    assert.equal(copy.index, draft.index);
    const megan = await getItem('GetItem recipient copy', await findByMessageId('FindItem recipient copy', 'inbox', '<answer@contoso.lab>', MEGAN), MEGAN);
    assert.equal(megan.index, draft.index, 'the index travels with the message');
    assert.equal(megan.conversationId, parent.conversationId, 'one ConversationId in every mailbox the thread reached');
  });

  it('a new message sent at once (SendAndSaveCopy) starts its own conversation', async () => {
    await f.call(
      'CreateItem SendAndSaveCopy',
      `<m:CreateItem MessageDisposition="SendAndSaveCopy"><m:SavedItemFolderId><t:DistinguishedFolderId Id="sentitems"/></m:SavedItemFolderId><m:Items><t:Message><t:Subject>Kick-off</t:Subject>` +
        `<t:ToRecipients><t:Mailbox><t:EmailAddress>${MEGAN}</t:EmailAddress></t:Mailbox></t:ToRecipients><t:InternetMessageId>&lt;kickoff@contoso.lab&gt;</t:InternetMessageId></t:Message></m:Items></m:CreateItem>`,
    );
    const copy = await getItem('GetItem kick-off', await findByMessageId('FindItem kick-off', 'sentitems', '<kickoff@contoso.lab>'));
    assertNewConversation(copy.index, 'kick-off');
    const megan = await getItem('GetItem kick-off received', await findByMessageId('FindItem kick-off received', 'inbox', '<kickoff@contoso.lab>', MEGAN), MEGAN);
    assert.equal(megan.index, copy.index);
  });

  it('validates every answer above against messages.xsd/types.xsd', { skip: conformanceSkip() }, async () => {
    assert.ok(f.replies.length >= 15);
    const invalid = (await validateEnvelopes(f.replies)).filter((r) => !r.valid);
    assert.deepEqual(invalid, []);
  });
});

describe('the Graph lab threads messages, and the Graph driver maps the conversation fields', () => {
  const ALICE = 'alice@lab.dovetail.test';
  const BOB = 'bob@lab.dovetail.test';
  let lab: GraphLab;
  let driver: GraphMailboxDriver;
  before(async () => {
    const started = await startTestGraphLab();
    lab = started.lab;
    lab.addMailbox(ALICE, { displayName: 'Alice' });
    lab.addMailbox(BOB, { displayName: 'Bob' });
    driver = openGraphDriver({ root: lab.url, trustedCaPem: lab.caCertPem, tokens: testTokens(started.key, 'app-threading'), clock: systemClock, random: seededRandom(7) });
  });
  after(async () => {
    await driver?.close();
    await lab?.close();
  });

  const read = async (mailbox: string, id: string): Promise<EmailMessage> => {
    const [r] = await driver.getMessages(mailbox, [id as RemoteItemId]);
    assert.ok(r?.ok, r?.ok === false ? r.error.message : 'no result');
    return r.value;
  };
  const stored = (mailbox: string, id: string) => lab.item(mailbox, id)!.data;

  it('maps conversationId and conversationIndex as Graph returns them', async () => {
    const id = lab.deliver(ALICE, { from: ANA, to: [ALICE], subject: 'Pricing', body: 'x', internetMessageId: '<g-root@fabrikam.example>' });
    const m = await read(ALICE, id);
    assert.equal(m.conversationIndex, stored(ALICE, id)['conversationIndex']);
    assert.equal(m.conversationId, stored(ALICE, id)['conversationId']);
    assertNewConversation(m.conversationIndex!, 'Graph root');
    assert.equal(m.conversationId, conversationIdOf(index(m.conversationIndex!)));
  });

  it('gives a reply its parent index plus one level and the same conversationId; keeps a carried Thread-Index', async () => {
    const root = await read(ALICE, lab.messagesIn(ALICE, 'inbox').find((i) => i.data['internetMessageId'] === '<g-root@fabrikam.example>')!.id);
    const replyId = lab.deliver(ALICE, { from: ANA, to: [ALICE], subject: 'RE: Pricing', body: 'y', internetMessageId: '<g-r1@fabrikam.example>', inReplyTo: '<g-root@fabrikam.example>', references: ['<g-root@fabrikam.example>'] });
    const reply = await read(ALICE, replyId);
    assertReplyOf(reply.conversationIndex!, root.conversationIndex!, 'Graph reply');
    assert.equal(reply.conversationId, root.conversationId);
    const otherId = lab.deliver(ALICE, { from: ANA, to: [ALICE], subject: 'Pricing', body: 'z', internetMessageId: '<g-other@fabrikam.example>' });
    assert.notEqual((await read(ALICE, otherId)).conversationId, root.conversationId);
    const threadIndex = replyConversationIndex(index(reply.conversationIndex!), Date.now(), 3).toString('base64');
    const carriedId = lab.deliver(ALICE, { from: ANA, to: [ALICE], subject: 'RE: RE: Pricing', body: 'w', internetMessageId: '<g-r2@fabrikam.example>', threadIndex });
    const carried = await read(ALICE, carriedId);
    assert.equal(carried.conversationIndex, threadIndex);
    assert.equal(carried.conversationId, root.conversationId);
  });

  it("threads a sent reply under the message it answers, in Sent Items and in the recipient's copy", async () => {
    const parent = await read(ALICE, lab.messagesIn(ALICE, 'inbox').find((i) => i.data['internetMessageId'] === '<g-r1@fabrikam.example>')!.id);
    const sent = await driver.sendMessage(ALICE, {
      internetMessageId: '<g-answer@lab.dovetail.test>',
      from: { address: ALICE },
      to: [{ address: BOB }],
      cc: [],
      bcc: [],
      subject: 'RE: Pricing',
      body: { type: 'text', content: 'Forwarding to Bob.' },
      attachments: [],
      inReplyTo: '<g-r1@fabrikam.example>',
      references: ['<g-root@fabrikam.example>', '<g-r1@fabrikam.example>'],
      stamp: { orgId: 'org-1' },
    });
    assert.ok(sent.id);
    const copy = await read(ALICE, sent.id);
    assertReplyOf(copy.conversationIndex!, parent.conversationIndex!, 'sent reply');
    assert.equal(copy.conversationId, parent.conversationId);
    const bobInbox = await driver.getFolder(BOB, 'inbox');
    const [received] = await driver.findByInternetMessageId(BOB, bobInbox.id as RemoteFolderId, '<g-answer@lab.dovetail.test>');
    const bob = await read(BOB, received!);
    assert.equal(bob.conversationIndex, copy.conversationIndex, 'the index travels with the message');
    assert.equal(bob.conversationId, copy.conversationId);
  });

  it('a new message from a mailbox starts its own conversation', async () => {
    const sent = await driver.sendMessage(ALICE, {
      internetMessageId: '<g-new@lab.dovetail.test>',
      from: { address: ALICE },
      to: [{ address: 'ana@fabrikam.example' }],
      cc: [],
      bcc: [],
      subject: 'Kick-off',
      body: { type: 'text', content: 'Hello' },
      attachments: [],
      stamp: { orgId: 'org-1' },
    });
    const copy = await read(ALICE, sent.id!);
    assertNewConversation(copy.conversationIndex!, 'new sent message');
  });
});
