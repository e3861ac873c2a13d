package cloud.openclaw.onboarding.conversation;

/**
 * Where a conversation is: collecting answers, then waiting for payment, then following its box.
 */
public enum Stage {
  COLLECTING,
  /** Checkout opened; waiting for payment and then the box's progress. */
  CHECKOUT,
  LIVE
}
