import { useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from "react";
import { Link } from "wouter";
import type { ApiError } from "../lib/api";
import { useSession } from "../lib/session";
import { useTitle } from "../ui/States";
import { STAGES, stagePercent, TOKEN_PATTERN, WHOLE_TOKEN, type ChatView, type LogItem, type Option } from "./public/chatProtocol";
import { QrCode } from "./public/QrCode";
import { useOnboardingChat, type ChatStatus, type SendResult, type Shown } from "./public/useOnboardingChat";
import { durationInWords } from "./public/words";
import "./public/chat.css";

type Send = ReturnType<typeof useOnboardingChat>["send"];

/** /start: signing up by chat with the onboarding assistant (docs/onboarding.md). */
export default function Chat() {
  useTitle("Set up your agent");
  const chat = useOnboardingChat();
  const { view, status } = chat;

  return (
    <div className="chat-page">
      <h1>Set up your agent</h1>
      <p className="muted chat-intro">
        The setup assistant asks 5 to 7 questions, then you pay by card and your agent goes live on your own Telegram bot. Keep this page
        open until it says so; you can come back to it for 7 days in this browser.
      </p>

      {status.kind === "no-session" && view.items.length === 0 ? (
        <div className="state state-error" role="alert">
          <p>{sessionProblem(status.error)}</p>
          <button type="button" onClick={chat.retry}>
            Try again
          </button>
        </div>
      ) : (
        <ChatBody chat={chat} />
      )}
    </div>
  );
}

function sessionProblem(e: ApiError): string {
  if (e.status === 429) {
    return `Too many chats were started from this address.${e.retryAfter ? ` Try again in ${durationInWords(e.retryAfter)}.` : ""}`;
  }
  return `The chat could not be opened: ${e.message}`;
}

function ChatBody({ chat }: { chat: ReturnType<typeof useOnboardingChat> }) {
  const { view, status, waiting, connected, send } = chat;
  const [tokenOpen, setTokenOpen] = useState(false);
  const showToken = (view.askingToken || tokenOpen) && !view.live && !view.progress;
  return (
    <>
      <StatusLine status={status} retry={chat.retry} />

      <ChatLog items={view.items} waiting={waiting} status={status} />

      {view.choices && view.choices.options.length > 0 && (
        <Choices slot={view.choices.slot} options={view.choices.options} disabled={!connected || waiting} send={send} />
      )}
      {view.ownerLink && <OwnerLink url={view.ownerLink} />}
      {view.mailed && <MailSent email={view.mailed} />}
      {view.progress && !view.live && <Progress progress={view.progress} />}
      {view.live && <Live live={view.live} />}
      {showToken && (
        <TokenForm
          asked={view.askingToken}
          connected={connected}
          send={send}
          onSent={() => setTokenOpen(false)}
          onClose={tokenOpen && !view.askingToken ? () => setTokenOpen(false) : undefined}
        />
      )}

      <Composer
        connected={connected}
        send={send}
        tokenToggle={
          !showToken && !view.mailed && !view.progress && !view.live ? (
            <button type="button" className="secondary" aria-expanded="false" onClick={() => setTokenOpen(true)}>
              Paste a bot token
            </button>
          ) : null
        }
      />
    </>
  );
}

function StatusLine({ status, retry }: { status: ChatStatus; retry: () => void }) {
  const now = useNow(status.kind === "reconnecting");
  let text: string;
  let countdown: string | null = null;
  let tone = "";
  let action: ReactNode = null;
  switch (status.kind) {
    case "session":
      text = "Opening the chat…";
      break;
    case "connecting":
      text = "Connecting…";
      break;
    case "open":
      text = "Connected";
      tone = "ok";
      break;
    case "reconnecting": {
      const left = Math.ceil((status.at - now) / 1000);
      text = `${status.why} Reconnecting`;
      countdown = `${left > 0 ? ` in ${durationInWords(left)}` : ""}…`;
      tone = "warn";
      action = (
        <button type="button" className="link-button" onClick={retry}>
          Reconnect now
        </button>
      );
      break;
    }
    case "refused":
      text = `${status.why} Start the chat again to carry on.`;
      tone = "danger";
      action = (
        <button type="button" className="secondary" onClick={retry}>
          Start the chat again
        </button>
      );
      break;
    case "no-session": {
      text = sessionProblem(status.error);
      tone = "danger";
      action = (
        <button type="button" className="secondary" onClick={retry}>
          Try again
        </button>
      );
      break;
    }
  }
  return (
    <div className={`chat-status ${tone}`} data-testid="chat-status">
      <span className="chat-status-text">
        <span className="chat-status-dot" aria-hidden="true" />
        <span>
          {/* The countdown is left out of the live region: it would be read out every second. */}
          <span role="status">{text}</span>
          {countdown && <span aria-hidden="true">{countdown}</span>}
        </span>
      </span>
      {action}
    </div>
  );
}

/** The current time, ticking every second while `ticking`. */
function useNow(ticking: boolean) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [ticking]);
  return now;
}

