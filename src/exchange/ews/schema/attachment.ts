import { element, escapeXml, textElement } from '../xml/xml-text.ts';
import { child, type XmlNode } from '../xml/xml-reader.ts';
import type { Codec } from './codec.ts';

/** AttachmentType + FileAttachmentType, fields in schema order. */
export type WireAttachment = {
  kind: 'FileAttachment' | 'ItemAttachment' | 'ReferenceAttachment';
  AttachmentId?: string;
  Name?: string;
  ContentType?: string;
  ContentId?: string;
  Size?: number;
  IsInline?: boolean;
  /** Base64, only in GetAttachment responses and CreateItem requests. */
  Content?: string;
};

export function readAttachment(n: XmlNode): WireAttachment {
  const a: WireAttachment = { kind: n.name === 'ItemAttachment' ? 'ItemAttachment' : n.name === 'ReferenceAttachment' ? 'ReferenceAttachment' : 'FileAttachment' };
  const idAttr = child(n, 'AttachmentId')?.attrs['Id'];
  if (idAttr !== undefined) a.AttachmentId = idAttr;
  for (const c of n.children) {
    switch (c.name) {
      case 'Name':
      case 'ContentType':
      case 'ContentId':
        a[c.name] = c.text;
        break;
      case 'Size':
        a.Size = Number.parseInt(c.text, 10);
        break;
      case 'IsInline':
        a.IsInline = c.text.trim() === 'true';
        break;
      case 'Content':
        a.Content = c.text.trim();
        break;
      default: {
        // ItemAttachment: the attached item, whose MimeContent is the attachment's content.
        const mime = child(c, 'MimeContent');
        if (a.kind === 'ItemAttachment' && mime) a.Content = mime.text.trim();
      }
    }
  }
  return a;
}

export function writeFileAttachment(a: WireAttachment): string {
  return `<t:FileAttachment>${a.Name === undefined ? '' : textElement('t:Name', a.Name)}${a.ContentType === undefined ? '' : textElement('t:ContentType', a.ContentType)}${
    a.ContentId === undefined ? '' : textElement('t:ContentId', a.ContentId)
  }${a.IsInline === undefined ? '' : `<t:IsInline>${a.IsInline}</t:IsInline>`}${a.Content === undefined ? '' : element('t:Content', null, escapeXml(a.Content))}</t:FileAttachment>`;
}

/** NonEmptyArrayOfAttachmentsType. */
export const attachments: Codec<WireAttachment[]> = {
  read: (n) => n.children.filter((c) => c.name.endsWith('Attachment')).map(readAttachment),
  write: (name, v) => `<${name}>${v.map(writeFileAttachment).join('')}</${name}>`,
};
