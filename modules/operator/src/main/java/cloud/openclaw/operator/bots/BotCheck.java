package cloud.openclaw.operator.bots;

import cloud.openclaw.operator.jobs.Progress;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.telegram.TelegramBots;

/**
 * Whether a box's Telegram bot answers: getMe with the box's token, asked of the Telegram the api
 * checks tokens with ({@code telegram.api-root}). A gateway whose token Telegram refuses (401: its
 * owner revoked it in BotFather) runs, but nobody can reach it, and OpenClaw gives its Telegram
 * channel up for good: such a box is not running but {@code bot_refused}, with the next step as its
 * last error, until the token works again ({@link BotWatcher}).
 */
public final class BotCheck {
  /** What the customer reads on the box (its last error) and in the mail. */
  public static final String REFUSED = "Telegram refused your bot token: send a new one.";

  private final TelegramBots telegram;
  private final BoxStore boxes;
  private final Database database;
  private final Progress progress;

  public BotCheck(TelegramBots telegram, BoxStore boxes, Database database, Progress progress) {
    this.telegram = telegram;
    this.boxes = boxes;
    this.database = database;
    this.progress = progress;
  }

  /**
   * Asks Telegram about the box's token.
   *
   * @return true when the bot answered getMe, false when Telegram refused the token
   * @throws UnavailableException when Telegram could not be asked
   */
  public boolean answers(Box box) {
    try {
      telegram.identify(boxes.openBotToken(box), "botToken");
      return true;
    } catch (InvalidInputException refused) {
      return false;
    }
  }

  /**
   * The end of a job that brought the box's gateway up: step {@code ready}, then {@code bot} and
   * the box running, or {@code bot_refused} and the box {@code bot_refused}. The box is marked
   * running (and so its {@code ready_at} set, which sends the "agent live" mail) only after its bot
   * answered.
   *
   * @return whether the box runs
   * @throws UnavailableException when Telegram could not be asked (the job is retried)
   */
  public boolean confirm(Job job, Box box) {
    progress.step(job, box, "ready", "Your agent's gateway is up.");
    if (answers(box)) {
      Box running =
          boxes.markObserved(database.execute(), box.id(), BoxObservedState.RUNNING, null);
      progress.step(job, running, "bot", "Your Telegram bot @" + box.botUsername() + " answered.");
      return true;
    }
    Box refused =
        boxes.markObserved(database.execute(), box.id(), BoxObservedState.BOT_REFUSED, REFUSED);
    progress.step(job, refused, "bot_refused", REFUSED);
    return false;
  }
}
