import { useCallback, useEffect, useRef, useState } from "react";
import { api, ApiError } from "../../lib/api";
import {
  backoff,
  closeInWords,
  compareIds,
  EMPTY_VIEW,
  fold,
  isEventId,
  said,
  type ChatView,
  type ClientFrame,
  type ServerFrame,
} from "./chatProtocol";

/** Where the chat's connection is, as the page tells the person. */
export type ChatStatus =
  | { kind: "session" }
  | { kind: "no-session"; error: ApiError }
  | { kind: "connecting" }
  | { kind: "open" }
  | { kind: "reconnecting"; why: string; at: number }
  | { kind: "refused"; why: string };

/** What the person sends, and how the log shows it (a token never shows). */
export type Shown = { kind: "me" | "note"; text: string };

export type SendResult = "sent" | "offline" | "too-long";

/** A frame is at most 8 KiB on the wire (ChatSocket.MAX_FRAME_BYTES). */
const MAX_FRAME_BYTES = 8 * 1024;
/** A socket open this long has proved itself: the next drop waits 1 s again. */
const HEALTHY_MS = 10_000;
/** A reply that never comes (a lost input) stops showing "typing" after this. */
const WAITING_MS = 60_000;

const storageKey = (sessionId: string) => `openclaw.chat.${sessionId}`;

function load(sessionId: string): ChatView | null {
  try {
    const text = sessionStorage.getItem(storageKey(sessionId));
    if (!text) return null;
    const view = JSON.parse(text) as ChatView;
    return Array.isArray(view.items) && (view.after === null || isEventId(view.after)) ? { ...EMPTY_VIEW, ...view } : null;
  } catch {
    return null;
  }
}

function save(sessionId: string, view: ChatView) {
  try {
    sessionStorage.setItem(storageKey(sessionId), JSON.stringify(view));
  } catch {
    // Storage full or off: a reload then replays the whole conversation instead.
  }
}

let opening: Promise<{ sessionId: string; resumed: boolean }> | null = null;

/**
 * POST /onboarding/sessions, one request at a time: two at once (a double mount) would each set
 * the cookie, and the socket of the one whose cookie lost would be refused.
 */
function openSession() {
  opening ??= api<{ sessionId: string; resumed: boolean }>("POST", "/onboarding/sessions").finally(() => {
    opening = null;
  });
  return opening;
}

function socketUrl(sessionId: string, after: string | null): string {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = after ? `?after=${encodeURIComponent(after)}` : "";
  return `${scheme}://${location.host}/onboarding/chat/${encodeURIComponent(sessionId)}${query}`;
}

/**
 * The web chat (docs/api.md "The web chat"): a session from POST /onboarding/sessions (its cookie),
 * then the WebSocket from the last event id this tab has seen, {"type":"start"} once per page, and a
 * reconnect with backoff (1 s, 2 s, 4 s … 15 s) whenever the socket drops. The view is kept in
 * sessionStorage per session, so a reload shows the same log and resumes exactly where it was.
 */
