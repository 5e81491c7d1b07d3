/**
 * The slice of a pino logger the auth code writes to (pino's Logger satisfies it). Entries carry
 * ids, scopes, thumbprints and codes; never a secret, a token, an assertion or a private key.
 */
export type AuthLog = {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
};
