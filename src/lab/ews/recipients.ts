import { child, childText, type XmlNode } from '../xml/parse-xml.ts';
import type { MimeAddress } from '../mailbox-store/mime.ts';
import { tnode } from '../xml/xml-writer.ts';

/** Addresses in a recipients container (ToRecipients, RequiredAttendees, From, Sender…). */
export function addressesOf(node: XmlNode | undefined): MimeAddress[] {
  if (!node) return [];
  const out: MimeAddress[] = [];
  const visit = (n: XmlNode): void => {
    if (n.name === 'Mailbox') {
      const address = childText(n, 'EmailAddress');
      const name = childText(n, 'Name');
      if (address) out.push(name ? { name, address } : { address });
      return;
    }
    for (const c of n.children) visit(c);
  };
  visit(node);
  return out;
}

export function mailboxNode(a: MimeAddress): XmlNode {
  const kids = [];
  if (a.name) kids.push(tnode('Name', a.name));
  kids.push(tnode('EmailAddress', a.address), tnode('RoutingType', 'SMTP'), tnode('MailboxType', 'Mailbox'));
  return tnode('Mailbox', '', {}, kids);
}

/** `<t:{name}><t:Mailbox>…` for From / Sender (SingleRecipientType). */
export function singleRecipient(name: string, a: MimeAddress): XmlNode {
  return tnode(name, '', {}, [mailboxNode(a)]);
}

/** `<t:{name}><t:Mailbox>…</t:Mailbox>…` for ToRecipients / CcRecipients. */
export function recipientList(name: string, list: MimeAddress[]): XmlNode {
  return tnode(name, '', {}, list.map(mailboxNode));
}

const RECIPIENT_PROPS = new Set(['ToRecipients', 'CcRecipients', 'BccRecipients', 'ReplyTo', 'From', 'Sender', 'Organizer', 'RequiredAttendees', 'OptionalAttendees', 'Resources']);

/**
 * Exchange resolves what a client writes into full mailboxes: Name, EmailAddress, RoutingType SMTP,
 * MailboxType Mailbox (a directory user) or OneOff (anyone else), as GetItem then shows
 * (ews-samples/GetItem-draft-before-send-response.xml).
 */
export function resolveRecipients(name: string, node: XmlNode, directory: (address: string) => string | undefined): XmlNode {
  if (!RECIPIENT_PROPS.has(name)) return node;
  const fix = (n: XmlNode): XmlNode => {
    if (n.name !== 'Mailbox') return { ...n, children: n.children.map(fix) };
    const address = childText(n, 'EmailAddress');
    if (!address) return n;
    const known = directory(address);
    const display = childText(n, 'Name') ?? known ?? address;
    const kids = [tnode('Name', display), tnode('EmailAddress', address), tnode('RoutingType', childText(n, 'RoutingType') ?? 'SMTP'), tnode('MailboxType', known ? 'Mailbox' : 'OneOff')];
    const itemId = child(n, 'ItemId');
    if (itemId) kids.push(itemId);
    return { ...n, children: kids };
  };
  return fix(node);
}
