/**
 * dovetail secrets rotate: seal every stored secret under a new key. With a key file, a new key
 * is added and made current; with DOVETAIL_SECRET_KEY, put the new key first in the variable
 * (keeping the old one after it) and run this to reseal under it.
 */
import type { Command } from 'commander';
import { addKeyToFile } from '../../store/keyring-source.ts';
import { resealAll } from '../../store/reseal.ts';
import { createSealer } from '../../store/sealing.ts';
import type { CliContext } from '../cli-context.ts';

export function register(program: Command, cli: CliContext): void {
  const cmd = program.command('secrets').description('sealing keys of stored secrets');
  cmd
    .command('rotate')
    .description('seal every stored secret under a new current key')
    .action(async () => {
      const result = await cli.withUseCases(async (ctx, runtime) => {
        const keyring = runtime.keyringSource.kind === 'file' ? addKeyToFile(runtime.keyringSource, runtime.random, runtime.clock) : undefined;
        const sealer = keyring === undefined ? runtime.sealer : createSealer(keyring, runtime.random);
        const r = await resealAll(runtime.store.kysely, sealer);
        await ctx.store.audit.record({ actor: ctx.principal.actor, action: 'secrets.rotate', entityType: 'secrets', entityId: null, changes: { keyId: sealer.currentKeyId, resealed: r.resealed } });
        return { keyId: sealer.currentKeyId, resealed: r.resealed };
      });
      cli.print(result, () => `resealed ${result.resealed} secret(s) under key ${result.keyId}`);
    });
}
