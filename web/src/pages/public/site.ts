/** GET /site (public): the plans as people are told them, and the Telegram setup bot's link. */
export interface SitePlan {
  name: string;
  /** As people are told it ("19 EUR a month"); null: not configured, the checkout shows it. */
  price: string | null;
  monthlyTokens: number;
  requestsPerSecond: number;
  models: string[];
  thinkingLevels?: string[];
}

export interface Site {
  plans: SitePlan[];
  /** https://t.me/<setup bot>, or null when the setup bot is not configured. */
  setupBotUrl: string | null;
}

/** "starter" → "Starter". */
export function planTitle(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
