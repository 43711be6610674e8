export { apiKeyId, bearerToken, generateApiKey, hashApiKey, isWellFormedApiKey } from './apiKeys';
export {
  ApiKeyAlreadyRevoked,
  ApiKeyNotFound,
  ApiKeyStore,
  InvalidApiKeyRequest,
  type ApiKeyInfo,
  type CreateApiKey,
  type CreatedApiKey,
} from './apiKeyStore';
export { API_KEY_REVOCATION_CHANNEL } from './apiKeyRevocationListener';
export { assertMayActForUser, principalOf, registerAuthentication, requireRole } from './authenticate';
export { actorOf, mayActForUser, ROLES, type Principal, type Role } from './principal';
