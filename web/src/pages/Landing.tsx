import { Link } from "wouter";
import { useResource } from "../lib/useResource";
import { useSession } from "../lib/session";
import { Loading, useTitle } from "../ui/States";
import { planTitle, type Site, type SitePlan } from "./public/site";
import { listInWords, requestsASecond, tokensAMonth } from "./public/words";
import "./public/landing.css";

// In the first bundle (App.tsx): only React, wouter and the scaffold's own modules here.

const FACTS = [
  "Set up by chatting: 5 to 7 questions, no forms",
  "Pay by card through Stripe's checkout",
  "Live within 60 seconds of paying",
  "Metered and capped: a monthly allowance, never a surprise bill",
  "Cancel any time",
];

const STEPS = [
  {
    title: "Chat",
    text: "Tell the setup assistant what your agent should do, paste the token of a bot you make with @BotFather, say who may talk to it, and pick a plan.",
  },
  {
    title: "Pay by card",
    text: "The link to Stripe's checkout comes to your email. Nothing is charged before you pay, and you can change any answer until then.",
  },
  {
    title: "Talk to it on Telegram",
    text: "Your OpenClaw agent is live on your bot within 60 seconds. Usage is metered against your plan and stops at its allowance; cancel any time.",
  },
];

export function Landing() {
  useTitle("Your own agent on Telegram");
  const site = useResource<Site>("/site");
  const { me } = useSession();

  return (
    <div className="lp">
      <section className="lp-hero" aria-labelledby="lp-title">
        <div className="lp-hero-text">
          <p className="lp-eyebrow">Hosted OpenClaw agents</p>
          <h1 id="lp-title">Your own AI agent, on your own Telegram bot</h1>
          <p className="lp-lead">
            Answer a few questions in a chat, pay by card, and your own OpenClaw agent answers on your Telegram bot within 60 seconds.
            Metered and capped, so the bill never surprises you. Cancel any time.
          </p>
          <div className="lp-actions">
            <Link href="/start" className="button lp-primary">
              Start in chat
            </Link>
            <TelegramStart site={site.data} failed={!!site.error} loading={site.loading} />
            {me?.customer && (
              <Link href="/dashboard" className="button secondary">
                Go to your dashboard
              </Link>
            )}
          </div>
          <ul className="lp-facts">
            {FACTS.map((fact) => (
              <li key={fact}>{fact}</li>
            ))}
          </ul>
        </div>
        <ChatPreview />
      </section>

      <section className="lp-section" aria-labelledby="lp-how">
        <h2 id="lp-how">How it works</h2>
        <ol className="lp-steps">
          {STEPS.map((step, i) => (
            <li key={step.title} className="lp-step">
              <span className="lp-step-number" aria-hidden="true">
                {i + 1}
              </span>
              <h3>{step.title}</h3>
              <p>{step.text}</p>
            </li>
          ))}
        </ol>
      </section>

      <section className="lp-section" aria-labelledby="lp-plans">
        <h2 id="lp-plans">Plans</h2>
        <p className="muted">Every plan is one agent on one bot, billed monthly. The allowance renews each month.</p>
        <Plans site={site.data} loading={site.loading} failed={site.error?.message} retry={site.reload} />
      </section>
    </div>
  );
}

/** The setup bot's link; when there is none, a disabled button that says why. */
function TelegramStart({ site, failed, loading }: { site: Site | undefined; failed: boolean; loading: boolean }) {
  if (site?.setupBotUrl) {
    return (
      <a href={site.setupBotUrl} className="button secondary" rel="noopener">
        Start in Telegram
      </a>
    );
  }
  if (loading && !site) return null;
  const why = failed ? "Signing up in Telegram is unavailable right now." : "Signing up in Telegram is not open yet: start in the chat here.";
  return (
    <span className="lp-disabled">
      <button type="button" className="secondary" disabled aria-describedby="lp-telegram-why">
        Start in Telegram
      </button>
      <span id="lp-telegram-why" className="lp-why">
        {why}
      </span>
    </span>
  );
}

function Plans({ site, loading, failed, retry }: { site: Site | undefined; loading: boolean; failed?: string; retry: () => void }) {
  if (loading && !site) return <Loading what="plans" />;
  if (failed !== undefined && !site) {
    return (
      <div className="state state-error" role="alert">
        <p>The plans could not be loaded just now ({failed}). You can still start in the chat: it lists them too.</p>
        <button type="button" onClick={retry}>
          Load the plans again
        </button>
      </div>
    );
  }
  if (!site || site.plans.length === 0) {
    return (
      <div className="state state-empty">
        <p>No plans are on offer right now. Start in the chat and the assistant tells you what is available.</p>
      </div>
    );
  }
  return (
    <ul className="lp-plans">
      {site.plans.map((plan) => (
        <PlanCard key={plan.name} plan={plan} />
      ))}
    </ul>
  );
}

function PlanCard({ plan }: { plan: SitePlan }) {
  const title = planTitle(plan.name);
  return (
    <li className="card lp-plan">
      <h3>{title}</h3>
      <p className="lp-price">{plan.price ?? "Priced at checkout"}</p>
      <ul className="lp-plan-facts">
        <li>{tokensAMonth(plan.monthlyTokens)}</li>
        <li>{requestsASecond(plan.requestsPerSecond)}</li>
        <li>
          {plan.models.length === 1 ? "Model" : "Models"}: {plan.models.length ? listInWords(plan.models) : "chosen at setup"}
        </li>
        {plan.thinkingLevels && plan.thinkingLevels.length > 0 && <li>Thinking: {listInWords(plan.thinkingLevels)}</li>}
      </ul>
      <Link href="/start" className="button secondary lp-plan-cta">
        Start with {title}
      </Link>
    </li>
  );
}

/** What the setup chat looks like: an illustration, so hidden from screen readers. */
function ChatPreview() {
  return (
    <div className="lp-preview" aria-hidden="true">
      <div className="lp-preview-bar">Setup assistant</div>
      <div className="lp-bubble lp-bubble-agent">What should your agent do for you?</div>
      <div className="lp-bubble lp-bubble-me">Sort my inbox every morning and remind me of deadlines.</div>
      <div className="lp-bubble lp-bubble-agent">Got it. Now its Telegram bot: paste the token @BotFather gave you.</div>
      <div className="lp-bubble lp-bubble-me">Bot token sent</div>
      <div className="lp-bubble lp-bubble-agent lp-bubble-live">Your agent is live! Say hi to it: t.me/my_agent_bot</div>
    </div>
  );
}
