package cloud.openclaw.billing;

import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.NewNotification;
import cloud.openclaw.platform.domain.NotificationKind;

/**
 * The customer emails billing sends, each with the key that makes it one mail however often its
 * cause is seen.
 */
public final class Mails {
  private final String dashboardUrl;

  public Mails(String dashboardUrl) {
    this.dashboardUrl = dashboardUrl;
  }

  public NewNotification agentLive(Customer customer, String botUsername, String boxId) {
    return withDashboard(
        customer,
        NotificationKind.AGENT_LIVE,
        boxId,
        "Your agent is live",
        "Your OpenClaw agent is running. Say hello to it on Telegram: https://t.me/" + botUsername);
  }

  public NewNotification botRefused(Customer customer, String botUsername, String boxId) {
    return withDashboard(
        customer,
        NotificationKind.BOT_REFUSED,
        boxId,
        "Telegram refused your bot token",
        "Telegram refused your bot token: send a new one. Your agent @"
            + botUsername
            + " cannot read or answer messages until it has a token that works. This happens when"
            + " the token is revoked or the bot deleted in BotFather. If the token works again, your"
            + " agent comes back by itself.");
  }

  /** One per customer, period and share crossed (80, or 100: all of it). */
  public NewNotification usageWarning(Customer customer, String periodStart, int percent) {
    String occasion = customer.id() + ":" + periodStart + ":" + percent;
    if (percent >= 100) {
      return withDashboard(
          customer,
          NotificationKind.USAGE_WARNING,
          occasion,
          "You have used all of this month's allowance",
          "Your agent has used all of this billing period's tokens. It pauses until the next"
              + " period, or until you move to a bigger plan.");
    }
    return withDashboard(
        customer,
        NotificationKind.USAGE_WARNING,
        occasion,
        "You have used " + percent + "% of this month's allowance",
        "Your agent has used "
            + percent
            + "% of this billing period's tokens. When the allowance is used up it pauses until"
            + " the next period, or until you move to a bigger plan.");
  }

  public NewNotification paymentFailed(Customer customer, String invoiceId) {
    return withDashboard(
        customer,
        NotificationKind.PAYMENT_FAILED,
        invoiceId,
        "Your payment failed",
        "We could not take this month's payment. Please update your card in the billing portal"
            + " (from your dashboard) so that your agent keeps running.");
  }

  public NewNotification suspended(Customer customer, String occasion) {
    return withDashboard(
        customer,
        NotificationKind.SUSPENDED,
        occasion,
        "Your agent is paused",
        "Your agent is paused because the payment is overdue. It starts again, with its memory,"
            + " as soon as the invoice is paid.");
  }

  public NewNotification cancelled(Customer customer, String subscriptionId) {
    return mail(
        customer,
        NotificationKind.CANCELLED,
        subscriptionId,
        "Your subscription has ended",
        "Your subscription has ended and your agent has been deleted. Thank you for using"
            + " OpenClaw.");
  }

  private NewNotification withDashboard(
      Customer customer, NotificationKind kind, String occasion, String subject, String text) {
    return mail(customer, kind, occasion, subject, text + "\n\nYour dashboard: " + dashboardUrl);
  }

  /** The mail's dedupe key is its kind and occasion: one mail per occasion. */
  private static NewNotification mail(
      Customer customer, NotificationKind kind, String occasion, String subject, String body) {
    return new NewNotification(
        customer.id(), kind, customer.email(), subject, body, kind.dbValue() + ":" + occasion);
  }
}
