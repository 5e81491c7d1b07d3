import type { DovetailStamp } from '../../driver.ts';

/**
 * Where Dovetail keeps its marks in Exchange Online.
 *
 * Messages, events, contacts and the mailbox's root folder carry single-value extended properties
 * (MAPI named properties) in Dovetail's own property set; the id format is
 * `String {GUID} Name <name>` (https://learn.microsoft.com/graph/api/resources/singlevaluelegacyextendedproperty).
 * The GUID below is Dovetail's property set, the same as the EWS driver's DOVETAIL_PROPERTY_SET
 * (src/exchange/ews/schema/extended-property.ts), with the same names: an item stamped through one
 * provider reads the same through the other (a mailbox moved from Exchange Server to Exchange Online
 * keeps its stamps). It must never change.
 *
 * To Do tasks have no extended properties in Graph v1.0, so their stamp is an open extension
 * (https://learn.microsoft.com/graph/api/resources/opentypeextension) named `dovetailExtensionName`.
 */
export const dovetailPropertySet = '{c7a1e2b4-5d3f-4e8a-9b61-0f2d8c4a7e19}';

export const orgIdProperty = `String ${dovetailPropertySet} Name DovetailOrgId`;
export const activityIdProperty = `String ${dovetailPropertySet} Name DovetailActivityId`;
/** On the mailbox's root folder: the org that syncs this mailbox ("sync items with Exchange from this org only"). */
export const mailboxOrgProperty = `String ${dovetailPropertySet} Name DovetailMailboxOrgId`;

/** PidTagInReplyToId, PidTagInternetReferences, PidTagMessageClass (MS-OXPROPS). */
export const inReplyToProperty = 'String 0x1042';
export const referencesProperty = 'String 0x1039';
export const messageClassProperty = 'String 0x001A';

export const dovetailExtensionName = 'com.dovetail.sync';

export type ExtendedProperty = { id: string; value: string };

/** `singleValueExtendedProperties($filter=id eq '…' or …)` for $expand. */
export function expandProperties(ids: readonly string[]): string {
  return `singleValueExtendedProperties($filter=${ids.map((id) => `id eq '${id.replace(/'/g, "''")}'`).join(' or ')})`;
}

export function stampProperties(stamp: DovetailStamp): ExtendedProperty[] {
  return [
    { id: orgIdProperty, value: stamp.orgId },
    ...(stamp.activityId === undefined ? [] : [{ id: activityIdProperty, value: stamp.activityId }]),
  ];
}

/** The value of a property in a Graph object's singleValueExtendedProperties (ids compare case-insensitively). */
export function propertyValue(resource: Record<string, unknown>, id: string): string | undefined {
  const list = resource['singleValueExtendedProperties'];
  if (!Array.isArray(list)) return undefined;
  const found = (list as Array<{ id?: unknown; value?: unknown }>).find((p) => typeof p.id === 'string' && p.id.toLowerCase() === id.toLowerCase());
  return typeof found?.value === 'string' ? found.value : undefined;
}

export function stampFromProperties(resource: Record<string, unknown>): DovetailStamp | undefined {
  const orgId = propertyValue(resource, orgIdProperty);
  if (orgId === undefined) return undefined;
  const activityId = propertyValue(resource, activityIdProperty);
  return { orgId, ...(activityId === undefined ? {} : { activityId }) };
}

export function stampFromExtension(resource: Record<string, unknown>): DovetailStamp | undefined {
  const list = resource['extensions'];
  if (!Array.isArray(list)) return undefined;
  const ext = (list as Array<Record<string, unknown>>).find((e) => e['extensionName'] === dovetailExtensionName || e['id'] === dovetailExtensionName);
  if (ext === undefined || typeof ext['orgId'] !== 'string') return undefined;
  return { orgId: ext['orgId'], ...(typeof ext['activityId'] === 'string' ? { activityId: ext['activityId'] } : {}) };
}

export function stampExtension(stamp: DovetailStamp): Record<string, unknown> {
  return {
    '@odata.type': 'microsoft.graph.openTypeExtension',
    extensionName: dovetailExtensionName,
    orgId: stamp.orgId,
    ...(stamp.activityId === undefined ? {} : { activityId: stamp.activityId }),
  };
}
