/**
 * Exchange Server build numbers -> product and cumulative update, for the versions HMA cares about.
 * Verified against Microsoft's build list ("Exchange Server build numbers and release dates",
 * https://learn.microsoft.com/exchange/new-features/build-numbers-and-release-dates, and its
 * machine-readable twin https://github.com/microsoft/Get-ExchangeBuildNumber ExchangeBuildNumbers.csv).
 * The key is the third part of the version (15.1.**2507**.39); the fourth is the security/hotfix update.
 */
export type Product = 'Exchange 2013' | 'Exchange 2016' | 'Exchange 2019' | 'Exchange Server SE';

type Cu = { cu: number; build: number; name: string };

const cus = (list: [string, number][]): Cu[] => list.map(([name, build], n) => ({ cu: n, build, name }));

/** Index = CU number (RTM = 0; Exchange 2013 SP1 is its CU4). */
const table: Record<'15.0' | '15.1' | '15.2', Cu[]> = {
  '15.0': cus([['RTM', 516], ['CU1', 620], ['CU2', 712], ['CU3', 775], ['SP1 (CU4)', 847], ['CU5', 913], ['CU6', 995], ['CU7', 1044], ['CU8', 1076], ['CU9', 1104], ['CU10', 1130], ['CU11', 1156], ['CU12', 1178], ['CU13', 1210], ['CU14', 1236], ['CU15', 1263], ['CU16', 1293], ['CU17', 1320], ['CU18', 1347], ['CU19', 1365], ['CU20', 1367], ['CU21', 1395], ['CU22', 1473], ['CU23', 1497]]),
  '15.1': cus([['RTM', 225], ['CU1', 396], ['CU2', 466], ['CU3', 544], ['CU4', 669], ['CU5', 845], ['CU6', 1034], ['CU7', 1261], ['CU8', 1415], ['CU9', 1466], ['CU10', 1531], ['CU11', 1591], ['CU12', 1713], ['CU13', 1779], ['CU14', 1847], ['CU15', 1913], ['CU16', 1979], ['CU17', 2044], ['CU18', 2106], ['CU19', 2176], ['CU20', 2242], ['CU21', 2308], ['CU22', 2375], ['CU23', 2507]]),
  '15.2': cus([['RTM', 221], ['CU1', 330], ['CU2', 397], ['CU3', 464], ['CU4', 529], ['CU5', 595], ['CU6', 659], ['CU7', 721], ['CU8', 792], ['CU9', 858], ['CU10', 922], ['CU11', 986], ['CU12', 1118], ['CU13', 1258], ['CU14', 1544], ['CU15', 1748]]),
};

/** Exchange Server Subscription Edition RTM is 15.2.2562; 2019 and SE share the 15.2 line. */
const seRtmBuild = 2562;
/** Exchange 2019 CU14 April 2024 Hotfix Update (KB5037224) is 15.2.1544.11. */
export const cu14Apr24HuRevision = 11;
export const cu14Build = 1544;

export type ExchangeBuild = {
  major: number;
  minor: number;
  build: number;
  revision: number | undefined;
  product: Product | 'Exchange 2010 or older' | 'unknown';
  /** CU number within its product (undefined for SE and unknown builds). */
  cu: number | undefined;
  label: string;
  /** True when the build matches no row exactly (a private fix, or newer than this table). */
  approximate: boolean;
};

/**
 * Reads "Version 15.1 (Build 1531.3)" (Get-ExchangeServer AdminDisplayVersion) or
 * "15.02.1544.011" / "15.2.1544.11" (ExSetup.exe FileVersion). AdminDisplayVersion shows the
 * CU level; security and hotfix updates show only in ExSetup.exe's file version.
 */
export function parseExchangeBuild(text: string): ExchangeBuild | undefined {
  const t = text.trim();
  const display = /^Version\s+(\d+)\.(\d+)\s*\(Build\s+(\d+)(?:\.(\d+))?\)/i.exec(t);
  const dotted = /^(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?$/.exec(t);
  const m = display ?? dotted;
  if (!m) return undefined;
  const [major, minor, build] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const revision = m[4] === undefined ? undefined : Number(m[4]);
  return describe(major, minor, build, revision);
}

function describe(major: number, minor: number, build: number, revision: number | undefined): ExchangeBuild {
  const base = { major, minor, build, revision };
  const version = `${major}.${minor}.${build}${revision === undefined ? '' : `.${revision}`}`;
  if (major < 15) return { ...base, product: 'Exchange 2010 or older', cu: undefined, label: `Exchange 2010 or older (${version})`, approximate: false };
  if (major === 15 && minor === 2 && build >= seRtmBuild) {
    return { ...base, product: 'Exchange Server SE', cu: undefined, label: `Exchange Server SE${build === seRtmBuild ? ' RTM' : ''} (${version})`, approximate: build !== seRtmBuild };
  }
  const key = `${major}.${minor}` as keyof typeof table;
  const rows = table[key];
  if (major !== 15 || !rows) return { ...base, product: 'unknown', cu: undefined, label: `unknown Exchange version ${version}`, approximate: true };
  const product: Product = key === '15.0' ? 'Exchange 2013' : key === '15.1' ? 'Exchange 2016' : 'Exchange 2019';
  let row: Cu | undefined;
  for (const r of rows) if (r.build <= build) row = r;
  if (!row) return { ...base, product, cu: undefined, label: `${product} pre-release (${version})`, approximate: true };
  return { ...base, product, cu: row.cu, label: `${product} ${row.name} (${version})`, approximate: row.build !== build };
}

/** HMA needs Exchange 2013 CU19+ or 2016 CU8+; 2019 and SE support it in every build. */
export function supportsHma(b: ExchangeBuild): boolean {
  if (b.product === 'Exchange 2013') return b.build >= 1365;
  if (b.product === 'Exchange 2016') return b.build >= 1415;
  return b.product === 'Exchange 2019' || b.product === 'Exchange Server SE';
}

/** Set-AuthServer -DomainName needs Exchange 2016 CU18+ or 2019 CU7+ (and an HCW run after September 2020). */
export function supportsDomainName(b: ExchangeBuild): boolean {
  if (b.product === 'Exchange 2016') return b.build >= 2106;
  if (b.product === 'Exchange 2019') return b.build >= 721;
  return b.product === 'Exchange Server SE';
}

/**
 * HMA for OWA/ECP: Exchange 2019 CU14 with the April 2024 HU or later. CU15 and SE contain it.
 * Returns 'unknown' for CU14 when only AdminDisplayVersion (no update revision) is known.
 */
export function supportsOwaEcpHma(b: ExchangeBuild, revisionKnown: boolean): 'yes' | 'no' | 'unknown' {
  if (b.product === 'Exchange Server SE') return 'yes';
  if (b.product !== 'Exchange 2019') return 'no';
  if (b.build > cu14Build) return 'yes';
  if (b.build < cu14Build) return 'no';
  if (!revisionKnown || b.revision === undefined) return 'unknown';
  return b.revision >= cu14Apr24HuRevision ? 'yes' : 'no';
}
