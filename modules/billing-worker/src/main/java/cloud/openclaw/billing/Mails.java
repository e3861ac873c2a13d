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
    return mail(
        customer,
        NotificationKind.AGENT_LIVE,
        "Your agent is live",
        "Your OpenClaw agent is running. Say hello to it on Telegram: https://t.me/"
            + botUsername
            + "\n\nYour dashboard: "
            + dashboardUrl,
        "agent_live:" + boxId);
  }

  public NewNotification usageWarning(Customer customer, String periodStart, int percent) {
    return mail(
        customer,
        NotificationKind.USAGE_WARNING,
        "You have used " + percent + "% of this month's allowance",
        "Your agent has used "
            + percent
            + "% of this billing period's tokens. When the allowance is used up it pauses until"
            + " the next period, or until you move to a bigger plan.\n\nYour dashboard: "
            + dashboardUrl,
        "usage_warning:" + customer.id() + ":" + periodStart);
  }

  public NewNotification paymentFailed(Customer customer, String invoiceId) {
    return mail(
        customer,
        NotificationKind.PAYMENT_FAILED,
        "Your payment failed",
        "We could not take this month's payment. Please update your card in the billing portal"
            + " (from your dashboard) so that your agent keeps running.\n\nYour dashboard: "
            + dashboardUrl,
        "payment_failed:" + invoiceId);
  }

  public NewNotification suspended(Customer customer, String occasion) {
    return mail(
        customer,
        NotificationKind.SUSPENDED,
        "Your agent is paused",
        "Your agent is paused because the payment is overdue. It starts again, with its memory,"
            + " as soon as the invoice is paid.\n\nYour dashboard: "
            + dashboardUrl,
        "suspended:" + occasion);
  }

  public NewNotification cancelled(Customer customer, String subscriptionId) {
    return mail(
        customer,
        NotificationKind.CANCELLED,
        "Your subscription has ended",
        "Your subscription has ended and your agent has been deleted. Thank you for using"
            + " OpenClaw.",
        "cancelled:" + subscriptionId);
  }

  private static NewNotification mail(
      Customer customer, NotificationKind kind, String subject, String body, String key) {
    return new NewNotification(customer.id(), kind, customer.email(), subject, body, key);
  }
}
