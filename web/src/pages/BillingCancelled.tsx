import { Link } from "wouter";
import { useResource } from "../lib/useResource";
import { useTitle } from "../ui/States";
import type { Site } from "./public/site";
import "./public/pages.css";

/** /billing/cancelled: where Stripe's checkout returns when it was given up. */
export default function BillingCancelled() {
  useTitle("Payment cancelled");
  // Only for the setup bot's link; without it the page says the same in words.
  const site = useResource<Site>("/site");
  const setupBot = site.data?.setupBotUrl;
  return (
    <section className="pub-narrow" aria-labelledby="cancelled-title">
      <h1 id="cancelled-title">Payment cancelled: nothing was charged</h1>
      <p className="pub-lead">Your answers are kept for 7 days, so paying later takes only a new link from the chat.</p>
      <div className="pub-cards">
        <div className="card">
          <h2>Signed up in this browser?</h2>
          <p>Return to the chat and tell the assistant “new link” for a new link to pay, or what to change first.</p>
          <Link href="/start" className="button">
            Return to the chat
          </Link>
        </div>
        <div className="card">
          <h2>Signed up in Telegram?</h2>
          <p>Go back to your chat with the setup bot and tell it “new link”, or what to change.</p>
          {setupBot && (
            <a href={setupBot} className="button secondary" rel="noopener">
              Open the setup bot
            </a>
          )}
        </div>
      </div>
      <p className="muted">Changed your mind? Nothing else to do: no agent is started until you pay.</p>
    </section>
  );
}
