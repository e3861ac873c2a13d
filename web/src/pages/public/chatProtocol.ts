/**
 * The web chat's protocol (docs/api.md "The web chat", docs/onboarding.md "Events") and what the page
 * shows of it: every frame the server sends is folded into one ChatView by {@link fold}, a pure
 * function, so the view can be kept in sessionStorage and a reload resumes from the last event id.
 */
import { durationInWords } from "./words";

export interface Option {
  value: string;
  label: string;
}

/** A frame from the server: an event of the conversation's log (with its id) or the relay's own error (no id). */
export type ServerFrame = { id?: string } & (
  | { type: "delta"; messageId: string; text: string }
  | { type: "message"; messageId: string; text: string }
  | { type: "choices"; slot: string; options: Option[] }
  | { type: "owner_link"; url: string }
  | { type: "check_email"; email: string }
  | { type: "progress"; stage: string; text: string }
  | { type: "live"; botUsername: string; url: string }
  | { type: "error"; code: string; message: string; retryAfter?: number }
  | { type: "managed_bot" }
);

/** A frame to the server (ChatFrame.java): exactly these fields. */
export type ClientFrame =
  | { type: "start" }
  | { type: "text"; text: string }
  | { type: "choice"; slot: string; value: string }
  | { type: "bot_token"; token: string };

export type LogItem =
  | { kind: "assistant"; key: string; text: string; streaming: boolean }
  | { kind: "me"; key: string; text: string }
  | { kind: "note"; key: string; text: string }
  | { kind: "error"; key: string; text: string };

export interface ChatView {
  /** The id of the last event taken ("<millis>-<seq>"), null before the first. */
  after: string | null;
  items: LogItem[];
  /** The buttons of the question asked now. */
  choices: { slot: string; options: Option[] } | null;
  /** The deep link that proves who owns the bot (web only). */
  ownerLink: string | null;
  /** Where the link to pay was mailed, until the person goes on (a new reply) or payment starts the set-up. */
  mailed: string | null;
  progress: { stage: string; text: string } | null;
  live: { botUsername: string; url: string } | null;
  /** The assistant's open question is the bot token (no explicit marker on the web: its wording). */
  askingToken: boolean;
}

export const EMPTY_VIEW: ChatView = {
  after: null,
  items: [],
  choices: null,
  ownerLink: null,
  mailed: null,
  progress: null,
  live: null,
  askingToken: false,
};

/** A BotFather token as the agent's extraction finds one (docs/onboarding.md). */
export const TOKEN_PATTERN = /\d+:[A-Za-z0-9_-]{30,}/;
export const WHOLE_TOKEN = /^\d+:[A-Za-z0-9_-]{30,}$/;

/** The stages of the set-up after payment, in order (ProgressStages.ORDER). */
export const STAGES = [
  { stage: "paid", label: "Payment received" },
  { stage: "provisioning", label: "Preparing its private space" },
  { stage: "starting", label: "Starting your agent" },
  { stage: "live", label: "Live" },
];

export function stagePercent(stage: string): number {
  const i = STAGES.findIndex((s) => s.stage === stage);
  return i < 0 ? 0 : Math.round(((i + 1) / STAGES.length) * 100);
}

/** Event ids are Redis stream ids: "<millis>-<seq>", compared as two numbers. */
export function compareIds(a: string, b: string): number {
  const [am, as = "0"] = a.split("-");
  const [bm, bs = "0"] = b.split("-");
  const byMillis = BigInt(am) - BigInt(bm);
  if (byMillis !== 0n) return byMillis < 0n ? -1 : 1;
  const bySeq = BigInt(as) - BigInt(bs);
  return bySeq === 0n ? 0 : bySeq < 0n ? -1 : 1;
}

export function isEventId(id: unknown): id is string {
  return typeof id === "string" && /^\d{1,20}-\d{1,20}$/.test(id);
}

/** Whether a message asks for the bot token: the scripted BOT question names @BotFather. */
function asksForToken(text: string): boolean {
  return /botfather/i.test(text) && /token/i.test(text);
}

let localKeys = 0;
/** A key for an item the page adds itself (unique within this page's life and its stored view). */
export function localKey(prefix: string): string {
  localKeys += 1;
  return `${prefix}-${Date.now().toString(36)}-${localKeys}`;
}

/** Keeps the stored view small: the oldest items go first. */
const MAX_ITEMS = 300;

function push(view: ChatView, item: LogItem): LogItem[] {
  const items = [...view.items, item];
  return items.length > MAX_ITEMS ? items.slice(items.length - MAX_ITEMS) : items;
}

