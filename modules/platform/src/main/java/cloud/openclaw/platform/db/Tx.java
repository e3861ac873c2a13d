package cloud.openclaw.platform.db;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** An open transaction, and what to do once it has committed (publish to Redis, notify). */
public final class Tx {
  private static final Logger LOG = Logger.getLogger(Tx.class.getName());

  private final DbTransaction transaction;
  private final List<Runnable> afterCommit = new ArrayList<>();

  Tx(DbTransaction transaction) {
    this.transaction = transaction;
  }

  public DbExecute execute() {
    return transaction;
  }

  /**
   * Runs {@code hook} once the transaction has committed. A failing hook is logged, not thrown: the
   * data is committed, and whatever the hook announces has a durable fallback (the job relay).
   */
  public void afterCommit(Runnable hook) {
    afterCommit.add(hook);
  }

  void runAfterCommit() {
    for (Runnable hook : afterCommit) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "after-commit hook failed; the relay will catch up", e);
      }
    }
  }
}
