/** What every repository gets besides its executor: the clock and ids (injected), and the sealer. */
import type { Clock, Random } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import type { Sealer } from '../sealing.ts';

export type RepoDeps = { clock: Clock; random: Random; sealer: Sealer };

export function nowDate(deps: RepoDeps): Date {
  return new Date(deps.clock.now());
}

/** PostgreSQL's unique_violation and foreign_key_violation, turned into errors callers branch on. */
export async function mapConstraint<T>(entity: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const constraint = String((error as { constraint?: unknown }).constraint ?? '');
    if (code === '23505') {
      throw new AppError('conflict', `${entity} conflicts with an existing one${constraint ? ` (${constraintLabel(constraint)})` : ''}`, {
        kind: 'conflict',
        status: 409,
        details: { constraint },
      });
    }
    if (code === '23503') {
      throw new AppError('reference_not_found', `${entity} refers to a record that does not exist or is still referenced`, {
        kind: 'invalid-input',
        status: 409,
        details: { constraint },
      });
    }
    throw error;
  }
}

function constraintLabel(constraint: string): string {
  if (constraint.endsWith('_email_key')) return 'same email address';
  if (constraint.endsWith('_name_key')) return 'same name';
  if (constraint.endsWith('_owner_key')) return 'the owner already has a mailbox';
  if (constraint.endsWith('_one_default')) return 'another profile is the default';
  return constraint;
}

export function notFound(entity: string, id: string): AppError {
  return new AppError('not_found', `${entity} ${id} does not exist`, { kind: 'not-found', status: 404, details: { id } });
}
