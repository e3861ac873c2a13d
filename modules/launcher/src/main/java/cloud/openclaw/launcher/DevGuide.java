package cloud.openclaw.launcher;

/**
 * What dev mode prints once everything is up: where to click, and a walk from sign-up to
 * cancellation that can be pasted into a shell (docs/dev-mode.md explains each step).
 */
final class DevGuide {
  /** Dev mode's admin, unless api.auth.admins is configured. */
  static final String ADMIN = "admin@example.com";

  private DevGuide() {}

  /**
   * @param sandbox the sandbox's URL (the stand-ins)
   * @param api the api's URL
   * @param setupBot the sandbox's setup bot, or null when a real one is configured
   */
  static String text(String sandbox, String api, StandIns.SetupBot setupBot) {
    String json = "-H 'Content-Type: application/json'";
    String telegramChat =
        setupBot == null
            ? "the setup bot configured (onboarding.telegram.token): /start"
            : sandbox
                + "/telegram/?bot="
                + setupBot.id()
                + "  (@"
                + setupBot.username()
                + ": /start)";
    return String.join(
        System.lineSeparator(),
        "Sign up by chat (docs/onboarding.md)",
        "  In Telegram               " + telegramChat,
        "  On the web                " + api + "/start  (the landing page: " + api + "/)",
        "",
        "Where to click",
        "  Telegram, chat as a user  " + sandbox + "/telegram/",
        "  Caught mail (links)       " + sandbox + "/mail/",
        "  Stripe checkout           the sign-up mail's link goes there ("
            + sandbox
            + "/stripe/checkout/...)",
        "  Stripe events, webhooks   " + sandbox + "/stripe/_sandbox/events",
        "  Kimi stand-in's counters  " + sandbox + "/kimi/_sandbox/stats",
        "  Your dashboard            " + api + "/dashboard  (sign in with your email)",
        "  Admin panel               " + api + "/console  (sign in as " + ADMIN + ")",
        "  The api                   " + api + "/openapi",
        "",
        "Walkthrough (docs/dev-mode.md)",
        "  # 1. a bot on the sandbox's Telegram",
        "  BOT=$(curl -s -X POST " + sandbox + "/telegram/_sandbox/bots " + json + " -d '{}')",
        "  TOKEN=$(echo \"$BOT\" | sed 's/.*\"token\":\"\\([^\"]*\\)\".*/\\1/'); echo \"$BOT\"",
        "  # 2. sign up (1001 is the Telegram user you will be on the chat page)",
        "  curl -s -X POST "
            + api
            + "/signup "
            + json
            + " -d '{\"email\":\"me@example.com\",\"plan\":\"starter\",\"botToken\":\"'$TOKEN'\","
            + "\"allowedTelegramUserIds\":[1001]}'",
        "  # 3. open the link mailed to "
            + sandbox
            + "/mail/, go on to the checkout and click Pay:",
        "  #    the box comes up within a minute",
        "  # 4. sign in: the link arrives on " + sandbox + "/mail/",
        "  curl -s -X POST " + api + "/auth/login " + json + " -d '{\"email\":\"me@example.com\"}'",
        "  ACCESS=$(curl -s -X POST "
            + api
            + "/auth/session "
            + json
            + " -d '{\"token\":\"<token= from the link>\"}' | sed 's/.*\"accessToken\":\"\\([^\"]*\\)\".*/\\1/')",
        "  curl -s " + api + "/me/box -H \"Authorization: Bearer $ACCESS\"",
        "  # 5. chat on " + sandbox + "/telegram/ as user 1001, then watch the usage rise",
        "  curl -s " + api + "/me/usage -H \"Authorization: Bearer $ACCESS\"",
        "  # 6. cancel in the sandbox's Stripe portal: the box is gone within seconds",
        "  curl -s -X POST " + api + "/me/billing/portal -H \"Authorization: Bearer $ACCESS\"",
        "");
  }
}
