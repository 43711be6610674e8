export * from './executionInvariants';
export * from './invariantViolation';
export * from './runExecutionInvariants';
export * from './walkExecutionHistory';
