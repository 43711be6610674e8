export interface EngageKillSwitch {
  readonly type: 'EngageKillSwitch';
  readonly actor: string;
  readonly reason: string;
}

export interface ReleaseKillSwitch {
  readonly type: 'ReleaseKillSwitch';
  readonly actor: string;
  readonly reason: string;
}

export interface ChangeMarketAllowlist {
  readonly type: 'ChangeMarketAllowlist';
  /** The complete new allowlist (EUR markets such as BTC-EUR); an empty list allows nothing. */
  readonly allowed: readonly string[];
  readonly actor: string;
  readonly reason: string;
}

export type TradingControlCommand = EngageKillSwitch | ReleaseKillSwitch | ChangeMarketAllowlist;
export type TradingControlCommandType = TradingControlCommand['type'];
