/**
 * The /docs page and the script that starts Swagger UI in it. The script is a served file, not inline, so the
 * page's CSP needs no 'unsafe-inline' for scripts. Swagger UI is told not to persist tokens (a token typed into
 * "Authorize" lives only as long as the tab), not to read a spec URL from the query string (`?url=` would let
 * a link render someone else's document under this origin), and not to call the public validator.
 */

export const DOCS_INIT_SCRIPT = `'use strict';
(function () {
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-openapi-url'),
    domNode: root,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    deepLinking: true,
    persistAuthorization: false,
    queryConfigEnabled: false,
    validatorUrl: null,
    tryItOutEnabled: false,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    docExpansion: 'list',
  });
})();
`;

export function renderDocsPage({ title, basePath }: { title: string; basePath: string }): string {
  const assets = `${basePath}/assets`;
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeHtml(title)}</title>
    <link rel="stylesheet" href="${assets}/swagger-ui.css">
    <link rel="stylesheet" href="${assets}/index.css">
    <link rel="icon" type="image/png" href="${assets}/favicon-32x32.png" sizes="32x32">
  </head>
  <body>
    <div id="swagger-ui" data-openapi-url="${basePath}/openapi.json"></div>
    <script src="${assets}/swagger-ui-bundle.js" charset="utf-8"></script>
    <script src="${assets}/docs-init.js" charset="utf-8"></script>
  </body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
