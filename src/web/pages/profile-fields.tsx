/** The fields of a profile by server type and authentication, each with its help text. */
import type { Issue } from '../api-client.ts';
import { Field } from '../components/ui.tsx';
import type { Profile, User } from '../types.ts';

type Auth = Record<string, string | boolean> & { type: Profile['auth']['type'] };
export type Draft = Omit<Profile, 'id' | 'auth' | 'secretsSet' | 'createdAt' | 'updatedAt' | 'ownerUserId' | 'incomingServerUrl' | 'outgoingServerUrl' | 'trustedCaBundle' | 'processEmailFrom' | 'autodiscoverAllowedRedirectDomains'> & {
  auth: Auth; ownerUserId: string; incomingServerUrl: string; outgoingServerUrl: string; trustedCaBundle: string; processEmailFrom: string;
  /** One domain per line, as typed. */
  autodiscoverAllowedRedirectDomains: string;
};

type Props = { draft: Draft; set(d: Draft): void; issues: ReadonlyArray<Issue>; secretsSet: string[]; users: User[]; creating: boolean };

export function ProfileFields({ draft, set, issues, secretsSet, users, creating }: Props) {
  const top = <K extends keyof Draft>(k: K, v: Draft[K]) => set({ ...draft, [k]: v });
  const auth = (k: string, v: string | boolean) => set({ ...draft, auth: { ...draft.auth, [k]: v } });
  const text = (name: keyof Draft, label: string, help: string, type: 'text' | 'number' = 'text') => (
    <Field label={label} name={name} help={help} issues={issues}>
      {(id, d) => <input id={id} type={type as 'text'} aria-describedby={d} value={String(draft[name] ?? '')} onInput={(e) => top(name, e.currentTarget.value as never)} />}
    </Field>
  );
  const check = (name: keyof Draft, label: string, help: string) => (
    <div class="check" data-field={name}>
      <input id={`c-${name}`} type="checkbox" checked={Boolean(draft[name])} aria-describedby={`c-${name}-help`} onChange={(e) => top(name, e.currentTarget.checked as never)} />
      <label for={`c-${name}`}>{label}</label>
      <p class="help" id={`c-${name}-help`}>{help}</p>
    </div>
  );
  const authText = (name: string, label: string, help: string, opts: { secret?: boolean; multiline?: boolean } = {}) => {
    const stored = opts.secret === true && secretsSet.includes(name);
    const value = String(draft.auth[name] ?? '');
    return (
      <Field label={label} name={`auth.${name}`} help={stored ? `${help} A value is stored; leave empty to keep it.` : help} issues={issues}>
        {(id, d) => opts.multiline
          ? <textarea id={id} rows={5} aria-describedby={d} value={value} placeholder={stored ? 'Stored — leave empty to keep' : ''} onInput={(e) => auth(name, e.currentTarget.value)} />
          : <input id={id} type={(opts.secret ? 'password' : 'text') as 'text'} autocomplete={opts.secret ? 'new-password' : 'off'} aria-describedby={d} value={value}
              placeholder={stored ? '•••••••• stored' : ''} onInput={(e) => auth(name, e.currentTarget.value)} />}
      </Field>
    );
  };
  const keyVault = () => (
    <>
      {authText('keyVaultUri', 'Key Vault URI', 'The vault that holds the certificate, e.g. https://contoso-kv.vault.azure.net.')}
      {authText('keyVaultKeyName', 'Key Vault key name', 'The name of the certificate in the vault.')}
      {authText('keyVaultApplicationId', 'Key Vault application ID', 'The Entra application allowed to read the secret behind the certificate (Get on secrets).')}
      {authText('keyVaultClientSecret', 'Key Vault client secret', 'A client secret of that application. Kept encrypted; never shown again.', { secret: true })}
    </>
  );
  const onPrem = draft.serverType === 'exchange-server';
  const a = draft.auth;

  return (
    <div class="form-grid">
      <section class="card">
        <h2>General</h2>
        {text('name', 'Name', 'A meaningful name for the profile.')}
        <Field label="Description" name="description" help="A short description of what the profile is for." issues={issues}>
          {(id, d) => <textarea id={id} rows={2} aria-describedby={d} value={draft.description} onInput={(e) => top('description', e.currentTarget.value)} />}
        </Field>
        <Field label="Email server type" name="serverType" help="Exchange Server is reached over EWS; Exchange Online over Microsoft Graph. Fixed once the profile exists." issues={issues}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={draft.serverType} disabled={!creating}
              onChange={(e) => {
                const serverType = e.currentTarget.value as Profile['serverType'];
                set({ ...draft, serverType, auth: serverType === 'exchange-online' ? { type: 'app-certificate', useDefaultTenantId: false, tenantId: '', applicationId: '', cloud: 'global', certificateSource: 'pem', certificate: '', sendCertificateChain: false } : { type: 'credentials', protocol: 'ntlm', userName: '', password: '' } });
              }}>
              <option value="exchange-server">Exchange Server (on-premises)</option>
              <option value="exchange-online">Exchange Online</option>
            </select>
          )}
        </Field>
        {check('isDefaultForNewMailboxes', 'Set as default profile for new mailboxes', 'New user and queue mailboxes, and Apply Default Email Settings, get this profile: it is the server profile of the org email settings. Only one profile is the default.')}
        <Field label="Owner" name="ownerUserId" help="Receives the profile's alerts." issues={issues}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={draft.ownerUserId} onChange={(e) => top('ownerUserId', e.currentTarget.value)}>
              <option value="">No owner</option>
              {users.map((u) => <option key={u.id} value={u.id}>{u.fullName} ({u.emailAddress})</option>)}
            </select>
          )}
        </Field>
      </section>

      <section class="card">
        <h2>Authentication</h2>
        <Field label="Authentication type" name="auth.type" help={onPrem ? 'Credentials: a service account with the ApplicationImpersonation role. HMA: OAuth tokens from Entra for Exchange on-premises published through Hybrid Modern Authentication.' : 'Exchange Online uses app-only OAuth with a certificate of an Entra application granted full_access_as_app or Graph mail permissions.'} issues={issues}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={a.type}
              onChange={(e) => {
                const type = e.currentTarget.value as Auth['type'];
                set({ ...draft, auth: type === 'credentials' ? { type, protocol: 'ntlm', userName: '', password: '' } : type === 'hybrid-modern-auth'
                  ? { type, ewsUrl: '', aadResourceId: '', tenantId: '', hmaApplicationId: '', keyVaultUri: '', keyVaultKeyName: '', keyVaultApplicationId: '', keyVaultClientSecret: '' }
                  : { type, useDefaultTenantId: false, tenantId: '', applicationId: '', cloud: 'global', certificateSource: 'pem', certificate: '', sendCertificateChain: false } });
              }}>
              {onPrem && <option value="credentials">Credentials specified in the profile (impersonation)</option>}
              {onPrem && <option value="hybrid-modern-auth">Exchange Hybrid Modern Auth (HMA)</option>}
              {!onPrem && <option value="app-certificate">App certificate (OAuth)</option>}
            </select>
          )}
        </Field>
        {a.type === 'credentials' && (
          <>
            {authText('userName', 'User name', 'The Exchange service account granted the ApplicationImpersonation role, e.g. CONTOSO\\svc-crm or svc-crm@contoso.com.')}
            {authText('password', 'Password', 'The service account password. Kept encrypted; never shown again.', { secret: true })}
            <Field label="Authentication protocol" name="auth.protocol" help="NTLM (recommended) or Basic. Basic sends the password with every request and needs TLS." issues={issues}>
              {(id, d) => (
                <select id={id} aria-describedby={d} value={String(a['protocol'])} onChange={(e) => auth('protocol', e.currentTarget.value)}>
                  <option value="ntlm">NTLM</option>
                  <option value="basic">Basic</option>
                </select>
              )}
            </Field>
          </>
        )}
        {a.type === 'hybrid-modern-auth' && (
          <>
            {authText('ewsUrl', 'Exchange Web Services URL', 'The published EWS endpoint, e.g. https://mail.contoso.com/EWS/Exchange.asmx. Run the HMA readiness check first.')}
            {authText('aadResourceId', 'Azure AD resource ID', 'The Exchange resource registered in Entra, usually https://<EWS host> (a service principal name of Office 365 Exchange Online).')}
            {authText('tenantId', 'Tenant ID', 'The Entra tenant, as a GUID or a verified domain.')}
            {authText('hmaApplicationId', 'HMA application ID', 'The Entra application granted EWS.AccessAsUser.All / full_access_as_app on the Exchange resource.')}
            {keyVault()}
          </>
        )}
        {a.type === 'app-certificate' && (
          <>
            <div class="check" data-field="auth.useDefaultTenantId">
              <input id="c-useDefaultTenantId" type="checkbox" checked={Boolean(a['useDefaultTenantId'])} aria-describedby="c-udt-help" onChange={(e) => auth('useDefaultTenantId', e.currentTarget.checked)} />
              <label for="c-useDefaultTenantId">Use default tenant ID</label>
              <p class="help" id="c-udt-help">Use the Exchange Online tenant of the email settings instead of the tenant below.</p>
            </div>
            {!a['useDefaultTenantId'] && authText('tenantId', 'Tenant ID', 'The Entra tenant of your Exchange Online organization (GUID or domain).')}
            {authText('applicationId', 'Application ID', 'The Entra application (client) ID whose certificate signs the token requests.')}
            <Field label="Cloud" name="auth.cloud" help="Where your tenant lives." issues={issues}>
              {(id, d) => (
                <select id={id} aria-describedby={d} value={String(a['cloud'])} onChange={(e) => auth('cloud', e.currentTarget.value)}>
                  <option value="global">Worldwide</option>
                  <option value="us-government">US Government (GCC High)</option>
                  <option value="china">China (21Vianet)</option>
                </select>
              )}
            </Field>
            <Field label="Certificate source" name="auth.certificateSource" help="Upload the certificate with its private key (PEM or PFX), or keep it in Azure Key Vault." issues={issues}>
              {(id, d) => (
                <select id={id} aria-describedby={d} value={String(a['certificateSource'])} onChange={(e) => auth('certificateSource', e.currentTarget.value)}>
                  <option value="pem">PEM (certificate and private key)</option>
                  <option value="pfx">PFX (base64)</option>
                  <option value="key-vault">Azure Key Vault</option>
                </select>
              )}
            </Field>
            {a['certificateSource'] === 'key-vault' ? keyVault() : (
              <>
                {authText('certificate', a['certificateSource'] === 'pfx' ? 'Certificate (base64 PFX)' : 'Certificate and private key (PEM)', 'Paste it, or choose a file below. Kept encrypted; never shown again.', { secret: true, multiline: true })}
                <label class="file">
                  <span>Load from a file</span>
                  <input type="file" accept=".pem,.pfx,.p12,.crt,.key" onChange={async (e) => {
                    const f = e.currentTarget.files?.[0];
                    if (!f) return;
                    if (a['certificateSource'] === 'pfx') {
                      const bytes = new Uint8Array(await f.arrayBuffer());
                      let s = '';
                      for (const b of bytes) s += String.fromCharCode(b);
                      auth('certificate', btoa(s));
                    } else auth('certificate', await f.text());
                  }} />
                </label>
                {a['certificateSource'] === 'pfx' && authText('certificatePassword', 'PFX password', 'The password of the PFX file, if it has one.', { secret: true })}
              </>
            )}
            <div class="check" data-field="auth.sendCertificateChain">
              <input id="c-sendCertificateChain" type="checkbox" checked={Boolean(a['sendCertificateChain'])} aria-describedby="c-scc-help" onChange={(e) => auth('sendCertificateChain', e.currentTarget.checked)} />
              <label for="c-sendCertificateChain">Send the certificate chain (x5c)</label>
              <p class="help" id="c-scc-help">Only for an app that trusts certificates by subject name and issuer instead of an uploaded public key. The certificate must come with its issuing chain.</p>
            </div>
          </>
        )}
      </section>

      {onPrem && (
        <section class="card">
          <h2>Locations and ports</h2>
          {a.type === 'credentials' && check('autodiscover', 'Auto-discover server location', 'Recommended. Finds each mailbox\'s EWS endpoint with Autodiscover (HTTPS only, at most 10 redirects). Turn off to enter the locations yourself.')}
          {a.type === 'credentials' && draft.autodiscover && (
            <Field label="Allowed Autodiscover redirect domains" name="autodiscoverAllowedRedirectDomains" issues={issues}
              help="One domain per line, e.g. contoso-mail.com. Autodiscover follows a redirect to another domain only if it is listed here (a domain covers its subdomains). Leave empty to stay within each mailbox's own domain.">
              {(id, d) => <textarea id={id} rows={3} aria-describedby={d} spellcheck={false} value={draft.autodiscoverAllowedRedirectDomains} onInput={(e) => top('autodiscoverAllowedRedirectDomains', e.currentTarget.value)} />}
            </Field>
          )}
          {(a.type === 'hybrid-modern-auth' || !draft.autodiscover) && (
            <>
              {text('incomingServerUrl', 'Incoming server location', 'The EWS URL used to read email, e.g. https://mail.contoso.com/EWS/Exchange.asmx.')}
              {text('incomingPort', 'Incoming port', 'Used when the incoming server location names no port. Usually 443.', 'number')}
              {text('outgoingServerUrl', 'Outgoing server location', 'The EWS URL used to send email; usually the same as incoming.')}
              {text('outgoingPort', 'Outgoing port', 'Used when the outgoing server location names no port. Usually 443.', 'number')}
            </>
          )}
          <Field label="Trusted CA bundle (PEM)" name="trustedCaBundle" help="Only if Exchange uses a certificate from an internal CA: paste that CA's certificate. Certificates are always validated." issues={issues}>
            {(id, d) => <textarea id={id} rows={3} aria-describedby={d} value={draft.trustedCaBundle} onInput={(e) => top('trustedCaBundle', e.currentTarget.value)} />}
          </Field>
        </section>
      )}

      <section class="card">
        <h2>Advanced</h2>
        <Field label="Process email from" name="processEmailFrom" help="Email received after this date and time is processed. An earlier date also pulls earlier email of newly associated mailboxes." issues={issues}>
          {(id, d) => <input id={id} type="datetime-local" aria-describedby={d} value={draft.processEmailFrom} onInput={(e) => top('processEmailFrom', e.currentTarget.value)} />}
        </Field>
        {text('minimumPollingIntervalMinutes', 'Minimum polling interval (minutes)', 'How often, at most, each mailbox is polled for new email (0 to 1440).', 'number')}
        {text('maximumConcurrentConnections', 'Maximum concurrent connections', "Simultaneous connections to Exchange for all mailboxes of this profile together, across every worker: the credentials are the profile's, so the limit is too (1 to 300, default 10). Lower it if Exchange reports too many calls.", 'number')}
        {text('connectionTimeoutSeconds', 'Connection timeout (seconds)', 'How long to wait for Exchange to answer (1 to 100).', 'number')}
        {check('moveFailedToUndeliverable', 'Move failed email to the Undeliverable folder', 'When an email cannot be tracked, move it to an Undeliverable folder in the mailbox.')}
        {check('alertOwnerOnMajorEvents', 'Alert the owner on major events', 'Notify the profile owner when more than 50% of its mailboxes fail.')}
      </section>
    </div>
  );
}
