/**
 * @portcullis/service-kit — plumbing shared by the auth server and the resource server.
 *
 * @example
 * app.use(securityHeaders).use(problemResponses(logger)).use(createHealthRoutes({ postgres: ping }));
 */

export { allowedMethodsFor } from './allowed-methods-for.js';
export type { BatchedLogDestination } from './batched-log-destination.js';
export { createBatchedLogDestination } from './batched-log-destination.js';
export { answerClientErrors } from './client-error-responder.js';
export type { CorsAllowlistOptions } from './cors-allowlist.js';
export { corsAllowlist, corsOriginProblem } from './cors-allowlist.js';
export type { JsonApiOptions, RouteTable } from './create-json-api.js';
export { createJsonApi } from './create-json-api.js';
export type { Logger } from './create-logger.js';
export { createLogger } from './create-logger.js';
export { forwardedHeadersFromTrustedHops } from './forwarded-headers.js';
export type { ReadinessCheck } from './health-routes.js';
export { createHealthRoutes } from './health-routes.js';
export { methodProblems } from './method-problems.js';
export type {
  CounterMetric,
  DependencyTrackingOptions,
  GaugeMetric,
  GaugeSpec,
  MetricLabels,
  MetricSpec,
  Metrics,
  MetricsOptions,
} from './metrics/create-metrics.js';
export { createMetrics } from './metrics/create-metrics.js';
export type { MetricsHandlerOptions } from './metrics/create-metrics-handler.js';
export { createMetricsHandler } from './metrics/create-metrics-handler.js';
export type { ApiDocsOptions } from './openapi/api-docs-routes.js';
export { createApiDocsRoutes } from './openapi/api-docs-routes.js';
export type {
  ApiOperation,
  HttpMethod,
  OperationResponse,
  OperationSecurity,
} from './openapi/api-operation.js';
export type {
  OAuthFlow,
  OpenApiAuthorization,
  OpenApiDocument,
  OpenApiDocumentOptions,
} from './openapi/build-openapi-document.js';
export { buildOpenApiDocument, openApiPath } from './openapi/build-openapi-document.js';
export { checkOpenApiDocument } from './openapi/check-openapi-document.js';
export { problemDetailsView } from './openapi/problem-responses.js';
export type { TokenGrantType } from './openapi/token-endpoint.js';
export type { RouteDocumentationGaps, RouteLayers, RouteSignature } from './openapi/undocumented-routes.js';
export { mismatchedRequirements, mountedRouters, undocumentedRoutes } from './openapi/undocumented-routes.js';
export type { ProblemDetails } from './problem.js';
export { ProblemError, problemResponses } from './problem.js';
export { readJsonBody } from './read-json-body.js';
export type { RequestContextState } from './request-context.js';
export { requestContext } from './request-context.js';
export { securityHeaders } from './security-headers.js';
export type { HttpListener, ServeHttpOptions } from './serve-http.js';
export { serveHttp } from './serve-http.js';
export type { TlsCredentials, TlsFiles } from './tls-credentials.js';
export { readTlsCredentials, TlsCredentialsError } from './tls-credentials.js';
export { validate } from './validate.js';
