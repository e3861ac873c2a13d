package cloud.openclaw.platform.logging;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks what looks like a secret or an email in a log line, whoever logged it: the last line of
 * defence behind logging ids instead of secrets. Each rule keeps enough to tell what was there (the
 * kind of secret, the first letter and domain of an email), never enough to use it.
 */
public final class Redaction {
  private record Rule(Pattern pattern, String replacement) {}

  private static final List<Rule> RULES =
      List.of(
          // Query-string and key=value secrets first: their values may be any of the kinds below.
          new Rule(
              Pattern.compile(
                  "(?i)((?:^|[?&;,\\s\"'(])[a-z_-]*(?:token|key|secret|password|signature)"
                      + "=)[^&\\s\"',;)]+"),
              "$1<redacted>"),
          new Rule(Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+"), "$1<redacted>"),
          // Telegram bot tokens, <bot id>:<35 characters>, also inside a Bot API path
          // (/bot<token>).
          new Rule(Pattern.compile("(?<![0-9])\\d{6,}:[A-Za-z0-9_-]{30,}"), "<bot-token>"),
          // The platform's proxy tokens (ProxyTokens.SCHEME).
          new Rule(Pattern.compile("\\bocp_[A-Za-z0-9_-]{8,}"), "ocp_<redacted>"),
          // Stripe secret and restricted keys, webhook signing secrets.
          new Rule(Pattern.compile("\\b(sk|rk|whsec)_[A-Za-z0-9_]{6,}"), "$1_<redacted>"),
          // JSON Web Tokens (sessions, sign-in links).
          new Rule(
              Pattern.compile("\\beyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*"),
              "<jwt>"));

  private static final Pattern EMAIL =
      Pattern.compile("\\b([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+)");

  private Redaction() {}

  /** {@code text} with every secret and email masked; null stays null. */
  public static String apply(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String masked = text;
    for (Rule rule : RULES) {
      masked = rule.pattern().matcher(masked).replaceAll(rule.replacement());
    }
    Matcher email = EMAIL.matcher(masked);
    return email.replaceAll(
        match -> Matcher.quoteReplacement(match.group(1) + "***@" + match.group(2)));
  }
}