function ChatLog({ items, waiting, status }: { items: LogItem[]; waiting: boolean; status: ChatStatus }) {
  const log = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const streaming = items.some((item) => item.kind === "assistant" && item.streaming);
  const last = items[items.length - 1];

  // The newest message in view as it arrives and as it streams in: always after the person's own,
  // else unless they scrolled up to read back. By its key, not the count: the log keeps only the
  // last items, so once full a new one leaves the count as it was.
  useLayoutEffect(() => {
    const element = log.current;
    if (!element) return;
    if (last?.kind === "me" || last?.kind === "note") stick.current = true;
    if (stick.current) element.scrollTop = element.scrollHeight;
  }, [last?.key, last?.kind === "assistant" ? last.text : null, waiting]);

  return (
    <div
      ref={log}
      className="chat-log"
      role="log"
      aria-live="polite"
      aria-label="Conversation with the setup assistant"
      aria-busy={streaming}
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
      }}
    >
      {items.length === 0 && (
        <p className="chat-empty">{status.kind === "open" ? "The setup assistant is on its way…" : "The conversation appears here."}</p>
      )}
      {items.map((item) => (
        <Bubble key={item.key} item={item} />
      ))}
      {waiting && !streaming && (
        <p className="chat-typing" aria-hidden="true">
          <span className="chat-dots">
            <span />
            <span />
            <span />
          </span>
          The assistant is writing
        </p>
      )}
    </div>
  );
}

function Bubble({ item }: { item: LogItem }) {
  switch (item.kind) {
    case "assistant":
      return (
        <div className="chat-bubble chat-agent" data-streaming={item.streaming || undefined}>
          <span className="sr-only">Assistant: </span>
          <Linked text={item.text} />
        </div>
      );
    case "me":
      return (
        <div className="chat-bubble chat-me">
          <span className="sr-only">You: </span>
          {item.text}
        </div>
      );
    case "note":
      return <p className="chat-note">{item.text}</p>;
    case "error":
      return (
        <p className="chat-error">
          <span className="sr-only">Problem: </span>
          {item.text}
        </p>
      );
  }
}

/** Text with its http(s) links made links (opening in a new tab, so the chat stays here). */
function Linked({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"]+)/g);
  return (
    <>
      {parts.map((part, i) => {
        if (i % 2 === 0) return part;
        const trail = /[).,;:!?]+$/.exec(part)?.[0] ?? "";
        const url = trail ? part.slice(0, -trail.length) : part;
        return (
          <span key={i}>
            <a href={url} target="_blank" rel="noopener noreferrer">
              {url}
            </a>
            {trail}
          </span>
        );
      })}
    </>
  );
}

