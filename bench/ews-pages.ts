/**
 * Large, realistic EWS response pages for the parse benchmark: SyncFolderItems and GetItem with
 * full message properties (HTML bodies of a few KB, recipients, Message-ID chains, a stamp and an
 * attachment), generated deterministically.
 */
const T = 'http://schemas.microsoft.com/exchange/services/2006/types';
const M = 'http://schemas.microsoft.com/exchange/services/2006/messages';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

const words = 'quote order invoice meeting review contract delivery schedule pricing renewal support account project update budget forecast agenda proposal'.split(' ');

function paragraph(r: () => number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += `${words[Math.floor(r() * words.length)]}${i % 12 === 11 ? '. ' : ' '}`;
  return out;
}

function mailbox(name: string, address: string): string {
  return `<t:Mailbox><t:Name>${name}</t:Name><t:EmailAddress>${address}</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox</t:MailboxType></t:Mailbox>`;
}

export function message(i: number, r: () => number): string {
  const id = Buffer.from(`item-${i}-${Math.floor(r() * 1e9)}`).toString('base64').padEnd(152, 'A');
  const html = `<html><head><meta charset="utf-8"></head><body><div>Hello,</div>${Array.from({ length: 6 }, () => `<p>${paragraph(r, 90)}</p>`).join('')}<div>Regards &amp; thanks</div></body></html>`;
  const body = html.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return (
    `<t:Message><t:ItemId Id="${id}" ChangeKey="CQAAABYAAAD${i}"/><t:ParentFolderId Id="AAMkAGI2TG93AAA=" ChangeKey="AQAAAA=="/><t:ItemClass>IPM.Note</t:ItemClass>` +
    `<t:Subject>RE: ${paragraph(r, 6).trim()} #${i}</t:Subject><t:Sensitivity>Normal</t:Sensitivity><t:Body BodyType="HTML">${body}</t:Body>` +
    `<t:Attachments><t:FileAttachment><t:AttachmentId Id="AAMkAtt${i}="/><t:Name>quote-${i}.pdf</t:Name><t:ContentType>application/pdf</t:ContentType><t:Size>48213</t:Size><t:LastModifiedTime>2026-03-01T10:00:00</t:LastModifiedTime><t:IsInline>false</t:IsInline></t:FileAttachment></t:Attachments>` +
    `<t:DateTimeReceived>2026-03-01T10:${String(i % 60).padStart(2, '0')}:00Z</t:DateTimeReceived><t:Size>${20000 + i}</t:Size><t:Categories><t:String>Tracked to Dynamics 365</t:String></t:Categories>` +
    `<t:Importance>Normal</t:Importance><t:InReplyTo>&lt;prev-${i}@fabrikam.com&gt;</t:InReplyTo><t:IsSubmitted>false</t:IsSubmitted><t:IsDraft>false</t:IsDraft><t:IsFromMe>false</t:IsFromMe><t:IsResend>false</t:IsResend><t:IsUnmodified>true</t:IsUnmodified>` +
    `<t:DateTimeSent>2026-03-01T09:59:00Z</t:DateTimeSent><t:DateTimeCreated>2026-03-01T10:00:01Z</t:DateTimeCreated><t:HasAttachments>true</t:HasAttachments>` +
    `<t:ExtendedProperty><t:ExtendedFieldURI PropertySetId="c7a1e2b4-5d3f-4e8a-9b61-0f2d8c4a7e19" PropertyName="DovetailOrgId" PropertyType="String"/><t:Value>org-1</t:Value></t:ExtendedProperty>` +
    `<t:Culture>en-US</t:Culture><t:LastModifiedTime>2026-03-01T10:00:02Z</t:LastModifiedTime><t:ConversationId Id="AAQkAGI2conv${i % 40}="/>` +
    `<t:Sender>${mailbox('Alfred Fabrikam', `alfred${i % 7}@fabrikam.com`)}</t:Sender>` +
    `<t:ToRecipients>${mailbox('Sadie Contoso', 'sadie@contoso.com')}${mailbox('Sales', 'sales@contoso.com')}${mailbox('Dan Park', 'dpark@contoso.com')}</t:ToRecipients>` +
    `<t:CcRecipients>${mailbox('Legal', 'legal@fabrikam.com')}${mailbox('Archive', 'archive@contoso.com')}</t:CcRecipients>` +
    `<t:IsReadReceiptRequested>false</t:IsReadReceiptRequested><t:IsDeliveryReceiptRequested>false</t:IsDeliveryReceiptRequested><t:ConversationIndex>AQHSR1wYk7Xe${i}==</t:ConversationIndex>` +
    `<t:ConversationTopic>${paragraph(r, 5).trim()}</t:ConversationTopic><t:From>${mailbox('Alfred Fabrikam', `alfred${i % 7}@fabrikam.com`)}</t:From>` +
    `<t:InternetMessageId>&lt;msg-${i}-${Math.floor(r() * 1e9)}@fabrikam.com&gt;</t:InternetMessageId><t:IsRead>${i % 3 === 0}</t:IsRead><t:IsResponseRequested>false</t:IsResponseRequested>` +
    `<t:References>&lt;root-${i % 40}@contoso.com&gt; &lt;prev-${i}@fabrikam.com&gt;</t:References></t:Message>`
  );
}

const header = `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="2" MajorBuildNumber="1544" MinorBuildNumber="4" Version="V2017_07_11" xmlns:h="${T}" xmlns="${T}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">`;
const footer = '</s:Body></s:Envelope>';

export function syncFolderItemsPage(count: number, seed = 1): string {
  const r = rng(seed);
  let changes = '';
  for (let i = 0; i < count; i++) changes += `<t:Create>${message(i, r)}</t:Create>`;
  return `${header}<m:SyncFolderItemsResponse xmlns:m="${M}" xmlns:t="${T}"><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>H4sIAAAAAAAEAO29B2AcSZYlJi9tynt/SvVK1+B0oQiAYBMk2JBAEOzBiM3mkuwdaUcjKasqgcplVmVdZhZAzO2dvPfee++999577733ZrFSZY=</m:SyncState><m:IncludesLastItemInRange>false</m:IncludesLastItemInRange><m:Changes>${changes}</m:Changes></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse>${footer}`;
}

export function getItemPage(count: number, seed = 2): string {
  const r = rng(seed);
  let messages = '';
  for (let i = 0; i < count; i++) messages += `<m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items>${message(i, r)}</m:Items></m:GetItemResponseMessage>`;
  return `${header}<m:GetItemResponse xmlns:m="${M}" xmlns:t="${T}"><m:ResponseMessages>${messages}</m:ResponseMessages></m:GetItemResponse>${footer}`;
}

/** The item ids in a page, in order (for the GetItem requests both clients build). */
export function itemIds(page: string): string[] {
  return [...page.matchAll(/<t:ItemId Id="([^"]+)"/g)].map((m) => m[1]!);
}
