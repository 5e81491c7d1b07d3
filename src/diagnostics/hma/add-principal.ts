/**
 * The SPN and reply URL lists of Office 365 Exchange Online, per tenant: which tenant each list
 * belongs to, and the lists read from bare output, Format-List or JSON.
 */
import { asList, asText } from './powershell-values.ts';
import type { Inventory, PrincipalInfo, UrlList } from './inventory.ts';
import type { RawRecord } from './types.ts';

export function addPrincipal(inv: Inventory, record: RawRecord): void {
  const label = record.tenant ?? asText(record.fields.get('tenantid')?.value);
  const tenant = label ?? record.ref.file;
  let p = inv.principals.find((x) => x.named === (label !== undefined) && x.tenant.toLowerCase() === tenant.toLowerCase());
  if (!p) {
    p = { tenant, named: label !== undefined };
    inv.principals.push(p);
  }
  const toList = (key: string): UrlList | undefined => {
    const field = record.fields.get(key);
    const l = asList(field?.value);
    if (!field || !l) return undefined;
    const refs = key === '_items' && record.itemRefs ? record.itemRefs : undefined;
    if (l.truncated) {
      inv.issues.push({ code: 'input.truncated', severity: 'warning', file: field.ref.file, line: field.ref.line, message: `${key === '_items' ? 'the list' : field.name} was cut short by PowerShell ("..."), so items after the cut are unknown`, expected: 'the full list: select -ExpandProperty ServicePrincipalNames, or $FormatEnumerationLimit = -1' });
    }
    return { items: l.items.map((value, n) => ({ value, ref: refs?.[n] ?? field.ref })), truncated: l.truncated, ref: field.ref };
  };
  const merge = (a: UrlList | undefined, b: UrlList): UrlList =>
    a ? { items: [...a.items, ...b.items], truncated: a.truncated || b.truncated, ref: a.ref } : b;
  if (record.fields.has('_items')) {
    const list = toList('_items')!;
    const command = record.command ?? '';
    const isReply = /ReplyUrls/i.test(command) || (!/ServicePrincipalNames/i.test(command) && !list.items.some((i) => /^00000002-0000-0ff1-ce00-000000000000/i.test(i.value)) && list.items.every((i) => /^https?:\/\/[^/]+\/(owa|ecp)\b/i.test(i.value)));
    if (isReply) p.replyUrls = merge(p.replyUrls, list);
    else p.spns = merge(p.spns, list);
    return;
  }
  const spns = toList('serviceprincipalnames');
  const reply = toList('replyurls');
  if (spns) p.spns = merge(p.spns, spns);
  if (reply) p.replyUrls = merge(p.replyUrls, reply);
}

/**
 * Which tenant each SPN / reply URL list belongs to. A "# tenant: <name>" line, Connect-MgGraph
 * -TenantId, or a TenantId property names it. Unnamed lists are one tenant when at most one file
 * holds an unnamed SPN list (so SPNs and reply URLs pasted in different files meet); otherwise each
 * file is taken as its own tenant, so one tenant's SPNs never hide another tenant's gaps.
 */
export function groupTenants(principals: PrincipalInfo[]): PrincipalInfo[] {
  const named = principals.filter((p) => p.named);
  const unnamed = principals.filter((p) => !p.named);
  const unnamedWithSpns = unnamed.filter((p) => p.spns);
  if (unnamed.length === 0 || unnamedWithSpns.length > 1) return principals;
  const merged: PrincipalInfo = { tenant: named.length === 1 && unnamedWithSpns.length === 0 ? named[0]!.tenant : 'unnamed tenant', named: false };
  for (const p of unnamed) {
    if (p.spns) merged.spns = merged.spns ? { ...merged.spns, items: [...merged.spns.items, ...p.spns.items], truncated: merged.spns.truncated || p.spns.truncated } : p.spns;
    if (p.replyUrls) merged.replyUrls = merged.replyUrls ? { ...merged.replyUrls, items: [...merged.replyUrls.items, ...p.replyUrls.items], truncated: merged.replyUrls.truncated || p.replyUrls.truncated } : p.replyUrls;
  }
  if (merged.tenant !== 'unnamed tenant') {
    const target = named[0]!;
    if (merged.replyUrls && !target.replyUrls) target.replyUrls = merged.replyUrls;
    return named;
  }
  return [...named, merged];
}