function Choices({ slot, options, disabled, send }: { slot: string; options: Option[]; disabled: boolean; send: Send }) {
  const label = useId();
  return (
    <div className="chat-choices" role="group" aria-labelledby={label}>
      <span id={label} className="sr-only">
        Answers to choose from
      </span>
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          className="secondary"
          disabled={disabled}
          onClick={() => send({ type: "choice", slot, value: option.value }, { kind: "me", text: option.label })}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}

function OwnerLink({ url }: { url: string }) {
  return (
    <section className="card chat-panel" aria-labelledby="chat-owner-title">
      <h2 id="chat-owner-title">Prove the bot is yours</h2>
      <p>
        Open your bot in Telegram and press <strong>Start</strong>. This link works only for this setup, so whoever presses Start with it is
        the bot's owner: your agent then knows who you are on Telegram and answers you. No need to look up your Telegram user id.
      </p>
      <a className="button" href={url} target="_blank" rel="noopener noreferrer">
        Open your bot in Telegram
      </a>
      <p className="muted chat-panel-note">This page notices on its own once you have pressed Start; then come back here.</p>
    </section>
  );
}

function MailSent({ email }: { email: string }) {
  return (
    <section className="card chat-panel" aria-labelledby="chat-mail-title">
      <h2 id="chat-mail-title">Check your email</h2>
      <p>
        The link to pay is on its way to <strong>{email}</strong>. Open it, in this browser or another, and pay by card at
        Stripe's checkout. Keep this page open: it follows the setup and shows when your agent is live.
      </p>
      <p className="muted chat-panel-note">
        Nothing is charged before you pay. No mail after a few minutes? Look in the spam folder, or tell the assistant
        “new link”; you can still change an answer too.
      </p>
    </section>
  );
}

function Progress({ progress }: { progress: NonNullable<ChatView["progress"]> }) {
  const percent = stagePercent(progress.stage);
  const at = STAGES.findIndex((s) => s.stage === progress.stage);
  return (
    <section className="card chat-panel" aria-labelledby="chat-progress-title">
      <h2 id="chat-progress-title">Setting up your agent</h2>
      <div
        className="chat-progress"
        role="progressbar"
        aria-labelledby="chat-progress-title"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}%: ${progress.text}`}
      >
        <div className="chat-progress-bar" style={{ width: `${percent}%` }} />
      </div>
      <p className="chat-progress-text">{progress.text}</p>
      <ol className="chat-stages">
        {STAGES.map((stage, i) => (
          <li key={stage.stage} className={i < at ? "done" : i === at ? "current" : ""} aria-current={i === at ? "step" : undefined}>
            {stage.label}
            {i <= at && <span className="sr-only"> (done)</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Live({ live }: { live: NonNullable<ChatView["live"]> }) {
  const { me } = useSession();
  const signedIn = !!me?.customer;
  const shown = live.url.replace(/^https?:\/\//, "");
  return (
    <section className="card chat-panel chat-live" aria-labelledby="chat-live-title">
      <h2 id="chat-live-title">Your agent is live</h2>
      <div className="chat-live-row">
        <div>
          <p>
            Say hi to it on Telegram:{" "}
            <a href={live.url} target="_blank" rel="noopener noreferrer">
              {shown}
            </a>
          </p>
          <div className="row">
            <a className="button" href={live.url} target="_blank" rel="noopener noreferrer">
              Open @{live.botUsername} in Telegram
            </a>
            <Link href={signedIn ? "/dashboard" : "/signin"} className="button secondary">
              Open your dashboard
            </Link>
          </div>
          {!signedIn && <p className="muted chat-panel-note">The dashboard asks for your email first and sends you a sign-in link.</p>}
        </div>
        <figure className="chat-qr-figure">
          <QrCode url={live.url} />
          <figcaption className="muted">Scan it with your phone's camera to open your bot.</figcaption>
        </figure>
      </div>
    </section>
  );
}

function sendProblem(result: SendResult): string | null {
  switch (result) {
    case "sent":
      return null;
    case "offline":
      return "Not connected right now: nothing was sent. Send it again once the chat has reconnected.";
    case "too-long":
      return "That is too long for one message: send it in parts.";
  }
}

function TokenForm({
  asked,
  connected,
  send,
  onSent,
  onClose,
}: {
  asked: boolean;
  connected: boolean;
  send: Send;
  onSent: () => void;
  onClose?: () => void;
}) {
  const [token, setToken] = useState("");
  const [visible, setVisible] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!asked) input.current?.focus(); // opened by hand: go straight to the field
  }, [asked]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = token.trim();
    if (!WHOLE_TOKEN.test(value)) {
      setProblem("That is not a bot token. @BotFather's token is a number, a colon and a long code, like 123456789:AAH4x…");
      input.current?.focus();
      return;
    }
    const error = sendProblem(send({ type: "bot_token", token: value }, { kind: "note", text: "Bot token sent" }));
    setProblem(error);
    if (!error) {
      setToken("");
      setVisible(false);
      onSent();
    }
  };

  return (
    <form id="chat-token-form" className="card chat-panel chat-token" onSubmit={submit} aria-labelledby="chat-token-title" noValidate>
      <h2 id="chat-token-title">Your bot's token</h2>
      <p id="chat-token-hint">
        In Telegram, open @BotFather, send <code>/newbot</code> and paste the token it gives you. It is checked with Telegram, stored
        encrypted and never shown in this chat.
      </p>
      <label htmlFor="chat-token">Bot token</label>
      <div className="chat-token-row">
        <input
          id="chat-token"
          ref={input}
          type={visible ? "text" : "password"}
          autoComplete="off"
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? "chat-token-hint chat-token-error" : "chat-token-hint"}
        />
        <button type="button" className="secondary" aria-controls="chat-token" onClick={() => setVisible((v) => !v)}>
          {visible ? "Hide token" : "Show token"}
        </button>
      </div>
      {problem && (
        <p id="chat-token-error" className="field-error" role="alert">
          {problem}
        </p>
      )}
      <div className="row chat-token-actions">
        <button type="submit" disabled={!connected}>
          Send the token
        </button>
        {onClose && (
          <button type="button" className="link-button" aria-expanded="true" aria-controls="chat-token-form" onClick={onClose}>
            Hide the token field
          </button>
        )}
      </div>
    </form>
  );
}

function Composer({ connected, send, tokenToggle }: { connected: boolean; send: Send; tokenToggle: ReactNode }) {
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);

  const submit = () => {
    const value = text.trim();
    if (!value) return;
    let error: string | null;
    if (WHOLE_TOKEN.test(value)) {
      // A token typed into the message box goes as a token: never into the log.
      error = sendProblem(send({ type: "bot_token", token: value }, { kind: "note", text: "Bot token sent" }));
    } else {
      const shown: Shown = { kind: "me", text: value.replace(new RegExp(TOKEN_PATTERN.source, "g"), "•••••• (bot token)") };
      error = sendProblem(send({ type: "text", text: value }, shown));
    }
    setProblem(error);
    if (!error) setText("");
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  return (
    <form
      className="chat-composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label htmlFor="chat-input" className="sr-only">
        Your message
      </label>
      <textarea
        id="chat-input"
        rows={2}
        maxLength={4000}
        placeholder="Type your answer…"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        aria-describedby={problem ? "chat-input-hint chat-input-error" : "chat-input-hint"}
        aria-invalid={problem ? true : undefined}
      />
      <div className="chat-composer-row">
        <p id="chat-input-hint" className="field-hint">
          Enter sends, Shift+Enter starts a new line.
        </p>
        <div className="row">
          {tokenToggle}
          <button type="submit" disabled={!connected || !text.trim()}>
            Send
          </button>
        </div>
      </div>
      {problem && (
        <p id="chat-input-error" className="field-error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
