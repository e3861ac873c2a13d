import { useRef, useState, type FormEvent } from "react";
import { Link } from "wouter";
import { ApiError, post } from "../lib/api";
import { useSession } from "../lib/session";
import { useTitle } from "../ui/States";
import { durationInWords } from "./public/words";
import "./public/pages.css";

type Outcome = { kind: "sent"; email: string } | { kind: "field"; message: string } | { kind: "error"; message: string };

/** /signin: a sign-in link by mail (POST /auth/login; docs/api.md "Signing in"). */
export default function SignIn() {
  useTitle("Sign in");
  const { me, loading } = useSession();
  const [email, setEmail] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = email.trim();
    if (!value) {
      setOutcome({ kind: "field", message: "Enter the email address you signed up with." });
      input.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await post("/auth/login", { email: value });
      setOutcome({ kind: "sent", email: value });
    } catch (err) {
      const error = err instanceof ApiError ? err : new ApiError(0, "error", String(err));
      if (error.status === 400) {
        setOutcome({ kind: "field", message: error.field === "email" ? "That is not an email address: check it and try again." : error.message });
        input.current?.focus();
      } else if (error.status === 429) {
        const wait = error.retryAfter ? `try again in ${durationInWords(error.retryAfter)}` : "try again a little later";
        setOutcome({ kind: "error", message: `Too many sign-in requests: ${wait}.` });
      } else {
        setOutcome({ kind: "error", message: error.message });
      }
    } finally {
      setBusy(false);
    }
  };

  if (outcome?.kind === "sent") {
    return (
      <section className="pub-narrow" aria-labelledby="signin-title">
        <h1 id="signin-title">Check your mail</h1>
        <div className="card" role="status">
          <p>
            We sent a sign-in link to <strong>{outcome.email}</strong>; it works once for 15 minutes.
          </p>
          <p className="muted">
            Open it in this browser and press the button on the page it opens. Nothing there? Look in your spam folder, or check the address:
            the link goes only to the email an account was made with.
          </p>
        </div>
        <button type="button" className="secondary" onClick={() => setOutcome(null)}>
          Use another email
        </button>
      </section>
    );
  }

  const fieldError = outcome?.kind === "field" ? outcome.message : null;
  return (
    <section className="pub-narrow" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      {!loading && me && (
        <div className="card pub-signed-in">
          <p>You are signed in as {me.email}.</p>
          {me.customer && (
            <Link href="/dashboard" className="button">
              Go to your dashboard
            </Link>
          )}
        </div>
      )}
      <p className="muted">No password: we email you a link that signs you in. Use the address you gave when you signed up.</p>
      <form className="card" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="signin-email">Email</label>
          <input
            id="signin-email"
            ref={input}
            type="email"
            name="email"
            autoComplete="email"
            inputMode="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? "signin-email-error" : undefined}
          />
          {fieldError && (
            <p id="signin-email-error" className="field-error">
              {fieldError}
            </p>
          )}
        </div>
        <button type="submit" disabled={busy}>
          {busy ? "Sending…" : "Send me a sign-in link"}
        </button>
        {outcome?.kind === "error" && (
          <p className="state state-error pub-form-error" role="alert">
            {outcome.message}
          </p>
        )}
      </form>
      <p className="muted">
        No account yet? <Link href="/start">Set up your agent in the chat</Link>.
      </p>
    </section>
  );
}
