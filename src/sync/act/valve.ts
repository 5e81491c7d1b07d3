/**
 * The safety valve: a cycle that would delete a large share of the linked items of one kind (an
 * emptied calendar, a folder the server suddenly shows empty, a CRM bulk delete) stops before
 * deleting anything and raises an alert, until an administrator confirms the deletes are meant.
 */
export type ValveCheck = { linked: number; deletesInExchange: number; deletesInCrm: number };
export type ValveVerdict = { ok: true } | { ok: false; side: 'exchange' | 'crm'; deletes: number; linked: number };

export function checkValve(c: ValveCheck, limits: { minItems: number; fraction: number }, confirmed: boolean): ValveVerdict {
  if (confirmed || c.linked < limits.minItems) return { ok: true };
  const limit = c.linked * limits.fraction;
  // Deletes in the CRM come from items gone in Exchange, and the other way round.
  if (c.deletesInCrm > limit) return { ok: false, side: 'exchange', deletes: c.deletesInCrm, linked: c.linked };
  if (c.deletesInExchange > limit) return { ok: false, side: 'crm', deletes: c.deletesInExchange, linked: c.linked };
  return { ok: true };
}
