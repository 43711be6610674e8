import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { typed, type AppServer } from '../buildServer';

/** The page and its own script and style sheet (plain files, no build step). */
const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

/**
 * uPlot is served from the installed package itself, so that the page always runs the version
 * package-lock.json pins and nothing vendored can drift from it.
 */
const UPLOT_DIST_DIR = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.esm.js'));
const VENDOR_FILES: Readonly<Record<string, string>> = {
  'uPlot.esm.js': 'uPlot.esm.js',
  'uPlot.min.css': 'uPlot.min.css',
};

/** `ops/main.js`, `ops.css`: lower-case path segments, no dots but the extension, so never `..`. */
const ASSET_PATH = /^(?:[a-z0-9_-]+\/){0,2}[a-z0-9_-]+\.(?:js|css)$/;

/**
 * A stricter policy than the service's default, for the one HTML page: everything from this origin,
 * no inline script or style, no framing, no form posts elsewhere. uPlot styles through the CSSOM
 * (element.style), which `style-src 'self'` allows. No upgrade-insecure-requests: the service
 * listens on plain HTTP on loopback by default.
 */
const OPS_PAGE_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    manifestSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
    objectSrc: ["'none'"],
  },
};

const assetParams = z.object({ '*': z.string().max(200) });
const vendorParams = z.object({ file: z.string().max(100) });

/**
 * `GET /ops`: the operations page. The HTML, script and styles are public (they hold no data);
 * every figure on the page comes from ops-only API routes called with the operator's key.
 */
export async function registerOpsPageRoutes(server: AppServer): Promise<void> {
  // Encapsulated: the `sendFile` decorator stays inside this plugin (swagger-ui has its own).
  await server.register(async (scope: FastifyInstance) => {
    await scope.register(fastifyStatic, { root: PUBLIC_DIR, serve: false });
    const routes = typed(scope);

    routes.get(
      '/ops',
      { config: { public: true }, helmet: { contentSecurityPolicy: OPS_PAGE_CSP }, schema: { hide: true } },
      async (_request, reply) =>
        reply.header('cache-control', 'no-store').sendFile('ops.html', PUBLIC_DIR, { cacheControl: false }),
    );

    routes.get(
      '/ops/assets/*',
      { config: { public: true }, schema: { hide: true, params: assetParams } },
      async (request, reply) => {
        const path = request.params['*'];
        if (!ASSET_PATH.test(path))
          return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such asset' } });
        // no-cache: the browser revalidates (ETag), so a deploy never leaves yesterday's script running.
        return reply.header('cache-control', 'no-cache').sendFile(path, PUBLIC_DIR, { cacheControl: false });
      },
    );

    routes.get(
      '/ops/vendor/:file',
      { config: { public: true }, schema: { hide: true, params: vendorParams } },
      async (request, reply) => {
        const file = VENDOR_FILES[request.params.file];
        if (file === undefined)
          return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such asset' } });
        return reply
          .header('cache-control', 'no-cache')
          .sendFile(file, UPLOT_DIST_DIR, { cacheControl: false });
      },
    );
  });
}
