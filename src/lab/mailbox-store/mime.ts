/**
 * Just enough RFC 5322 / MIME for the lab: build a message from properties, and read the headers,
 * first text part and attachments of a message a client or the traffic generator supplies.
 */
export type MimeAddress = { name?: string; address: string };

export type ParsedMime = {
  headers: Array<[string, string]>;
  subject?: string;
  from?: MimeAddress;
  to: MimeAddress[];
  cc: MimeAddress[];
  messageId?: string;
  inReplyTo?: string;
  references?: string;
  date?: string;
  body: { type: 'HTML' | 'Text'; content: string };
  attachments: Array<{ name: string; contentType: string; content: Buffer; contentId?: string; isInline: boolean }>;
};

function encodeWord(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?utf-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

export function formatAddress(a: MimeAddress): string {
  return a.name ? `"${encodeWord(a.name).replace(/"/g, '')}" <${a.address}>` : `<${a.address}>`;
}

function wrap64(b: Buffer): string {
  return (b.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

export type MimeSpec = {
  from?: MimeAddress;
  to: MimeAddress[];
  cc: MimeAddress[];
  subject: string;
  date: Date;
  messageId: string;
  inReplyTo?: string;
  references?: string;
  body: { type: 'HTML' | 'Text'; content: string };
  attachments: Array<{ name: string; contentType: string; content: Buffer; contentId?: string; isInline: boolean }>;
  boundary: string;
};

export function buildMime(spec: MimeSpec): Buffer {
  const lines: string[] = [];
  if (spec.from) lines.push(`From: ${formatAddress(spec.from)}`);
  if (spec.to.length) lines.push(`To: ${spec.to.map(formatAddress).join(', ')}`);
  if (spec.cc.length) lines.push(`Cc: ${spec.cc.map(formatAddress).join(', ')}`);
  lines.push(`Subject: ${encodeWord(spec.subject)}`);
  lines.push(`Date: ${spec.date.toUTCString().replace('GMT', '+0000')}`);
  lines.push(`Message-ID: ${spec.messageId}`);
  if (spec.inReplyTo) lines.push(`In-Reply-To: ${spec.inReplyTo}`);
  if (spec.references) lines.push(`References: ${spec.references}`);
  lines.push('MIME-Version: 1.0');
  const bodyType = spec.body.type === 'HTML' ? 'text/html' : 'text/plain';
  const bodyPart = [`Content-Type: ${bodyType}; charset="utf-8"`, 'Content-Transfer-Encoding: base64', '', wrap64(Buffer.from(spec.body.content, 'utf8'))];
  if (spec.attachments.length === 0) {
    lines.push(...bodyPart);
  } else {
    lines.push(`Content-Type: multipart/mixed; boundary="${spec.boundary}"`, '', `--${spec.boundary}`, ...bodyPart);
    for (const a of spec.attachments) {
      lines.push(
        `--${spec.boundary}`,
        `Content-Type: ${a.contentType}; name="${a.name}"`,
        `Content-Disposition: ${a.isInline ? 'inline' : 'attachment'}; filename="${a.name}"`,
        ...(a.contentId ? [`Content-ID: <${a.contentId}>`] : []),
        'Content-Transfer-Encoding: base64',
        '',
        wrap64(a.content),
      );
    }
    lines.push(`--${spec.boundary}--`);
  }
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}

function splitHead(text: string): { head: string; body: string } {
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { head: text, body: '' };
  return { head: text.slice(0, m.index), body: text.slice(m.index + m[0].length) };
}

function parseHeaders(head: string): Array<[string, string]> {
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const out: Array<[string, string]> = [];
  for (const line of unfolded.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
  }
  return out;
}

function header(headers: Array<[string, string]>, name: string): string | undefined {
  return headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, _cs: string, enc: string, data: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  );
}

export function parseAddressList(value: string | undefined): MimeAddress[] {
  if (!value) return [];
  const out: MimeAddress[] = [];
  for (const part of value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
    const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^>]+)>\s*$/.exec(part);
    if (m) {
      const name = decodeWords((m[1] ?? '').trim());
      out.push(name ? { name, address: m[2]!.trim() } : { address: m[2]!.trim() });
    } else if (part.trim()) out.push({ address: part.trim() });
  }
  return out;
}

function decodePart(body: string, encoding: string | undefined): Buffer {
  const enc = (encoding ?? '').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (enc === 'quoted-printable') {
    const soft = body.replace(/=\r?\n/g, '');
    return Buffer.from(soft.replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  }
  return Buffer.from(body, 'utf8');
}

function param(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  const m = new RegExp(`${name}\\s*=\\s*"?([^";]+)"?`, 'i').exec(value);
  return m?.[1];
}

export function parseMime(raw: Buffer): ParsedMime {
  const text = raw.toString('utf8');
  const { head, body } = splitHead(text);
  const headers = parseHeaders(head);
  const contentType = header(headers, 'Content-Type') ?? 'text/plain';
  const result: ParsedMime = { headers, to: parseAddressList(header(headers, 'To')), cc: parseAddressList(header(headers, 'Cc')), body: { type: 'Text', content: '' }, attachments: [] };
  const subject = header(headers, 'Subject');
  if (subject !== undefined) result.subject = decodeWords(subject);
  const from = parseAddressList(header(headers, 'From'))[0];
  if (from) result.from = from;
  for (const [key, name] of [['messageId', 'Message-ID'], ['inReplyTo', 'In-Reply-To'], ['references', 'References'], ['date', 'Date']] as const) {
    const v = header(headers, name);
    if (v !== undefined) result[key] = v;
  }
  const boundary = param(contentType, 'boundary');
  if (/^multipart\//i.test(contentType) && boundary) {
    const parts = body.split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--'));
    for (const part of parts) {
      const p = splitHead(part.replace(/^\r?\n/, ''));
      const ph = parseHeaders(p.head);
      const pType = header(ph, 'Content-Type') ?? 'text/plain';
      const disposition = header(ph, 'Content-Disposition') ?? '';
      const content = decodePart(p.body.replace(/\r?\n$/, ''), header(ph, 'Content-Transfer-Encoding'));
      const fileName = param(disposition, 'filename') ?? param(pType, 'name');
      if (!fileName && /^text\//i.test(pType) && result.body.content === '') {
        result.body = { type: /html/i.test(pType) ? 'HTML' : 'Text', content: content.toString('utf8') };
      } else {
        const contentId = header(ph, 'Content-ID')?.replace(/[<>]/g, '');
        result.attachments.push({
          name: fileName ?? 'attachment',
          contentType: pType.split(';')[0]!.trim(),
          content,
          isInline: /^inline/i.test(disposition),
          ...(contentId ? { contentId } : {}),
        });
      }
    }
  } else {
    result.body = { type: /html/i.test(contentType) ? 'HTML' : 'Text', content: decodePart(body, header(headers, 'Content-Transfer-Encoding')).toString('utf8') };
  }
  return result;
}
