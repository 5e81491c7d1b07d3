import type { ExchangeBuild } from '../exchange-builds.ts';
import type { Inventory } from '../inventory.ts';
import type { HmaFinding, HmaOptions, SourceRef } from '../types.ts';

export type ServerBuild = { server: string; build: ExchangeBuild; fromExSetup: boolean; ref: SourceRef };

export type CheckContext = {
  inv: Inventory;
  now: Date;
  builds: ServerBuild[];
  owaEcp: NonNullable<HmaOptions['owaEcp']>;
};

export type Check = (ctx: CheckContext) => HmaFinding[];

/** A PowerShell single-quoted string literal ('' escapes a quote). */
export function psQuote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The Exchange Online service principal every on-premises SPN and reply URL lives on. */
export const exchangeAppId = '00000002-0000-0ff1-ce00-000000000000';

/** Servers the virtual-directory checks expect output for: every server seen in any vdir or CAS output. */
export function clientAccessServers(inv: Inventory): string[] {
  const names = new Set<string>();
  for (const v of inv.vdirs) if (v.server !== '') names.add(v.server);
  for (const c of inv.casUris) names.add(c.server);
  return [...names].sort();
}
