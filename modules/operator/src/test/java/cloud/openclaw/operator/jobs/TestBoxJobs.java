package cloud.openclaw.operator.jobs;

import cloud.openclaw.operator.OperatorMetrics;
import cloud.openclaw.operator.bots.BotCheck;
import cloud.openclaw.operator.runtime.Runtimes;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.store.BoxStore;
import java.time.Clock;
import java.time.Duration;

/** {@link BoxJobs} with the defaults of tests: the system clock, meters going nowhere. */
public final class TestBoxJobs {
  private TestBoxJobs() {}

  /** Without a bot check: a box runs once its gateway serves. */
  public static BoxJobs of(
      Database database,
      BoxStore boxes,
      Runtimes runtimes,
      TokenProxyClient proxy,
      Progress progress,
      Duration readyTimeout) {
    return of(database, boxes, runtimes, proxy, progress, readyTimeout, null);
  }

  /** A box runs once its gateway serves and its bot answered {@code bots}. */
  public static BoxJobs of(
      Database database,
      BoxStore boxes,
      Runtimes runtimes,
      TokenProxyClient proxy,
      Progress progress,
      Duration readyTimeout,
      BotCheck bots) {
    return new BoxJobs(
        database,
        boxes,
        runtimes,
        proxy,
        progress,
        readyTimeout,
        Clock.systemUTC(),
        bots,
        OperatorMetrics.discarded());
  }
}