/** A new reply from the assistant: the previous question's buttons and links go with it. */
function newTurn(view: ChatView): ChatView {
  return { ...view, choices: null, ownerLink: null, mailed: null, askingToken: false };
}

function errorText(frame: { code: string; message: string; retryAfter?: number }): string {
  if (frame.code === "rate_limited") {
    const wait = typeof frame.retryAfter === "number" ? ` Try again in ${durationInWords(frame.retryAfter)}.` : "";
    return `Too many messages: that one was not sent.${wait}`;
  }
  switch (frame.code) {
    case "unavailable":
      return `The setup assistant cannot be reached just now: that message was not sent. Please send it again in a moment.`;
    case "turn_failed":
      return frame.message || "Something went wrong on our side; please send that again.";
    case "signup_unavailable":
      return `The link to pay could not be sent just now. ${frame.message ?? ""}`.trim();
    case "provisioning_failed":
    case "provisioning_bot_refused":
      return frame.message || "Setting up your agent hit a problem; we're on it and will email you.";
    default:
      return frame.message || `Something went wrong (${frame.code}).`;
  }
}

/** The view after one frame from the server (already known to be new). */
export function fold(view: ChatView, frame: ServerFrame): ChatView {
  let next = view;
  switch (frame.type) {
    case "delta": {
      const at = view.items.findIndex((item) => item.kind === "assistant" && item.key === frame.messageId);
      if (at < 0) {
        next = newTurn(view);
        next = { ...next, items: push(next, { kind: "assistant", key: frame.messageId, text: frame.text, streaming: true }) };
      } else {
        const item = view.items[at] as Extract<LogItem, { kind: "assistant" }>;
        const items = view.items.slice();
        items[at] = { ...item, text: item.streaming ? item.text + frame.text : item.text };
        next = { ...view, items };
      }
      break;
    }
    case "message": {
      const at = view.items.findIndex((item) => item.kind === "assistant" && item.key === frame.messageId);
      const item: LogItem = { kind: "assistant", key: frame.messageId, text: frame.text, streaming: false };
      if (at < 0) {
        next = newTurn(view);
        next = { ...next, items: push(next, item) };
      } else {
        const items = view.items.slice();
        items[at] = item;
        next = { ...view, items };
      }
      next = { ...next, askingToken: asksForToken(frame.text) };
      break;
    }
    case "choices":
      next = { ...view, choices: { slot: frame.slot, options: frame.options ?? [] } };
      break;
    case "owner_link":
      next = { ...view, ownerLink: frame.url, askingToken: false };
      break;
    case "check_email":
      next = { ...view, mailed: frame.email, askingToken: false };
      break;
    case "progress":
      next = { ...view, progress: { stage: frame.stage, text: frame.text }, mailed: null, choices: null, ownerLink: null };
      break;
    case "live":
      next = { ...view, live: { botUsername: frame.botUsername, url: frame.url }, mailed: null, choices: null, ownerLink: null };
      break;
    case "error":
      next = { ...view, items: push(view, { kind: "error", key: frame.id ?? localKey("error"), text: errorText(frame) }) };
      break;
    default:
      // managed_bot is Telegram's; anything newer is ignored rather than shown half-understood.
      break;
  }
  return isEventId(frame.id) ? { ...next, after: frame.id } : next;
}

/** An item the person's own action adds to the log. */
export function said(view: ChatView, kind: "me" | "note", text: string): ChatView {
  return { ...view, items: push(view, { kind, key: localKey(kind), text }) };
}

/** A WebSocket close code and the server's reason, in words. */
export function closeInWords(code: number, reason: string): string {
  const why = reason ? ` (${reason})` : "";
  switch (code) {
    case 1000:
      return `The chat connection was closed${why}.`;
    case 1001:
      return `The server is restarting${why}.`;
    case 1003:
      return `The chat refused a message it cannot read${why}.`;
    case 1006:
      return "The connection to the chat dropped.";
    case 1007:
      return `The chat could not read a message${why}.`;
    case 1008:
      return /another browser/.test(reason)
        ? "This browser can no longer open this chat: its cookie expired or was cleared."
        : `The chat refused this connection${why}.`;
    case 1009:
      return `That message was too long for the chat${why}.`;
    case 1011:
      return `The chat hit a problem on our side${why}.`;
    case 1013:
      return `The chat is busy right now${why}.`;
    default:
      return `The chat connection closed (code ${code})${why}.`;
  }
}

/** The next wait before reconnecting: 1 s, 2 s, 4 s … at most 15 s. */
export function backoff(attempt: number): number {
  return Math.min(15_000, 1000 * 2 ** Math.max(0, attempt));
}
