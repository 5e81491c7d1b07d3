/**
 * Shapes shared by the HMA readiness analyzer: what the reader pulls out of pasted cmdlet output,
 * and the report the engine hands to the CLI, the API and the admin center.
 */

/** Where a fact came from: the input's name, its 1-based line, and the line as pasted. */
export type SourceRef = { file: string; line: number; text: string };

/** One value as PowerShell printed it. `truncated` is set for `{a, b...}` and `abc...` cells. */
export type RawValue =
  | { kind: 'scalar'; text: string; truncated: boolean }
  | { kind: 'list'; items: string[]; truncated: boolean }
  | { kind: 'null' };

export type RawField = { name: string; value: RawValue; ref: SourceRef };

export type OutputFormat = 'format-list' | 'format-table' | 'json' | 'bare-list';

/** One object of cmdlet output (a Format-List block, a table row, a JSON object, or a bare list). */
export type RawRecord = {
  /** Keys are lower-cased property names. */
  fields: Map<string, RawField>;
  ref: SourceRef;
  format: OutputFormat;
  /** The command line pasted above the output, when there was one. */
  command?: string;
  /** From a `# tenant: …` comment or `Connect-MgGraph -TenantId …` line above the output. */
  tenant?: string;
  /** For bare lists: the line of each item, in order. */
  itemRefs?: SourceRef[];
};

export type Severity = 'error' | 'warning' | 'info';

export type InputIssue = {
  code: string;
  severity: Severity;
  file: string;
  line: number;
  message: string;
  expected: string;
};

export type CmdletKind =
  | 'mapi'
  | 'ews'
  | 'oab'
  | 'autodiscover'
  | 'eas'
  | 'owa'
  | 'ecp'
  | 'client-access-service'
  | 'auth-server'
  | 'organization-config'
  | 'exchange-server'
  | 'exsetup-version'
  | 'exchange-certificate'
  | 'auth-config'
  | 'accepted-domain'
  | 'service-principal';

/** Remediation steps in the order the seed's procedure runs them; the script follows this order. */
export const remediationSteps = [
  'upgrade',
  'spn',
  'vdir-oauth',
  'auth-server',
  'oauth-certificate',
  'owa-ecp-reply-urls',
  'enable-hma',
  'owa-ecp-disable-other-auth',
  'owa-ecp-enable-oauth',
] as const;
export type RemediationStep = (typeof remediationSteps)[number];

export type Remediation = {
  step: RemediationStep;
  /** Exchange Management Shell, Microsoft Graph PowerShell, or a manual action. */
  shell: 'exchange' | 'graph' | 'manual';
  /** PowerShell to run (or, for manual steps, comment lines). Idempotent where the cmdlets allow. */
  script: string;
};

export type HmaFinding = {
  code: string;
  severity: Severity;
  title: string;
  server?: string;
  tenant?: string;
  evidence: SourceRef[];
  why: string;
  fix: string;
  remediation?: Remediation;
};

export type ServerSummary = {
  name: string;
  version?: string;
  product?: string;
  build?: string;
  virtualDirectories: CmdletKind[];
};

export type HmaReport = {
  generatedAt: string;
  /** True only when no error finding or input issue remains. */
  ready: boolean;
  /** True when some input could not be read at all (garbled or unrecognized), so the analysis is partial. */
  unreadableInput: boolean;
  summary: { errors: number; warnings: number; infos: number };
  inputs: { name: string; records: { kind: CmdletKind; line: number; format: OutputFormat }[] }[];
  inputIssues: InputIssue[];
  servers: ServerSummary[];
  tenants: string[];
  findings: HmaFinding[];
};

export type HmaInput = { name: string; text: string };

export type HmaOptions = {
  now: Date;
  /**
   * HMA for OWA and ECP is optional in Microsoft's procedure. 'auto' analyzes it when OWA/ECP output is given and
   * reports its gaps as warnings; 'required' makes them errors; 'skip' leaves it out.
   */
  owaEcp?: 'auto' | 'required' | 'skip';
};
