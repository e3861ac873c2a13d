/** The admin api's JSON shapes (docs/api.md "The admin's endpoints", openapi.json, AdminService). */

/** Every /admin list: one page, `next` passed back as `cursor` for the page after (null: the last). */
export interface Paged<T> {
  items: T[];
  next: string | null;
}

export interface Customer {
  id: string;
  email: string;
  displayName: string | null;
  status: string;
  plan: string | null;
  telegramUserId: number | null;
  createdAt: string;
}

export interface BoxSettings {
  allowedTelegramUserIds: number[];
  model: string;
  thinkingLevel: string;
}

export interface Box {
  id: string;
  status: string;
  desiredState: string;
  botUsername: string;
  telegramLink: string;
  liveSince: string | null;
  lastError: string | null;
  settings: BoxSettings;
  customerId: string;
  runtime: string;
  namespace: string | null;
  createdAt: string;
  destroyedAt: string | null;
}

export interface Job {
  id: string;
  type: string;
  boxId: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** GET /admin/boxes/{id}: the box and its latest jobs (newest first). */
export interface BoxDetail extends Box {
  jobs: Job[];
}

/** Stripe's subscription as the platform keeps it (the record, as Jackson writes it). */
export interface Subscription {
  id: string;
  stripeSubscriptionId: string;
  plan: string;
  status: string;
  currentPeriodStart: string | null;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  createdAt: string;
  updatedAt: string;
}

/** One billing period's usage (UsageMonthly): used tokens are prompt + completion. */
export interface UsagePeriod {
  periodStart: string;
  periodEnd: string;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  requests: number;
  rejectedRequests: number;
  tokenAllowance: number;
  updatedAt: string;
}

/** GET /admin/customers/{id}. */
export interface CustomerDetail extends Customer {
  stripeCustomerId: string | null;
  boxes: Box[];
  subscription: Subscription | null;
  usage: UsagePeriod | null;
}

/** One proxied request (UsageEvent). */
export interface UsageEvent {
  requestId: string;
  boxId: string | null;
  model: string;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  outcome: string;
  estimated: boolean;
  upstreamLatencyMs: number | null;
  proxyOverheadUs: number | null;
  occurredAt: string;
}

/** GET /admin/customers/{id}/usage: periods newest first, the latest requests first. */
export interface CustomerUsage {
  periods: UsagePeriod[];
  recentEvents: UsageEvent[];
}

export interface AuditEntry {
  id: number;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  details: Record<string, unknown>;
  at: string;
}

/** POST /admin/boxes/{id}/suspend|reactivate|destroy (202). */
export interface BoxActionResult {
  box: Box;
  job: Job;
}

export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "dead", "superseded"] as const;
export const JOB_TYPES = ["provision", "update", "suspend", "reactivate", "destroy"] as const;
