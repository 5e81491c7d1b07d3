/** What one Autodiscover endpoint said, in either dialect (SOAP GetUserSettings or POX). */
export type AutodiscoverSettings = {
  /** The EWS URL to use: ExternalEwsUrl when present, else InternalEwsUrl (the EWS Managed API's preference). */
  ewsUrl: string;
  internalEwsUrl?: string;
  externalEwsUrl?: string;
  userDisplayName?: string;
  /** Server build "major.minor.build[.revision]": CasVersion, ServerVersionInfo, or POX ServerVersion decoded. */
  serverVersion?: string;
  /** EwsSupportedSchemas (SOAP only), e.g. ["Exchange2007", …, "Exchange2013"]. */
  ewsSupportedSchemas?: string[];
};

export type AutodiscoverAnswer =
  | { kind: 'settings'; settings: AutodiscoverSettings }
  | { kind: 'redirect-address'; address: string }
  | { kind: 'redirect-url'; url: string }
  | { kind: 'error'; code: string; message: string };

/** Picks the EWS URL the way the EWS Managed API does: external first, internal otherwise. */
export function settingsFrom(input: Omit<AutodiscoverSettings, 'ewsUrl'>, preferInternal = false): AutodiscoverAnswer {
  const ewsUrl = preferInternal ? (input.internalEwsUrl ?? input.externalEwsUrl) : (input.externalEwsUrl ?? input.internalEwsUrl);
  if (!ewsUrl) return { kind: 'error', code: 'NoEwsUrl', message: 'the response names no EWS URL' };
  return { kind: 'settings', settings: { ewsUrl, ...input } };
}

/** Drops undefined members so optional fields stay absent (exactOptionalPropertyTypes). */
export function defined<T extends Record<string, unknown>>(
  value: T,
): { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}
