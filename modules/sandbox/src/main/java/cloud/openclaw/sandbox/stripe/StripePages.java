package cloud.openclaw.sandbox.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/** The stand-in's hosted pages: checkout, a declined card, and the customer portal. */
final class StripePages {
  private StripePages() {}

  static String checkout(ObjectNode session) {
    if (session == null) {
      return page("Checkout", "<p>This checkout session does not exist.</p>");
    }
    String id = esc(session.path("id").asText());
    if (!"open".equals(session.path("status").asText())) {
      return page("Checkout", "<p>This checkout session is complete already.</p>");
    }
    return page(
        "Checkout",
        "<p>Subscribe to <b>"
            + esc(session.path("price").asText())
            + "</b> as <b>"
            + esc(StripeStandIn.text(session, "customer_email"))
            + "</b>.</p>"
            + "<form method=post action=\"/stripe/checkout/"
            + id
            + "/pay\"><input type=hidden name=card value=ok>"
            + "<button id=pay type=submit>Pay (card 4242 4242 4242 4242)</button></form>"
            + "<form method=post action=\"/stripe/checkout/"
            + id
            + "/pay\"><input type=hidden name=card value=decline>"
            + "<button id=decline type=submit>Pay with a declined card</button></form>"
            + "<p><a href=\""
            + esc(StripeStandIn.text(session, "cancel_url"))
            + "\">Cancel</a></p>");
  }

  static String declined(ObjectNode session) {
    String id = session == null ? "" : esc(session.path("id").asText());
    return page(
        "Card declined",
        "<p>Your card was declined. Nothing was charged.</p><p><a href=\"/stripe/checkout/"
            + id
            + "\">Try again</a></p>");
  }

  static String portal(ObjectNode session, List<ObjectNode> subscriptions) {
    if (session == null) {
      return page("Billing", "<p>This portal session does not exist.</p>");
    }
    String id = esc(session.path("id").asText());
    StringBuilder body = new StringBuilder();
    body.append("<p>Customer ").append(esc(session.path("customer").asText())).append("</p>");
    if (subscriptions.isEmpty()) {
      body.append("<p>No subscriptions.</p>");
    }
    for (ObjectNode sub : subscriptions) {
      String subId = esc(sub.path("id").asText());
      JsonNode item = sub.path("items").path("data").path(0);
      body.append("<div class=sub><h2>")
          .append(subId)
          .append("</h2><p>")
          .append(esc(item.path("price").path("id").asText()))
          .append(", ")
          .append(esc(sub.path("status").asText()))
          .append(sub.path("cancel_at_period_end").asBoolean() ? ", ends at period end" : "")
          .append(", period ")
          .append(Instant.ofEpochSecond(item.path("current_period_start").asLong()))
          .append(" to ")
          .append(Instant.ofEpochSecond(item.path("current_period_end").asLong()))
          .append("</p>");
      if (!"canceled".equals(sub.path("status").asText())) {
        for (String[] action :
            new String[][] {
              {"cancel", "Cancel now"},
              {"cancel-at-period-end", "Cancel at period end"},
              {"resume", "Don't cancel"},
              {"renew", "Renew now (the period ends now)"},
              {"fail-payment", "The card declines from now on"},
              {"fix-payment", "The card works again"},
              {"pay-now", "Pay the open invoice now"},
              {"invoice-item", "A one-off charge of $5"},
              {"an-hour-passes", "An hour passes (the stand-in's clock)"},
              {"unpaid", "Give up on the payment (unpaid)"}
            }) {
          body.append(form(id, action[0], subId, "", action[1]));
        }
        body.append("<form method=post action=\"/stripe/portal/")
            .append(id)
            .append("/change-price\"><input type=hidden name=subscription value=\"")
            .append(subId)
            .append("\"><input name=price placeholder=price_pro>")
            .append("<button type=submit>Change plan</button></form>");
      }
      body.append("</div>");
    }
    body.append("<p><a href=\"")
        .append(esc(StripeStandIn.text(session, "return_url")))
        .append("\">Return</a></p>");
    return page("Billing", body.toString());
  }

  private static String form(String portal, String action, String sub, String extra, String label) {
    return "<form method=post action=\"/stripe/portal/"
        + portal
        + "/"
        + action
        + "\"><input type=hidden name=subscription value=\""
        + sub
        + "\">"
        + extra
        + "<button type=submit>"
        + label
        + "</button></form>";
  }

  private static String page(String title, String body) {
    return "<!doctype html><html><head><meta charset=utf-8><title>Stripe sandbox: "
        + title
        + "</title><style>body{font-family:sans-serif;max-width:40em;margin:2em auto}"
        + "form{display:inline-block;margin:.2em}</style></head><body><h1>"
        + title
        + " (sandbox)</h1>"
        + body
        + "</body></html>";
  }

  static String esc(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
