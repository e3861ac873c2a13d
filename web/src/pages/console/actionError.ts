import { ApiError } from "../../lib/api";

const CONFLICTS: Record<string, string> = {
  box_destroyed: "The box is destroyed: nothing more can be done with it.",
  not_managed_bot:
    "This bot was not made through the setup bot, so its token cannot be rotated here. The owner can revoke it in BotFather and send the new token.",
};

/** An action's failure in words: the api's message, with what a state conflict (409) means. */
export function actionError(error: unknown): string {
  if (!(error instanceof ApiError)) return "Not done: something went wrong.";
  const message = error.message.replace(/\.$/, "");
  if (error.status === 409) return CONFLICTS[error.code] ?? `Not done: ${message}.`;
  if (error.status === 404) return "Not done: it no longer exists.";
  if (error.status === 401) return "Not done: your session has ended. Sign in again.";
  if (error.status === 429 && error.retryAfter) return `Not done: too many requests. Try again in ${error.retryAfter} s.`;
  if (error.status === 0) return error.message;
  return `Not done: ${message}.`;
}
