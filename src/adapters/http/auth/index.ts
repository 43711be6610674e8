export { apiKeyId, bearerToken, generateApiKey, hashApiKey, isWellFormedApiKey } from './apiKeys';
export { ApiKeyStore, InvalidApiKeyRequest, type CreateApiKey, type CreatedApiKey } from './apiKeyStore';
export { assertMayActForUser, principalOf, registerAuthentication, requireRole } from './authenticate';
export { actorOf, mayActForUser, ROLES, type Principal, type Role } from './principal';
