package cloud.openclaw.onboarding.progress;

import java.util.List;

/** The operator's steps ({@code jobs/Progress}) grouped into the stages a person is told. */
final class ProgressStages {
  static final List<String> ORDER = List.of("paid", "provisioning", "starting", "live");

  private ProgressStages() {}

  /** The stage a step belongs to, or null for a step that tells the person nothing new. */
  static String stage(String step) {
    return switch (step) {
      case "accepted", "token", "config", "resources" -> "provisioning";
      case "scheduled", "starting", "ready", "bot" -> "starting";
      case "live" -> "live";
      default -> null;
    };
  }

  static boolean failed(String step) {
    return step.equals("failed") || step.equals("bot_refused");
  }

  /** The stages from paid up to {@code stage}, in order. */
  static List<String> upTo(String stage) {
    return ORDER.subList(0, ORDER.indexOf(stage) + 1);
  }

  static String text(String stage) {
    return switch (stage) {
      case "paid" -> "Payment received, thank you!";
      case "provisioning" -> "Setting up your agent's private space.";
      case "starting" -> "Your agent is starting.";
      case "live" -> "Your agent is live.";
      default -> stage;
    };
  }
}
