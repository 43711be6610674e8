import { createHash } from 'node:crypto';
import { canonicalRequestJson, type ExecutionProposal } from '../../domain/execution';

/**
 * The idempotency fingerprint of a submission: sha256 (hex) of the canonical JSON of what was asked,
 * including the user it is for. The same key with another fingerprint is IDEMPOTENCY_KEY_REUSED.
 */
export function requestHashOf(proposal: ExecutionProposal): string {
  const asked = {
    clientOrderId: proposal.clientOrderId,
    userId: proposal.userId,
    market: proposal.market,
    side: proposal.side,
    orderType: proposal.orderType,
    amount: proposal.amount,
    amountQuote: proposal.amountQuote,
    price: proposal.price,
    expiresAt: proposal.expiresAt,
  };
  return createHash('sha256').update(canonicalRequestJson(asked), 'utf8').digest('hex');
}
