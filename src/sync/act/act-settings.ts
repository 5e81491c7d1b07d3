/**
 * The org's ACT policy (conflict policy, field directions, contact addresses, safety valve limits)
 * and each user's sync filters, kept as JSON and checked on every change.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import type { ActKind } from '../../exchange/driver.ts';
import type { ActDatabase } from './act-tables.ts';
import { ADDRESS_MODES, CONFLICT_POLICIES, DIRECTIONS, FIELD_NAMES, defaultActPolicy, type ActPolicy } from './fields.ts';
import { defaultActFilters, mergeFilters, type ActFilters } from './filters.ts';

const invalid = (message: string) => new AppError('invalid_act_policy', message, { kind: 'invalid-input', status: 400 });

export async function loadActPolicy(db: Kysely<ActDatabase>): Promise<ActPolicy> {
  const row = await db.selectFrom('act_org_policy').select('policy').where('id', '=', 1).executeTakeFirst();
  return { ...defaultActPolicy(), ...((row?.policy ?? {}) as Partial<ActPolicy>) };
}

export function mergeActPolicy(current: ActPolicy, patch: Record<string, unknown>): ActPolicy {
  const next: ActPolicy = { ...current, directions: { ...current.directions }, valve: { ...current.valve } };
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'conflict') {
      if (!(CONFLICT_POLICIES as readonly unknown[]).includes(value)) throw invalid(`conflict is one of ${CONFLICT_POLICIES.join(', ')}.`);
      next.conflict = value as ActPolicy['conflict'];
    } else if (key === 'contactAddresses') {
      if (!(ADDRESS_MODES as readonly unknown[]).includes(value)) throw invalid(`contactAddresses is one of ${ADDRESS_MODES.join(', ')}.`);
      next.contactAddresses = value as ActPolicy['contactAddresses'];
    } else if (key === 'valve') {
      const v = value as Partial<ActPolicy['valve']>;
      if (v.minItems !== undefined && (!Number.isInteger(v.minItems) || v.minItems < 1)) throw invalid('valve.minItems is a whole number of at least 1.');
      if (v.fraction !== undefined && (typeof v.fraction !== 'number' || v.fraction <= 0 || v.fraction >= 1)) throw invalid('valve.fraction is between 0 and 1.');
      next.valve = { ...next.valve, ...v };
    } else if (key === 'directions') {
      for (const [kind, fields] of Object.entries((value ?? {}) as Record<string, Record<string, unknown>>)) {
        if (!(kind in FIELD_NAMES)) throw invalid(`Unknown kind "${kind}".`);
        const k = kind as ActKind;
        const merged = { ...(next.directions[k] ?? {}) };
        for (const [field, d] of Object.entries(fields ?? {})) {
          if (!FIELD_NAMES[k].includes(field)) throw invalid(`Unknown ${kind} field "${field}".`);
          if (!(DIRECTIONS as readonly unknown[]).includes(d)) throw invalid(`A direction is one of ${DIRECTIONS.join(', ')}.`);
          merged[field] = d as (typeof DIRECTIONS)[number];
        }
        next.directions[k] = merged;
      }
    } else throw invalid(`Unknown policy setting "${key}".`);
  }
  return next;
}

export async function saveActPolicy(db: Kysely<ActDatabase>, clock: Clock, patch: Record<string, unknown>): Promise<ActPolicy> {
  const next = mergeActPolicy(await loadActPolicy(db), patch);
  const values = { id: 1, policy: JSON.stringify(next), updated_at: new Date(clock.now()) };
  await db.insertInto('act_org_policy').values(values).onConflict((oc) => oc.column('id').doUpdateSet({ policy: values.policy, updated_at: values.updated_at })).execute();
  return next;
}

export async function loadActFilters(db: Kysely<ActDatabase>, userId: string): Promise<ActFilters> {
  const row = await db.selectFrom('act_user_filters').select('filters').where('user_id', '=', userId).executeTakeFirst();
  return row === undefined ? defaultActFilters() : mergeFilters(defaultActFilters(), row.filters);
}

export async function saveActFilters(db: Kysely<ActDatabase>, clock: Clock, userId: string, patch: unknown): Promise<ActFilters> {
  const next = mergeFilters(await loadActFilters(db, userId), patch);
  const values = { user_id: userId, filters: JSON.stringify(next), updated_at: new Date(clock.now()) };
  await db.insertInto('act_user_filters').values(values).onConflict((oc) => oc.column('user_id').doUpdateSet({ filters: values.filters, updated_at: values.updated_at })).execute();
  return next;
}
