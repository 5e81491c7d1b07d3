/**
 * Serves the built admin center (dist/web, made by `vite build`) from the API process: index.html
 * at "/" and hashed files under /assets. Routes use hash fragments, so nothing else is needed.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export type WebOptions = { root: string };

/** Where `npm run build:web` puts the admin center. */
export const defaultWebRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web');

// Everything the page loads comes from this server; no inline script or style.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export async function serveWeb(app: FastifyInstance, options: WebOptions): Promise<void> {
  const built = existsSync(join(options.root, 'index.html'));
  const route = { config: { access: 'public' as const }, schema: { hide: true } };
  if (!built) {
    app.get('/', route, async (_request, reply) =>
      reply.status(503).type('text/plain').send('The admin center is not built. Run: npm run build:web (npm ci does it), then restart.'));
    return;
  }
  await app.register(fastifyStatic, { root: options.root, serve: false, cacheControl: false });
  app.get('/', route, async (_request, reply) =>
    reply.header('cache-control', 'no-cache').header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').sendFile('index.html'));
  app.get('/assets/*', route, async (request, reply) => {
    const file = (request.params as Record<string, string>)['*'] ?? '';
    return reply.header('cache-control', 'public, max-age=31536000, immutable').header('x-content-type-options', 'nosniff').sendFile(`assets/${file}`);
  });
}
