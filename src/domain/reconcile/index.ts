export * from './decideReconcile';
export * from './lookupOutcome';
export * from './notPlacedEvidence';
export * from './planReconcile';
export * from './reconcileSettings';
export * from './sendWindow';
export * from './softRetryDelay';