export function useOnboardingChat() {
  const [status, setStatus] = useState<ChatStatus>({ kind: "session" });
  const [view, setView] = useState<ChatView>(EMPTY_VIEW);
  const [waiting, setWaiting] = useState(false);
  const [round, setRound] = useState(0);
  const viewRef = useRef<ChatView>(EMPTY_VIEW);
  const sessionRef = useRef<string | null>(null);
  const socketRef = useRef<WebSocket | null>(null);
  const startedRef = useRef(false);
  const reconnectNowRef = useRef<() => void>(() => {});
  const waitingTimer = useRef<number | undefined>(undefined);
  const saveTimer = useRef<number | undefined>(undefined);

  const update = useCallback((change: (view: ChatView) => ChatView) => {
    viewRef.current = change(viewRef.current);
    setView(viewRef.current);
    const sessionId = sessionRef.current;
    if (sessionId && saveTimer.current === undefined) {
      // Deltas stream fast: one write per 200 ms is plenty (the stored view carries its own cursor).
      saveTimer.current = window.setTimeout(() => {
        saveTimer.current = undefined;
        save(sessionId, viewRef.current);
      }, 200);
    }
  }, []);

  const expectReply = useCallback((expect: boolean) => {
    window.clearTimeout(waitingTimer.current);
    setWaiting(expect);
    if (expect) waitingTimer.current = window.setTimeout(() => setWaiting(false), WAITING_MS);
  }, []);

  useEffect(() => {
    let disposed = false;
    let socket: WebSocket | null = null;
    let retryTimer: number | undefined;
    let healthyTimer: number | undefined;
    let attempt = 0;

    const take = (frame: ServerFrame) => {
      if (!frame || typeof frame !== "object" || typeof frame.type !== "string") return;
      if (frame.id !== undefined) {
        if (!isEventId(frame.id)) return;
        const after = viewRef.current.after;
        if (after && compareIds(frame.id, after) <= 0) return; // replayed: this tab has it already
      }
      if (frame.type === "delta" || frame.type === "message" || frame.type === "error") expectReply(false);
      update((current) => fold(current, frame));
    };

    const connect = (sessionId: string) => {
      if (disposed) return;
      window.clearTimeout(retryTimer);
      setStatus((current) => (current.kind === "reconnecting" ? current : { kind: "connecting" }));
      const ws = new WebSocket(socketUrl(sessionId, viewRef.current.after));
      socket = ws;
      ws.onopen = () => {
        if (disposed || socket !== ws) return;
        socketRef.current = ws;
        setStatus({ kind: "open" });
        healthyTimer = window.setTimeout(() => (attempt = 0), HEALTHY_MS);
        if (!startedRef.current) {
          // Once per page: the agent greets a new conversation or repeats its open question.
          startedRef.current = true;
          ws.send(JSON.stringify({ type: "start" } satisfies ClientFrame));
          expectReply(true);
        }
      };
      ws.onmessage = (event) => {
        if (disposed || socket !== ws || typeof event.data !== "string") return;
        attempt = 0;
        try {
          take(JSON.parse(event.data) as ServerFrame);
        } catch {
          // Not JSON: nothing the protocol sends; ignored.
        }
      };
      ws.onclose = (event) => {
        window.clearTimeout(healthyTimer);
        if (disposed || socket !== ws) return;
        socket = null;
        socketRef.current = null;
        const why = closeInWords(event.code, event.reason);
        if (event.code === 1008) {
          // Refused by policy (this browser no longer proves the session, or a frame broke the
          // protocol): trying the same again would be refused again. The person chooses.
          startedRef.current = false; // the start may not have been taken: send it again next time
          expectReply(false);
          setStatus({ kind: "refused", why });
          return;
        }
        const wait = backoff(attempt);
        attempt += 1;
        setStatus({ kind: "reconnecting", why, at: Date.now() + wait });
        retryTimer = window.setTimeout(() => connect(sessionId), wait);
      };
    };

    reconnectNowRef.current = () => {
      const sessionId = sessionRef.current;
      if (sessionId && !socket) connect(sessionId);
    };
    const online = () => reconnectNowRef.current();
    window.addEventListener("online", online);

    setStatus({ kind: "session" });
    openSession()
      .then(({ sessionId }) => {
        if (disposed) return;
        if (sessionRef.current !== sessionId) {
          sessionRef.current = sessionId;
          startedRef.current = false;
          viewRef.current = load(sessionId) ?? EMPTY_VIEW;
          setView(viewRef.current);
        }
        connect(sessionId);
      })
      .catch((e: unknown) => {
        if (!disposed) setStatus({ kind: "no-session", error: e instanceof ApiError ? e : new ApiError(0, "error", String(e)) });
      });

    return () => {
      disposed = true;
      window.removeEventListener("online", online);
      window.clearTimeout(retryTimer);
      window.clearTimeout(healthyTimer);
      reconnectNowRef.current = () => {};
      socketRef.current = null;
      if (socket) {
        socket.onclose = null;
        socket.close(1000, "page closed");
      }
      if (sessionRef.current) save(sessionRef.current, viewRef.current);
    };
  }, [round, update, expectReply]);

  useEffect(
    () => () => {
      window.clearTimeout(waitingTimer.current);
      window.clearTimeout(saveTimer.current);
    },
    [],
  );

  /** Sends a frame and adds to the log what the person should see of it. */
  const send = useCallback(
    (frame: ClientFrame, shown: Shown): SendResult => {
      const ws = socketRef.current;
      if (!ws || ws.readyState !== WebSocket.OPEN) return "offline";
      const json = JSON.stringify(frame);
      if (new TextEncoder().encode(json).length > MAX_FRAME_BYTES) return "too-long";
      ws.send(json);
      update((current) => said(current, shown.kind, shown.text));
      expectReply(true);
      return "sent";
    },
    [update, expectReply],
  );

  /** Tries again at once: a new session request and socket after a refusal, else the waiting reconnect. */
  const retry = useCallback(() => {
    if (status.kind === "reconnecting") reconnectNowRef.current();
    else setRound((n) => n + 1);
  }, [status.kind]);

  return { status, view, waiting, connected: status.kind === "open", send, retry };
}
