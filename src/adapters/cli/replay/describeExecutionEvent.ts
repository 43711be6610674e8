import type { ExecutionEvent } from '../../../domain/execution';

export type KeyFields = Readonly<Record<string, string | number | boolean | null>>;

/** The fields an operator reads first in a timeline, per event type (the JSON rows keep the whole event). */
export function keyFieldsOf(event: ExecutionEvent): KeyFields {
  switch (event.type) {
    case 'ExecutionSubmitting': {
      const data = event.data;
      return {
        user: data.userId,
        market: data.market,
        side: data.side,
        type: data.orderType,
        amount: data.amount,
        amountQuote: data.amountQuote,
        price: data.price,
        level: data.gateEvidence.confidenceLevel,
        limitEur: data.gateEvidence.limitEur,
        notionalEur: data.gateEvidence.notionalEur,
      };
    }
    case 'ExecutionRejected': {
      const data = event.data;
      return {
        user: data.userId,
        market: data.market,
        side: data.side,
        code: data.rejectCode,
        reason: data.reason,
      };
    }
    case 'Submitted':
      return {
        orderId: event.data.exchangeOrderId,
        exchangeStatus: event.data.exchangeStatus,
        via: event.data.via,
      };
    case 'SubmissionFailed':
      return { http: event.data.httpStatus, errorCode: event.data.errorCode, message: event.data.message };
    case 'SubmissionOutcomeUnknown':
      return {
        class: event.data.errorClass,
        http: event.data.httpStatus,
        errorCode: event.data.errorCode,
        message: event.data.message,
        sentAt: event.data.sentAt,
      };
    case 'ReconcileAttempted':
      return {
        attempt: event.data.attempt,
        method: event.data.method,
        result: event.data.result,
        orderId: event.data.exchangeOrderId,
        http: event.data.httpStatus,
        errorCode: event.data.errorCode,
        windowElapsed: event.data.windowElapsed,
        // A lookup error's cause, or the ALERT of a double placement (runbooks 1 and 7).
        message: event.data.message,
      };
    case 'SubmissionRetried':
      return { attempt: event.data.attempt, evidence: event.data.evidence, sentAt: event.data.sentAt };
    case 'FillRecorded':
      return {
        fillId: event.data.fillId,
        amount: event.data.amount,
        price: event.data.price,
        fee: `${event.data.fee} ${event.data.feeCurrency}`,
      };
    case 'Filled':
      return {
        filled: event.data.filledAmount,
        filledQuote: event.data.filledAmountQuote,
        fee: event.data.feePaid,
      };
    case 'Cancelled':
    case 'Expired':
      return {
        filled: event.data.filledAmount,
        filledQuote: event.data.filledAmountQuote,
        fee: event.data.feePaid,
        reason: event.data.reason,
      };
    case 'ExecutionAbandoned':
      return { reason: event.data.reason, note: event.data.note, by: event.data.operatorId };
  }
}

/** `key=value` pairs, nulls left out; long free text is shortened so that a line stays a line. */
export function formatKeyFields(fields: KeyFields, maxValueLength = 80): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === null) continue;
    let text = String(value).replace(/\s+/g, ' ');
    if (text.length > maxValueLength) text = `${text.slice(0, maxValueLength - 1)}…`;
    parts.push(/\s/.test(text) ? `${key}="${text}"` : `${key}=${text}`);
  }
  return parts.join(' ');
}
