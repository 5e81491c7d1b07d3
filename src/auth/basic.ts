/**
 * HTTP Basic credentials ([RFC 7617]), UTF-8 encoded. The transport sends them over TLS only
 * (plain HTTP exists only behind the lab flag).
 * @see https://www.rfc-editor.org/rfc/rfc7617
 */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}
