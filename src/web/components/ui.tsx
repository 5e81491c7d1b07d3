/** Small building blocks shared by every page: fields with help and errors, badges, notices. */
import type { ComponentChildren } from 'preact';
import { ApiError, type Issue } from '../api-client.ts';


/** The message the API gave for one field (by its API name, e.g. "auth.userName"). */
export function issueFor(issues: ReadonlyArray<Issue>, name: string): string | undefined {
  return issues.find((i) => i.field === name)?.message;
}

type FieldProps = { label: string; name: string; help?: string; issues?: ReadonlyArray<Issue>; children: (id: string, describedBy: string) => ComponentChildren };

/** A labelled control with its help text and, when the API refused it, the reason right below. */
export function Field({ label, name, help, issues = [], children }: FieldProps) {
  const id = `f-${name.replace(/[^a-z0-9]/gi, '-')}`;
  const error = issueFor(issues, name);
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${error ? ' has-error' : ''}`} data-field={name}>
      <label for={id}>{label}</label>
      {children(id, describedBy)}
      {help && <p class="help" id={`${id}-help`}>{help}</p>}
      {error && <p class="error-text" id={`${id}-error`} role="alert">{label}: {error}</p>}
    </div>
  );
}

/**
 * A table that may be wider than the window scrolls inside this box; the box is a named region
 * that takes the focus, so keyboard users can scroll it too.
 */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return <div class="table-wrap" role="region" aria-label={label} tabIndex={0}>{children}</div>;
}

export function Badge({ tone, children }: { tone: 'ok' | 'bad' | 'warn' | 'muted' | 'info'; children: ComponentChildren }) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

const STATUS_TONE: Record<string, 'ok' | 'bad' | 'warn' | 'muted' | 'info'> = {
  success: 'ok', failure: 'bad', 'not-run': 'muted', approved: 'ok', rejected: 'bad', pending: 'warn', empty: 'muted',
  error: 'bad', warning: 'warn', information: 'info', succeeded: 'ok', 'completed-with-errors': 'warn', failed: 'bad', running: 'info', queued: 'muted', testing: 'info', done: 'ok',
  blocked: 'bad', confirmed: 'ok', waiting: 'warn', chosen: 'info',
};
const STATUS_TEXT: Record<string, string> = { 'not-run': 'Not run', empty: 'Not requested', 'server-side-sync': 'Server-side sync', none: 'None' };

export function Status({ value }: { value: string }) {
  return <Badge tone={STATUS_TONE[value] ?? 'muted'}>{STATUS_TEXT[value] ?? value.charAt(0).toUpperCase() + value.slice(1).replace(/-/g, ' ')}</Badge>;
}

export function Notice({ tone, children }: { tone: 'ok' | 'bad' | 'info'; children: ComponentChildren }) {
  return <div class={`notice notice-${tone}`} role={tone === 'bad' ? 'alert' : 'status'}>{children}</div>;
}

export function ErrorNotice({ error }: { error: Error | undefined }) {
  if (error === undefined) return null;
  const code = error instanceof ApiError ? ` (${error.code})` : '';
  return <Notice tone="bad">{error.message}{code}</Notice>;
}

export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <h1>{title}</h1>
      {children && <div class="actions">{children}</div>}
    </header>
  );
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const year = d.getFullYear() === new Date().getFullYear() ? {} : { year: 'numeric' as const };
  return d.toLocaleString(undefined, { ...year, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function Loading() {
  return <p class="muted" aria-live="polite">Loading…</p>;
}
