export * from './decideTradingControl';
export * from './tradingControlCommands';
export * from './tradingControlErrors';
export * from './tradingControlEvents';
export * from './tradingControlState';
