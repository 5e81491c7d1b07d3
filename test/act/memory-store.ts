/** An in-memory ACT store: CRM records with versions, links, cursors, the valve and alerts. */
import type { ActKind, SyncCursor } from '../../src/exchange/driver.ts';
import type { Fields } from '../../src/sync/act/fields.ts';
import { noProgress, type ActProgress, type ActStore, type CrmRecord, type Link } from '../../src/sync/act/ports.ts';
import type { ValveVerdict } from '../../src/sync/act/valve.ts';

type Row = { fields: Fields; version: number; modifiedAt: number; inFilter: boolean; owned: boolean; kind: ActKind };

export class MemoryActStore implements ActStore {
  readonly crm = new Map<string, Row>();
  readonly linkRows = new Map<string, Link>();
  readonly cursors = new Map<ActKind, SyncCursor>();
  readonly progresses = new Map<ActKind, ActProgress>();
  readonly valves = new Map<ActKind, { tripped: Extract<ValveVerdict, { ok: false }>; confirmed: boolean }>();
  readonly alerts: Array<{ code: string; details: Record<string, unknown> }> = [];
  writes = { create: 0, update: 0, delete: 0 };
  /** Called with the old and new fields of each CRM update the sync makes. */
  onUpdate: (before: Fields, after: Fields) => void = () => undefined;
  now = 1;
  private serial = 0;

  private record(id: string, r: Row): CrmRecord {
    return { id, version: String(r.version), fields: structuredClone(r.fields), modifiedAt: r.modifiedAt, inFilter: r.inFilter, ownedByUser: r.owned };
  }

  /** The user's own edit in the CRM. */
  put(kind: ActKind, fields: Fields, id?: string, options: { inFilter?: boolean; owned?: boolean } = {}): string {
    const key = id ?? `crm-${++this.serial}`;
    const prev = this.crm.get(key);
    this.crm.set(key, { kind, fields: structuredClone(fields), version: (prev?.version ?? 0) + 1, modifiedAt: this.now, inFilter: options.inFilter ?? prev?.inFilter ?? true, owned: options.owned ?? prev?.owned ?? true });
    return key;
  }

  async links(kind: ActKind): Promise<Link[]> {
    return [...this.linkRows.values()].filter((l) => l.kind === kind).map((l) => structuredClone(l));
  }
  async crmRecords(kind: ActKind, alsoIds: string[]): Promise<CrmRecord[]> {
    const also = new Set(alsoIds);
    return [...this.crm.entries()].filter(([id, r]) => r.kind === kind && (r.inFilter || also.has(id))).map(([id, r]) => this.record(id, r));
  }
  async crmRecord(kind: ActKind, id: string): Promise<CrmRecord | null> {
    const r = this.crm.get(id);
    return r === undefined || r.kind !== kind ? null : this.record(id, r);
  }
  async cursor(kind: ActKind): Promise<SyncCursor | null> {
    return this.cursors.get(kind) ?? null;
  }
  async saveLink(link: Link): Promise<void> {
    for (const [id, l] of this.linkRows) {
      if (id !== link.id && l.kind === link.kind && (l.crmId === link.crmId || (link.remoteId !== null && l.remoteId === link.remoteId))) throw new Error(`duplicate link for ${link.crmId}/${link.remoteId}`);
    }
    this.linkRows.set(link.id, structuredClone(link));
  }
  async removeLink(_kind: ActKind, linkId: string): Promise<void> {
    this.linkRows.delete(linkId);
  }
  async createCrm(kind: ActKind, id: string, fields: Fields, link: Link): Promise<CrmRecord> {
    this.writes.create++;
    this.crm.set(id, { kind, fields: structuredClone(fields), version: 1, modifiedAt: this.now, inFilter: true, owned: true });
    await this.saveLink({ ...link, crmVersion: '1' });
    return this.record(id, this.crm.get(id)!);
  }
  async updateCrm(kind: ActKind, id: string, expectedVersion: string, fields: Fields, link: Link): Promise<CrmRecord | null> {
    const r = this.crm.get(id);
    if (r === undefined || r.kind !== kind || String(r.version) !== expectedVersion) return null;
    this.writes.update++;
    this.onUpdate(r.fields, fields);
    const next = { ...r, fields: structuredClone(fields), version: r.version + 1, modifiedAt: this.now };
    this.crm.set(id, next);
    await this.saveLink({ ...link, crmVersion: String(next.version) });
    return this.record(id, next);
  }
  async deleteCrm(kind: ActKind, id: string, expectedVersion: string, linkId: string): Promise<boolean> {
    const r = this.crm.get(id);
    if (r === undefined || r.kind !== kind || String(r.version) !== expectedVersion) return false;
    this.writes.delete++;
    this.crm.delete(id);
    this.linkRows.delete(linkId);
    return true;
  }
  async progress(kind: ActKind): Promise<ActProgress> {
    return structuredClone(this.progresses.get(kind) ?? noProgress);
  }
  async commitCursor(kind: ActKind, cursor: SyncCursor, progress: ActProgress): Promise<void> {
    this.cursors.set(kind, cursor);
    this.progresses.set(kind, structuredClone(progress));
  }
  async valveConfirmed(kind: ActKind): Promise<boolean> {
    return this.valves.get(kind)?.confirmed === true;
  }
  async tripValve(kind: ActKind, verdict: Extract<ValveVerdict, { ok: false }>): Promise<void> {
    this.valves.set(kind, { tripped: verdict, confirmed: false });
  }
  async clearValve(kind: ActKind): Promise<void> {
    this.valves.delete(kind);
  }
  async alert(code: string, _message: string, details: Record<string, unknown>): Promise<void> {
    this.alerts.push({ code, details });
  }
}
