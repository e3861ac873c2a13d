package cloud.openclaw.api.pages;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/**
 * The few HTML pages the api serves where people land from a mail or from Stripe (the dashboard,
 * the end of a checkout), so that no link ends on a JSON 404. Each says what happened and where to
 * go next; the web app replaces them.
 */
public final class Pages {
  private Pages() {}

  /** After a paid checkout ({@code api.stripe.success-url}). */
  public static String checkoutDone() {
    return page(
        "Payment received",
        "<p>Thank you: your payment went through.</p>"
            + "<p>Your agent is being set up now. It answers you on Telegram within a minute, and we"
            + " mail you as soon as it is live.</p>"
            + "<p><a href=\"/\">Your dashboard</a></p>");
  }

  /** After a checkout given up ({@code api.stripe.cancel-url}). */
  public static String checkoutCancelled() {
    return page(
        "Checkout cancelled",
        "<p>You left the checkout: nothing was charged.</p>"
            + "<p>Your sign-up is kept. To start your agent, sign up again with the same email and"
            + " bot: you get a new checkout.</p>"
            + "<p><a href=\"/\">Your dashboard</a></p>");
  }

  public static void send(ServerResponse response, String page) {
    response.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
    response.header(HeaderNames.CACHE_CONTROL, "no-store");
    response.send(page);
  }

  static String page(String title, String body) {
    return "<!doctype html><html><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width\"><title>"
        + esc(title)
        + " - OpenClaw Cloud</title><style>body{font-family:sans-serif;max-width:40em;"
        + "margin:2em auto;padding:0 1em;line-height:1.4}</style></head><body><h1>"
        + esc(title)
        + "</h1>"
        + body
        + "</body></html>";
  }

  static String esc(String text) {
    return text == null
        ? ""
        : text.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("\"", "&quot;");
  }
}
