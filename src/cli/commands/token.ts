/** dovetail token create|list|revoke|reveal-first: API tokens for the admin API. */
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import type { Command } from 'commander';
import { TOKEN_ROLES, type TokenRole } from '../../domain/api-token.ts';
import { AppError } from '../../errors.ts';
import { createToken, listTokens, revokeToken } from '../../use-cases/tokens.ts';
import type { CliContext } from '../cli-context.ts';

export function register(program: Command, cli: CliContext): void {
  const cmd = program.command('token').description('API tokens (roles: administrator, mailbox-owner, read-only)');
  cmd
    .command('create <name>')
    .description('create a token; its value is printed once')
    .option('--role <role>', `one of ${TOKEN_ROLES.join(', ')}`, 'administrator')
    .option('--user <userId>', 'the user whose mailbox a mailbox-owner token may change')
    .action(async (name: string, opts: { role: string; user?: string }) => {
      const created = await cli.withUseCases((ctx) => createToken(ctx, { name, role: opts.role as TokenRole, userId: opts.user ?? null }));
      cli.print(created, () => `${created.token}\n(token ${created.record.id}, role ${created.record.role}; this is the only time it is shown)`);
    });
  cmd.command('list').description('list tokens (never their values)').action(async () => {
    const all = await cli.withUseCases((ctx) => listTokens(ctx));
    cli.print(all, () => all.map((t) => `${t.id}  ${t.prefix}…  ${t.role}  ${t.name}${t.revokedAt === null ? '' : '  (revoked)'}`).join('\n'));
  });
  cmd.command('revoke <id>').description('revoke a token').action(async (id: string) => {
    const t = await cli.withUseCases((ctx) => revokeToken(ctx, id));
    cli.print(t, () => `revoked token ${t.id}`);
  });
  cmd
    .command('reveal-first')
    .description('print the administrator token made by the first start, once, and forget it')
    .action(() => {
      const path = cli.config().firstTokenFile;
      if (!existsSync(path)) {
        throw new AppError('first_token_gone', `no first-start token in ${path}: it was already shown (create another with: dovetail token create <name>)`);
      }
      const token = readFileSync(path, 'utf8').trim();
      unlinkSync(path);
      cli.print({ token }, () => token);
    });
}
