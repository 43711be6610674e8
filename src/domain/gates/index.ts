export * from './checkMarketRules';
export * from './evaluateGates';
export * from './gateResult';
export * from './orderNotional';
export * from './tradeProposal';
