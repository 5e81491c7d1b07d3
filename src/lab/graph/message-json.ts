import { etagOf, type LabItem, type LabUser } from './graph-lab-state.ts';
import { idsInFilter, type LabRequest } from './lab-route.ts';

/**
 * Renders a lab message as Graph does: internetMessageHeaders only when $select names them (Graph
 * leaves them out otherwise), extended properties and attachments only when $expand asks.
 * https://learn.microsoft.com/graph/api/resources/message
 */
export function messageJson(item: LabItem, req: LabRequest | undefined): Record<string, unknown> {
  const select = (req?.query.get('$select') ?? '').toLowerCase();
  const expand = req?.query.get('$expand') ?? '';
  const { internetMessageHeaders, ...rest } = item.data;
  const out: Record<string, unknown> = {
    '@odata.type': '#microsoft.graph.message',
    '@odata.etag': etagOf(item),
    id: item.id,
    createdDateTime: new Date(item.createdAt).toISOString(),
    lastModifiedDateTime: new Date(item.lastModifiedAt).toISOString(),
    changeKey: item.changeKey,
    parentFolderId: item.collection.slice('mail:'.length),
    hasAttachments: item.attachments.some((a) => !a.isInline),
    ...rest,
  };
  if (select.includes('internetmessageheaders') && Array.isArray(internetMessageHeaders)) out['internetMessageHeaders'] = internetMessageHeaders;
  Object.assign(out, expansions(item, expand));
  return out;
}

export function expansions(item: LabItem, expand: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const propsClause = /singleValueExtendedProperties(\(([^)]*)\))?/i.exec(expand);
  if (propsClause !== null) {
    const wanted = propsClause[2] === undefined ? undefined : idsInFilter(propsClause[2]).map((id) => id.toLowerCase());
    out['singleValueExtendedProperties'] = [...item.properties.entries()]
      .filter(([key]) => wanted === undefined || wanted.includes(key))
      .map(([, p]) => ({ id: p.id, value: p.value }));
  }
  if (/attachments/i.test(expand)) {
    out['attachments'] = item.attachments.map((a) => ({
      '@odata.type': '#microsoft.graph.fileAttachment',
      id: a.id,
      name: a.name,
      contentType: a.contentType,
      size: a.size,
      isInline: a.isInline,
      ...(a.contentId === undefined ? {} : { contentId: a.contentId }),
    }));
  }
  const extClause = /extensions(\(([^)]*)\))?/i.exec(expand.replace(/singleValueExtendedProperties(\([^)]*\))?/gi, ''));
  if (extClause !== null) {
    const wanted = extClause[2] === undefined ? undefined : idsInFilter(extClause[2]);
    out['extensions'] = [...item.extensions.entries()]
      .filter(([name]) => wanted === undefined || wanted.includes(name))
      .map(([name, data]) => ({ '@odata.type': '#microsoft.graph.openTypeExtension', id: name, extensionName: name, ...data }));
  }
  return out;
}

/** Applies `singleValueExtendedProperties` of a POST/PATCH body to an item. */
export function applyProperties(item: { properties: Map<string, { id: string; value: string }> }, body: Record<string, unknown>): void {
  const props = body['singleValueExtendedProperties'];
  if (!Array.isArray(props)) return;
  for (const p of props as Array<{ id?: unknown; value?: unknown }>) {
    if (typeof p.id === 'string' && typeof p.value === 'string') item.properties.set(p.id.toLowerCase(), { id: p.id, value: p.value });
  }
}

type Recipient = { emailAddress?: { address?: string; name?: string } };

function addresses(value: unknown): string {
  if (!Array.isArray(value)) return '';
  return (value as Recipient[])
    .map((r) => (r.emailAddress?.name ? `"${r.emailAddress.name}" <${r.emailAddress.address}>` : `<${r.emailAddress?.address ?? ''}>`))
    .join(', ');
}

/** A plain RFC 5322 rendering for GET …/messages/{id}/$value (https://learn.microsoft.com/graph/outlook-get-mime-message). */
export function messageMime(item: LabItem, user: LabUser): Buffer {
  const d = item.data;
  const header = (name: string): string | undefined =>
    (d['internetMessageHeaders'] as Array<{ name: string; value: string }> | undefined)?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
  const from = (d['from'] as Recipient | undefined)?.emailAddress?.address ?? user.mail;
  const body = d['body'] as { contentType?: string; content?: string } | undefined;
  const lines = [
    `From: <${from}>`,
    `To: ${addresses(d['toRecipients'])}`,
    ...(addresses(d['ccRecipients']) === '' ? [] : [`Cc: ${addresses(d['ccRecipients'])}`]),
    `Subject: ${String(d['subject'] ?? '')}`,
    `Date: ${new Date(String(d['sentDateTime'] ?? new Date(item.createdAt).toISOString())).toUTCString()}`,
    `Message-ID: ${String(d['internetMessageId'] ?? '')}`,
    ...(header('In-Reply-To') === undefined ? [] : [`In-Reply-To: ${header('In-Reply-To')}`]),
    ...(header('References') === undefined ? [] : [`References: ${header('References')}`]),
    'MIME-Version: 1.0',
    `Content-Type: ${body?.contentType?.toLowerCase() === 'html' ? 'text/html' : 'text/plain'}; charset=utf-8`,
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(body?.content ?? '', 'utf8').toString('base64'),
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
