/**
 * Test Connection as the API and the CLI run it: an administrator tests a stored profile against a
 * sample mailbox (the one given, or the profile's first). Nothing is changed, so nothing is audited.
 */
import type { EmailServerProfile } from '../../domain/profile.ts';
import { AppError } from '../../errors.ts';
import type { OpenDriverDeps } from '../../exchange/exchange-environment.ts';
import { requireAdministrator, type UseCaseContext } from '../../use-cases/context.ts';
import { testConnection, type TestConnectionResult } from './test-connection.ts';

/** Settings of the environment (the lab's endpoints, an auth log) that are not the profile's. */
export type TestEnvironment = Omit<OpenDriverDeps, 'clock' | 'random' | 'defaultTenantId'>;

export async function testProfileConnection(
  ctx: UseCaseContext,
  profileRef: string,
  options: { mailbox?: string } = {},
  environment: TestEnvironment = {},
): Promise<TestConnectionResult> {
  requireAdministrator(ctx);
  const profile = await findProfile(ctx, profileRef);
  const secrets = await ctx.store.profiles.getSecrets(profile.id);
  const settings = await ctx.store.settings.get();
  const mailbox = options.mailbox ?? (await ctx.store.mailboxes.list({ profileId: profile.id }))[0]?.emailAddress ?? null;
  return testConnection({
    profile,
    secrets,
    mailbox,
    deps: { ...environment, clock: ctx.clock, random: ctx.random, defaultTenantId: settings.defaultExchangeOnlineTenantId },
  });
}

/** A profile by id, or by its exact name (the CLI takes either). */
async function findProfile(ctx: UseCaseContext, ref: string): Promise<EmailServerProfile> {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref)) {
    const byId = await ctx.store.profiles.get(ref);
    if (byId !== undefined) return byId;
  }
  const named = (await ctx.store.profiles.list()).filter((p) => p.name === ref);
  if (named.length === 1) return named[0]!;
  throw new AppError(named.length > 1 ? 'ambiguous_profile' : 'not_found', named.length > 1 ? `More than one profile is named "${ref}"; use its id.` : `No email server profile "${ref}".`, {
    kind: named.length > 1 ? 'invalid-input' : 'not-found',
    status: named.length > 1 ? 400 : 404,
  });
}
