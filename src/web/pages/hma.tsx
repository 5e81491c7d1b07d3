/** HMA readiness: paste or upload the cmdlet output (docs/hma-readiness.md), see findings and the remediation script. */
import { useState } from 'preact/hooks';
import { ApiError, post } from '../api-client.ts';
import { ErrorNotice, PageHeader, Status } from '../components/ui.tsx';

type Finding = { code: string; severity: 'error' | 'warning' | 'info'; title: string; server?: string; tenant?: string; evidence: Array<{ file: string; line: number; text: string }>; why: string; fix: string };
type Report = { ready: boolean; unreadableInput: boolean; summary: { errors: number; warnings: number; infos: number }; findings: Finding[]; inputIssues: Array<{ file: string; line: number; message: string; expected: string }> };

export function HmaPage() {
  const [inputs, setInputs] = useState<Array<{ name: string; text: string }>>([{ name: 'pasted', text: '' }]);
  const [result, setResult] = useState<{ report: Report; script?: string } | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const check = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setResult(await post('/api/hma/check', { inputs: inputs.filter((i) => i.text.trim() !== ''), include: ['script'] }));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? new Error('This server does not offer the HMA check (POST /api/hma/check).') : (err as Error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <PageHeader title="HMA readiness" />
      <p class="lede">Run the cmdlets listed in <code>docs/hma-readiness.md</code> on Exchange and Microsoft Graph PowerShell, then paste their output here or upload the files. Nothing is stored.</p>
      <form class="card" onSubmit={check}>
        <label for="hma-text">Cmdlet output</label>
        <textarea id="hma-text" rows={10} class="mono" value={inputs[0]?.text ?? ''} aria-describedby="hma-help"
          onInput={(e) => setInputs([{ name: 'pasted', text: e.currentTarget.value }, ...inputs.slice(1)])} />
        <p class="help" id="hma-help">Format-List, Format-Table or ConvertTo-Json output of Get-ExchangeServer, Get-AuthServer, Get-OrganizationConfig, the virtual directories and Get-MgServicePrincipal.</p>
        <label class="file"><span>Upload files</span>
          <input type="file" multiple accept=".txt,.json,.log" onChange={async (e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            const loaded = await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() })));
            setInputs([inputs[0] ?? { name: 'pasted', text: '' }, ...loaded]);
          }} />
        </label>
        {inputs.length > 1 && <p class="muted">Files: {inputs.slice(1).map((i) => i.name).join(', ')}</p>}
        <div class="actions"><button class="primary" type="submit" disabled={busy || inputs.every((i) => i.text.trim() === '')}>{busy ? 'Checking…' : 'Check readiness'}</button></div>
      </form>
      <ErrorNotice error={error} />
      {result && (
        <section class="card" aria-live="polite">
          <h2>{result.report.ready ? 'Ready for Hybrid Modern Authentication' : 'Not ready yet'}</h2>
          <p class="muted">{result.report.summary.errors} errors, {result.report.summary.warnings} warnings, {result.report.summary.infos} notes.</p>
          {result.report.inputIssues.map((i) => <p key={`${i.file}:${i.line}`} class="error-text">{i.file}:{i.line} {i.message} (expected {i.expected})</p>)}
          <ul class="findings">
            {result.report.findings.map((f, n) => (
              <li key={`${f.code}-${n}`} class={`alert alert-${f.severity === 'info' ? 'information' : f.severity}`}>
                <div class="alert-head"><Status value={f.severity === 'info' ? 'information' : f.severity} /> <strong>{f.title}</strong> {f.server && <span class="muted">{f.server}</span>}</div>
                <p>{f.why}</p>
                <p class="remedy"><strong>What to do:</strong> {f.fix}</p>
                {f.evidence.length > 0 && <details><summary>Evidence</summary><pre tabIndex={0}>{f.evidence.map((e) => `${e.file}:${e.line}  ${e.text}`).join('\n')}</pre></details>}
              </li>
            ))}
          </ul>
          {result.script && (
            <>
              <h2>Remediation script</h2>
              <div class="actions"><button type="button" onClick={() => navigator.clipboard?.writeText(result.script ?? '')}>Copy script</button></div>
              <pre class="script" tabIndex={0}>{result.script}</pre>
            </>
          )}
        </section>
      )}
    </>
  );
}
