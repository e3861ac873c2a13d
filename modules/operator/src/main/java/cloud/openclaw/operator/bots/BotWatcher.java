package cloud.openclaw.operator.bots;

import cloud.openclaw.operator.jobs.Progress;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.jobs.JobQueue;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.NewJob;
import cloud.openclaw.platform.jobs.Periodic;
import cloud.openclaw.platform.store.BoxStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Asks Telegram, every {@code operator.bot-check-interval}, about the bot of every box that should
 * run ({@link BotCheck#answers}), so that a token revoked while the box runs is seen:
 *
 * <ul>
 *   <li>a {@code running} box whose token Telegram refuses becomes {@code bot_refused}, with the
 *       next step ({@link BotCheck#REFUSED}) as its last error, and the customer's live channel is
 *       told (the mail is the billing worker's, once per box);
 *   <li>a {@code bot_refused} box whose token works again is {@code provisioning} and gets an
 *       {@code update} job in the same transaction: OpenClaw gave its Telegram channel up when the
 *       token was refused, so the gateway is restarted, and the job marks the box running once the
 *       bot answered.
 * </ul>
 *
 * <p>Only those changes are made here, each conditional on the state it saw ({@link
 * BoxStore#markObservedIf}), so the watcher never overrides what a job did meanwhile. Telegram
 * unreachable changes nothing.
 */
public final class BotWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(BotWatcher.class.getName());
  private static final String NAME = "bot-check";

  /** getMe calls in flight at once. */
  private static final int PARALLEL = 16;

  private final BoxStore boxes;
  private final Database database;
  private final BotCheck check;
  private final JobQueue jobs;
  private final Progress progress;
  private Periodic periodic;

  /** What one pass did. */
  public record Report(int checked, int refused, int restored, int unreachable) {}

  public BotWatcher(
      BoxStore boxes, Database database, BotCheck check, JobQueue jobs, Progress progress) {
    this.boxes = boxes;
    this.database = database;
    this.check = check;
    this.jobs = jobs;
    this.progress = progress;
  }

  /** A pass now, then one every {@code interval}, until closed. */
  public BotWatcher start(Duration interval) {
    periodic =
        Periodic.start(
            "bot-watcher",
            interval,
            () -> {
              Report report = runOnce();
              if (report.refused() + report.restored() > 0) {
                LOG.info("bot check: " + report);
              }
            });
    return this;
  }

  /** One pass over the boxes that should run. */
  public Report runOnce() {
    List<Box> watched =
        boxes.listByDesiredState(database.execute(), BoxDesiredState.RUNNING).stream()
            .filter(
                box ->
                    box.observedState() == BoxObservedState.RUNNING
                        || box.observedState() == BoxObservedState.BOT_REFUSED)
            .toList();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger restored = new AtomicInteger();
    AtomicInteger unreachable = new AtomicInteger();
    Semaphore slots = new Semaphore(PARALLEL);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> checks = new ArrayList<>();
      for (Box box : watched) {
        slots.acquireUninterruptibly();
        checks.add(
            pool.submit(
                () -> {
                  try {
                    watch(box, refused, restored);
                  } catch (UnavailableException e) {
                    unreachable.incrementAndGet();
                    LOG.log(Level.FINE, "bot check of box " + box.id() + ": " + e.getMessage());
                  } catch (RuntimeException e) {
                    unreachable.incrementAndGet();
                    LOG.log(Level.WARNING, "bot check of box " + box.id() + " failed", e);
                  } finally {
                    slots.release();
                  }
                }));
      }
    }
    return new Report(watched.size(), refused.get(), restored.get(), unreachable.get());
  }

  private void watch(Box box, AtomicInteger refused, AtomicInteger restored) {
    boolean answers = check.answers(box);
    if (box.observedState() == BoxObservedState.RUNNING && !answers) {
      boxes
          .markObservedIf(
              database.execute(),
              box.id(),
              BoxObservedState.RUNNING,
              BoxObservedState.BOT_REFUSED,
              BotCheck.REFUSED)
          .ifPresent(
              changed -> {
                refused.incrementAndGet();
                progress.event(changed, NAME, "bot_refused", BotCheck.REFUSED);
              });
    } else if (box.observedState() == BoxObservedState.BOT_REFUSED && answers) {
      // The box is provisioning until the job has restarted it and its bot answered; a later pass
      // finds it so and leaves it to the job.
      boolean restarting =
          database.inTransaction(
              tx -> {
                if (boxes
                    .markObservedIf(
                        tx.execute(),
                        box.id(),
                        BoxObservedState.BOT_REFUSED,
                        BoxObservedState.PROVISIONING,
                        null)
                    .isEmpty()) {
                  return false;
                }
                jobs.enqueue(
                    tx,
                    new NewJob(
                        JobType.UPDATE,
                        box.id(),
                        "{\"reason\":\"bot_token_works\"}",
                        "bot-check:" + box.id() + ":" + box.updatedAt()));
                return true;
              });
      if (restarting) {
        restored.incrementAndGet();
        progress.event(box, NAME, "bot", "Telegram takes your bot token again: restarting.");
      }
    }
  }

  @Override
  public void close() {
    if (periodic != null) {
      periodic.close();
    }
  }
}
