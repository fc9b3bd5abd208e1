import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Context, Next } from 'koa';
import type { RouteTable } from '../create-json-api.js';
import type { OpenApiDocument } from './build-openapi-document.js';
import { DOCS_INIT_SCRIPT, renderDocsPage } from './docs-page.js';

export interface ApiDocsOptions {
  document: OpenApiDocument;
  /** The page title. */
  title: string;
  /** Default `/docs`. */
  basePath?: string;
}

interface Asset {
  type: string;
  /** A file of swagger-ui-dist, or the content itself. */
  file?: string;
  content?: string;
}

/** The only files served under `<basePath>/assets/`: a lookup by exact name, so no path reaches the disk. */
const ASSETS: Readonly<Record<string, Asset>> = {
  'swagger-ui.css': { type: 'text/css; charset=utf-8', file: 'swagger-ui.css' },
  'index.css': { type: 'text/css; charset=utf-8', file: 'index.css' },
  'swagger-ui-bundle.js': { type: 'text/javascript; charset=utf-8', file: 'swagger-ui-bundle.js' },
  'favicon-32x32.png': { type: 'image/png', file: 'favicon-32x32.png' },
  'docs-init.js': { type: 'text/javascript; charset=utf-8', content: DOCS_INIT_SCRIPT },
};

const ASSET_MAX_AGE_SECONDS = 3600;

/**
 * `GET <basePath>` (Swagger UI), `<basePath>/openapi.json` (the document) and `<basePath>/assets/*` (Swagger
 * UI's files from the installed swagger-ui-dist: nothing comes from a CDN, so it works offline). No token is
 * needed: the page documents the API and exposes no data. The page gets its own CSP, the strict default
 * loosened only as Swagger UI needs: its scripts and styles from here, `data:` images, and fetches to this
 * origin and to the servers the document names (the issuer's token endpoint for "Try it out").
 *
 * @example
 * createJsonApi({ ..., routers: [itemRoutes, createApiDocsRoutes({ document, title: 'Items API' })] });
 */
export function createApiDocsRoutes(options: ApiDocsOptions): RouteTable {
  const basePath = options.basePath ?? '/docs';
  if (!/^(\/[A-Za-z0-9._-]+)+$/.test(basePath)) {
    throw new TypeError('basePath must be a path such as /docs, without a trailing slash');
  }
  if (options.document?.openapi !== '3.1.0')
    throw new TypeError('document must come from buildOpenApiDocument()');
  const page = renderDocsPage({ title: options.title, basePath });
  const json = `${JSON.stringify(options.document, null, 2)}\n`;
  const csp = docsContentSecurityPolicy(options.document);
  const distDirectory = swaggerUiDistDirectory();
  const cache = new Map<string, Promise<Buffer>>();
  const load = (file: string) => {
    let loaded = cache.get(file);
    if (!loaded) {
      loaded = readFile(join(distDirectory, file));
      // A failed read (a broken install) is retried on the next request rather than cached.
      loaded.catch(() => cache.delete(file));
      cache.set(file, loaded);
    }
    return loaded;
  };
  const assetsPrefix = `${basePath}/assets/`;

  async function serveDocs(ctx: Context, next: Next): Promise<void> {
    const { path } = ctx;
    const name = path.startsWith(assetsPrefix) ? path.slice(assetsPrefix.length) : undefined;
    const asset = name !== undefined && Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (path !== basePath && path !== `${basePath}/openapi.json` && asset === undefined) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      // methodProblems turns this into a 405 problem carrying Allow.
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      return;
    }
    if (path === basePath) {
      ctx.set('Content-Security-Policy', csp);
      ctx.set('Cache-Control', 'no-cache');
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = page;
    } else if (path === `${basePath}/openapi.json`) {
      ctx.set('Cache-Control', 'no-cache');
      ctx.type = 'application/json; charset=utf-8';
      ctx.body = json;
    } else if (asset) {
      ctx.set('Cache-Control', `public, max-age=${ASSET_MAX_AGE_SECONDS}`);
      ctx.type = asset.type;
      ctx.body = asset.content ?? (await load(asset.file as string));
    }
  }

  return {
    routes: () => serveDocs,
    // serveDocs answers other methods itself (405 with Allow).
    allowedMethods: () => (_ctx: Context, next: Next) => next(),
  };
}

/**
 * The CSP of the docs page (CSP3). No inline script: Swagger UI starts from a served file. Styles: Swagger UI
 * sets element styles through the CSSOM, which style-src does not restrict, so 'self' suffices.
 */
export function docsContentSecurityPolicy(document: OpenApiDocument): string {
  const connect = ["'self'", ...serverOrigins(document)];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Origins of absolute server URLs and token URLs in the document, where "Try it out" sends requests. */
function serverOrigins(document: OpenApiDocument): string[] {
  const urls: string[] = document.servers.map((server) => server.url);
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item)) {
      const servers = (operation as { servers?: { url: string }[] }).servers ?? [];
      urls.push(...servers.map((server) => server.url));
    }
  }
  for (const scheme of Object.values(document.components.securitySchemes)) {
    for (const flow of Object.values((scheme.flows ?? {}) as Record<string, { tokenUrl?: string }>)) {
      if (flow.tokenUrl) urls.push(flow.tokenUrl);
    }
  }
  const origins = urls.flatMap((url) => (URL.canParse(url) ? [new URL(url).origin] : []));
  return [...new Set(origins)].filter((origin) => origin !== 'null').sort();
}

/** swagger-ui-dist's own answer (getAbsoluteFSPath), without loading its 1.7 MB browser bundle into Node. */
function swaggerUiDistDirectory(): string {
  const require = createRequire(import.meta.url);
  const getAbsoluteFSPath = require('swagger-ui-dist/absolute-path.js') as () => string;
  return getAbsoluteFSPath();
}
