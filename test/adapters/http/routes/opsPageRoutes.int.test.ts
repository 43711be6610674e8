import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsDashboardModule } from '../../../../src/adapters/http/opsDashboardModule';
import { startTestApp, type TestApp } from '../../../support/appHarness';

const PUBLIC_DIR = join(process.cwd(), 'src/adapters/http/public');

async function get(t: TestApp, url: string) {
  const response = await t.app.server.inject({ method: 'GET', url });
  return { status: response.statusCode, headers: response.headers, body: response.body };
}

describe('GET /ops and its assets', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ overrides: { modules: [opsDashboardModule()] } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves the page without a key, under a strict content security policy', async () => {
    const page = await get(t, '/ops');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    const csp = String(page.headers['content-security-policy']);
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(page.body).toContain('id="sign-in"');
  });

  it('serves the script modules and style sheet, and uPlot straight from node_modules', async () => {
    const script = await get(t, '/ops/assets/ops/main.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect((await get(t, '/ops/assets/ops.css')).headers['content-type']).toMatch(/^text\/css/);
    const require = createRequire(import.meta.url);
    const uplot = await get(t, '/ops/vendor/uPlot.esm.js');
    expect(uplot.status).toBe(200);
    expect(uplot.body).toBe(await readFile(require.resolve('uplot/dist/uPlot.esm.js'), 'utf8'));
    expect((await get(t, '/ops/vendor/uPlot.min.css')).headers['content-type']).toMatch(/^text\/css/);
  });

  it('serves nothing else: no traversal, no other package file, no listing', async () => {
    for (const url of [
      '/ops/assets/../../../app.ts',
      '/ops/assets/%2e%2e/%2e%2e/routes/opsPageRoutes.ts',
      '/ops/assets/ops/../../dashboard/readDashboard.ts',
      '/ops/assets/ops.html.bak',
      '/ops/assets/',
      '/ops/vendor/package.json',
      '/ops/vendor/uPlot.cjs.js',
    ]) {
      expect((await get(t, url)).status, url).toBe(404);
    }
  });

  it('loads everything from its own origin: no CDN, no inline script or style', async () => {
    const html = await readFile(join(PUBLIC_DIR, 'ops.html'), 'utf8');
    const references = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(references.length).toBeGreaterThanOrEqual(3);
    for (const reference of references) expect(reference, reference).toMatch(/^\/ops\//);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle="|\son[a-z]+="/i);
    for (const file of await readdir(join(PUBLIC_DIR, 'ops'))) {
      const source = await readFile(join(PUBLIC_DIR, 'ops', file), 'utf8');
      const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1] ?? '');
      for (const specifier of imports)
        expect(specifier, `${file}: ${specifier}`).toMatch(
          /^(\.\/[a-z]+\.js|\/ops\/vendor\/uPlot\.esm\.js)$/,
        );
      expect(source, file).not.toMatch(
        /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/,
      );
      // The key lives in sessionStorage only (this tab), never in localStorage or a cookie.
      expect(source, file).not.toMatch(/localStorage\.|document\.cookie/);
    }
  });
});
