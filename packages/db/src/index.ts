/**
 * @portcullis/db — the only package that talks to PostgreSQL through Prisma.
 *
 * @example
 * const prisma = createPrismaClient({ databaseUrl: config.databaseUrl });
 * const candidate = await findLoginCandidate(prisma, 'alice');
 */
export { applyMigrations } from './migrations/apply-migrations.js';
export type { ArtifactPayload, ClientMetadataLoader, OidcAdapter } from './oidc-artifact-adapter.js';
export { createOidcAdapterClass, deleteExpiredArtifacts } from './oidc-artifact-adapter.js';
export type { PingDatabaseOptions } from './ping-database.js';
export { pingDatabase } from './ping-database.js';
export type { PrismaClient, PrismaClientOptions } from './prisma-client.js';
export { createPrismaClient, limitPrismaWasmTiering } from './prisma-client.js';
export type {
  AccountTokenClaim,
  AccountTokenClient,
  AccountTokenPurpose,
  NewAccountToken,
} from './repositories/account-tokens.js';
export {
  deleteExpiredAccountTokens,
  deleteUnspentAccountTokens,
  findLiveAccountToken,
  insertAccountToken,
  spendAccountToken,
} from './repositories/account-tokens.js';
export type {
  AdminClient,
  ClientAuthMethod,
  ClientChanges,
  ClientDeletion,
  ClientListQuery,
  ClientPage,
  ClientUpdate,
  NewClient,
} from './repositories/admin-clients.js';
export {
  createClient,
  deleteClient,
  getClient,
  listClients,
  replaceClientSecretHash,
  updateClient,
} from './repositories/admin-clients.js';
export { AdminConflictError, AdminNotFoundError } from './repositories/admin-errors.js';
export type {
  AdminClientAuthorizations,
  AdminPermission,
  AdminRole,
  AdminRoleChanges,
  NewAdminPermission,
  NewAdminRole,
} from './repositories/admin-roles.js';
export {
  assignClientRoles,
  createPermission,
  createRole,
  deletePermission,
  deleteRole,
  getRole,
  grantClientPermissions,
  listPermissions,
  listRoles,
  revokeClientPermission,
  unassignClientRole,
  updateRole,
} from './repositories/admin-roles.js';
export type {
  AdminChange,
  AdminUser,
  AdminUserChanges,
  AdminUserListQuery,
  AdminUserPage,
  NewAdminUser,
} from './repositories/admin-users.js';
export {
  assignUserRoles,
  createUser,
  deleteUser,
  getUser,
  grantUserPermissions,
  listUsers,
  revokeUserPermission,
  setUserPasswordHash,
  unassignUserRole,
  updateUser,
} from './repositories/admin-users.js';
export type {
  ApiKeyListQuery,
  ApiKeyOwner,
  ApiKeyOwnerRef,
  ApiKeyPage,
  ApiKeyRotation,
  ApiKeyStatus,
  ApiKeyView,
  NewApiKey,
  OwnerRole,
  PublishableApiKey,
} from './repositories/api-keys.js';
export {
  ApiKeyIdTakenError,
  apiKeyStatus,
  createApiKey,
  getApiKey,
  listApiKeys,
  listPublishableApiKeys,
  revokeApiKey,
  revokeOwnerApiKeys,
  rotateApiKey,
} from './repositories/api-keys.js';
export type { AuditEventInput } from './repositories/audit-events.js';
export { recordAuditEvent, recordAuditEvents } from './repositories/audit-events.js';
export type { AuditEventPage, AuditEventQuery, AuditEventRecord } from './repositories/audit-queries.js';
export { queryAuditEvents } from './repositories/audit-queries.js';
export type { SubjectAuthorizations } from './repositories/authorizations.js';
export { getClientAuthorizations, getUserAuthorizations } from './repositories/authorizations.js';
export type { ClientRecord } from './repositories/clients.js';
export { findEnabledClient } from './repositories/clients.js';
export type { NewOutboxEmail, OutboxEmail } from './repositories/email-outbox.js';
export {
  deleteOutboxEmailsBefore,
  insertOutboxEmail,
  listOutboxEmails,
} from './repositories/email-outbox.js';
export type {
  ItemChanges,
  ItemListQuery,
  ItemOwnership,
  ItemPage,
  ItemRecord,
  ItemStatistics,
  NewItem,
} from './repositories/items.js';
export {
  createItem,
  deleteItem,
  findItem,
  InvalidCursorError,
  itemStatistics,
  listItems,
  updateItem,
} from './repositories/items.js';
export type {
  LoginAttemptReservation,
  LoginLockoutPolicy,
  LoginThrottleId,
} from './repositories/login-throttles.js';
export {
  clearLoginThrottle,
  deleteStaleLoginThrottles,
  loginThrottleId,
  releaseLoginAttempt,
  reserveLoginAttempt,
} from './repositories/login-throttles.js';
export type { ClientSpec, RoleSpec, UserSpec } from './repositories/provisioning.js';
export { upsertClient, upsertRole, upsertUser } from './repositories/provisioning.js';
export type {
  ArtifactScope,
  RevocableToken,
  RevocationInput,
  RevocationKind,
  RevocationListQuery,
  RevocationPage,
  RevocationRecord,
  RevocationWrite,
} from './repositories/revocations.js';
export {
  findRefreshTokenGrantId,
  findRevocation,
  grantHasArtifacts,
  isTokenRevoked,
  listActiveRevocations,
  listRevocations,
  recordRevocation,
} from './repositories/revocations.js';
export type {
  NewSelfServiceUser,
  PasswordResetCompletion,
  RegistrationOutcome,
  SelfServiceAccount,
} from './repositories/self-service-users.js';
export {
  findAccountByEmail,
  findAccountById,
  listUserGrantIds,
  registerSelfServiceUser,
  replaceOwnPasswordHash,
  resetPasswordWithToken,
  verifyEmailWithToken,
} from './repositories/self-service-users.js';
export type { NewSigningKey, SigningKeyRecord, SigningKeyTransition } from './repositories/signing-keys.js';
export {
  applySigningKeyTransitions,
  findSigningKey,
  insertSigningKey,
  listPublishedSigningKeys,
  retireSigningKey,
} from './repositories/signing-keys.js';
export type { LoginCandidate } from './repositories/users.js';
export {
  findActiveUser,
  findLoginCandidate,
  isUuid,
  normalizeUsername,
  replacePasswordHash,
} from './repositories/users.js';
