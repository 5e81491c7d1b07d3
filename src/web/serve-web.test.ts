import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Fastify from 'fastify';
import { serveWeb } from './serve-web.ts';

describe('serveWeb', () => {
  const root = mkdtempSync(join(tmpdir(), 'dovetail-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(tmpdir(), 'outside-web-root.txt'), 'secret');
  after(() => rmSync(root, { recursive: true, force: true }));

  const open = async (dir: string) => {
    const app = Fastify();
    await app.register(serveWeb, { root: dir });
    await app.ready();
    return app;
  };

  it('serves index.html with a strict content security policy and no caching', async () => {
    const app = await open(root);
    const r = await app.inject('/');
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<title>x<\/title>/);
    assert.match(String(r.headers['content-security-policy']), /script-src 'self'/);
    assert.equal(r.headers['cache-control'], 'no-cache');
    await app.close();
  });

  it('serves hashed assets as immutable, and nothing outside the root', async () => {
    const app = await open(root);
    const js = await app.inject('/assets/index-abc.js');
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers['cache-control']), /immutable/);
    const escape = await app.inject('/assets/..%2f..%2foutside-web-root.txt');
    assert.notEqual(escape.statusCode, 200);
    assert.equal((await app.inject('/assets/missing.js')).statusCode, 404);
    await app.close();
  });

  it('says how to build the admin center when it is not built', async () => {
    const app = await open(join(root, 'nowhere'));
    const r = await app.inject('/');
    assert.equal(r.statusCode, 503);
    assert.match(r.body, /npm run build:web/);
    await app.close();
  });
});
