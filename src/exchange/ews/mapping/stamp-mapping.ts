import type { DovetailStamp } from '../../driver.ts';
import { sameExtendedField, stampActivityIdProperty, stampOrgIdProperty, type WireExtendedProperty } from '../schema/extended-property.ts';

export function stampProperties(stamp: DovetailStamp): WireExtendedProperty[] {
  return [{ uri: stampOrgIdProperty, value: stamp.orgId }, ...(stamp.activityId === undefined ? [] : [{ uri: stampActivityIdProperty, value: stamp.activityId }])];
}

export function readStamp(props: readonly WireExtendedProperty[] | undefined): DovetailStamp | undefined {
  const org = props?.find((p) => sameExtendedField(p.uri, stampOrgIdProperty))?.value;
  if (org === undefined) return undefined;
  const act = props?.find((p) => sameExtendedField(p.uri, stampActivityIdProperty))?.value;
  return { orgId: org, ...(act === undefined ? {} : { activityId: act }) };
}
