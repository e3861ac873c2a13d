package cloud.openclaw.billing.events;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.store.CustomerStore;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * Suspends the agents of customers whose payment has been overdue for longer than the grace period
 * (Stripe keeps retrying meanwhile; a payment in time undoes the past-due state).
 */
public final class GracePeriod {
  private static final Logger LOG = Logger.getLogger(GracePeriod.class.getName());

  private final Database database;
  private final PastDue pastDue;
  private final CustomerStore customers;
  private final BillingEvents handlers;
  private final Duration grace;
  private final Clock clock;

  public GracePeriod(
      Database database,
      PastDue pastDue,
      CustomerStore customers,
      BillingEvents handlers,
      Duration grace,
      Clock clock) {
    this.database = database;
    this.pastDue = pastDue;
    this.customers = customers;
    this.handlers = handlers;
    this.grace = grace;
    this.clock = clock;
  }

  /** One pass; how many customers were suspended. */
  public int run() {
    int suspended = 0;
    for (PastDue.Overdue overdue :
        pastDue.overdue(database.execute(), clock.instant().minus(grace))) {
      boolean done =
          database.inTransaction(
              tx ->
                  customers
                      .find(tx.execute(), overdue.customerId())
                      .map(
                          customer -> {
                            handlers.suspend(
                                tx,
                                customer,
                                overdue.stripeSubscriptionId()
                                    + ":"
                                    + overdue.since().getEpochSecond());
                            return true;
                          })
                      .orElse(false));
      if (done) {
        suspended++;
        LOG.info("customer " + overdue.customerId() + " suspended: payment overdue past grace");
      }
    }
    return suspended;
  }
}
