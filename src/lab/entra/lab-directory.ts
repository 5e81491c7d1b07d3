import { X509Certificate, createHash } from 'node:crypto';

/**
 * What the lab Entra knows: tenants (by id and verified domains), resources (service principals with
 * their identifier URIs, like "Office 365 Exchange Online" with the on-premises Exchange URLs the
 * Hybrid Configuration Wizard adds), and applications with their credentials (secrets, registered
 * certificates, or trust in subject name + issuer) and the application permissions an admin consented to.
 */
export type LabResource = { appId: string; name: string; identifierUris: string[] };

export type LabKeyCredential = {
  certPem: string;
  certificate: X509Certificate;
  x5tS256: string;
  x5t: string;
};

export type LabApp = {
  clientId: string;
  objectId: string;
  secrets: Array<{ value: string; expiresAt?: number }>;
  certificates: LabKeyCredential[];
  /** Certificates accepted by subject name + issuer (sent in x5c) instead of a registered key. */
  subjectIssuerTrust: Array<{ subject: string; issuerCertPem: string }>;
  /** Consented application roles, by resource appId. */
  grants: Map<string, string[]>;
  disabled: boolean;
};

export type LabTenant = { id: string; domains: string[]; resources: LabResource[]; apps: Map<string, LabApp> };

/** Well-known first-party app ids, so lab tokens look like Entra's. */
export const wellKnownResources = {
  graph: { appId: '00000003-0000-0000-c000-000000000000', name: 'Microsoft Graph', identifierUris: ['https://graph.microsoft.com'] },
  exchangeOnline: { appId: '00000002-0000-0ff1-ce00-000000000000', name: 'Office 365 Exchange Online', identifierUris: ['https://outlook.office365.com'] },
  keyVault: { appId: 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093', name: 'Azure Key Vault', identifierUris: ['https://vault.azure.net'] },
} as const satisfies Record<string, LabResource>;

export function normalizeIdentifier(value: string): string {
  return value.trim().replace(/\/+$/, '').toLowerCase();
}

export class LabDirectory {
  readonly tenants = new Map<string, LabTenant>();
  readonly #newId: () => string;

  constructor(newId: () => string) {
    this.#newId = newId;
  }

  addTenant(id: string, options: { domains?: string[] } = {}): LabTenant {
    const tenant: LabTenant = { id, domains: (options.domains ?? []).map((d) => d.toLowerCase()), resources: [], apps: new Map() };
    this.tenants.set(id.toLowerCase(), tenant);
    return tenant;
  }

  /** A tenant by id or verified domain, as the authority path names it. */
  findTenant(idOrDomain: string): LabTenant | undefined {
    const key = idOrDomain.toLowerCase();
    return this.tenants.get(key) ?? [...this.tenants.values()].find((t) => t.domains.includes(key));
  }

  addResource(tenantId: string, resource: { appId?: string; name: string; identifierUris: string[] }): LabResource {
    const tenant = this.#tenant(tenantId);
    const existing = tenant.resources.find((r) => r.appId === resource.appId || r.name === resource.name);
    if (existing) {
      for (const uri of resource.identifierUris) if (!existing.identifierUris.includes(uri)) existing.identifierUris.push(uri);
      return existing;
    }
    const added = { appId: resource.appId ?? this.#newId(), name: resource.name, identifierUris: [...resource.identifierUris] };
    tenant.resources.push(added);
    return added;
  }

  /** The resource a scope's resource part names: an identifier URI or the resource's app id. */
  findResource(tenant: LabTenant, identifier: string): LabResource | undefined {
    const wanted = normalizeIdentifier(identifier);
    return tenant.resources.find((r) => r.appId === wanted || r.identifierUris.some((u) => normalizeIdentifier(u) === wanted));
  }

  addApp(
    tenantId: string,
    app: {
      clientId: string;
      secrets?: Array<string | { value: string; expiresAt?: number }>;
      certificates?: string[];
      subjectIssuerTrust?: Array<{ subject: string; issuerCertPem: string }>;
      /** Consented roles by resource identifier URI or app id: { 'https://outlook.office365.com': ['full_access_as_app'] }. */
      grants?: Record<string, string[]>;
    },
  ): LabApp {
    const tenant = this.#tenant(tenantId);
    const added: LabApp = {
      clientId: app.clientId,
      objectId: this.#newId(),
      secrets: (app.secrets ?? []).map((s) => (typeof s === 'string' ? { value: s } : s)),
      certificates: (app.certificates ?? []).map(keyCredential),
      subjectIssuerTrust: app.subjectIssuerTrust ?? [],
      grants: new Map(),
      disabled: false,
    };
    for (const [identifier, roles] of Object.entries(app.grants ?? {})) {
      const resource = this.findResource(tenant, identifier);
      if (!resource) throw new Error(`lab directory: no resource ${identifier} in tenant ${tenantId}`);
      added.grants.set(resource.appId, roles);
    }
    tenant.apps.set(app.clientId.toLowerCase(), added);
    return added;
  }

  app(tenantId: string, clientId: string): LabApp {
    const app = this.#tenant(tenantId).apps.get(clientId.toLowerCase());
    if (!app) throw new Error(`lab directory: no app ${clientId} in tenant ${tenantId}`);
    return app;
  }

  registerCertificate(tenantId: string, clientId: string, certPem: string): void {
    this.app(tenantId, clientId).certificates.push(keyCredential(certPem));
  }

  unregisterCertificate(tenantId: string, clientId: string, certPem: string): void {
    const app = this.app(tenantId, clientId);
    const x5tS256 = keyCredential(certPem).x5tS256;
    app.certificates = app.certificates.filter((c) => c.x5tS256 !== x5tS256);
  }

  #tenant(id: string): LabTenant {
    const tenant = this.findTenant(id);
    if (!tenant) throw new Error(`lab directory: no tenant ${id}`);
    return tenant;
  }
}

function keyCredential(certPem: string): LabKeyCredential {
  const certificate = new X509Certificate(certPem);
  return {
    certPem,
    certificate,
    x5tS256: createHash('sha256').update(certificate.raw).digest('base64url'),
    x5t: createHash('sha1').update(certificate.raw).digest('base64url'),
  };
}
