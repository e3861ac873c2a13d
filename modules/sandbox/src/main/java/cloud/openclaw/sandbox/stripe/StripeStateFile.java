package cloud.openclaw.sandbox.stripe;

import cloud.openclaw.sandbox.StateDir;
import java.util.Optional;

/**
 * Keeps the Stripe stand-in's {@link StripeState} in the sandbox's state directory ({@code
 * stripe.json}), written whole after every change, so customers, checkout and portal sessions,
 * subscriptions and events outlive a restart of dev mode.
 */
public final class StripeStateFile {
  static final String NAME = "stripe.json";

  private final StateDir dir;

  public StripeStateFile(StateDir dir) {
    this.dir = dir;
  }

  /** What an earlier run left, if anything. */
  Optional<StripeState> load() {
    return dir.readJson(NAME, StripeState.class);
  }

  void save(StripeState state) {
    dir.writeJson(NAME, state);
  }
}
