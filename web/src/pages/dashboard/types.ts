/** The /me JSON the dashboard reads (docs/api.md "The customer's endpoints", openapi.json). */

export type BoxStatus =
  | "pending"
  | "provisioning"
  | "running"
  | "bot_refused"
  | "suspended"
  | "destroying"
  | "destroyed"
  | "failed";

export interface BoxSettings {
  allowedTelegramUserIds: number[];
  model: string;
  thinkingLevel: string;
}

export interface Box {
  id: string;
  status: BoxStatus;
  desiredState: "running" | "suspended" | "destroyed";
  botUsername: string;
  telegramLink: string;
  liveSince: string | null;
  lastError: string | null;
  settings: BoxSettings;
  allowed?: { models: string[]; thinkingLevels: string[] };
}

export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "dead" | "superseded";

export interface Job {
  id: string;
  type: string;
  boxId: string;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** `event: progress` on GET /me/box/events: `job` is the job's type (e.g. "update"), not its id. */
export interface Progress {
  boxId: string;
  job: string;
  step: string;
  message: string;
  at: string;
}

export interface UsageDay {
  day: string;
  tokens: number;
  requests: number;
  /** Tokens per model that day (newer api; absent from older answers). */
  byModel?: Record<string, number>;
}

export interface Usage {
  period: { start: string; end: string } | null;
  used: number;
  allowance: number;
  percent: number;
  daily: UsageDay[];
  byModel: { model: string; tokens: number; requests: number }[];
}

export interface UsageHistory {
  models: string[];
  months: { month: string; tokens: number; byModel: Record<string, number> }[];
}

export interface Billing {
  plan: string | null;
  price: string | null;
  status: string | null;
  currentPeriodStart: string | null;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
}
