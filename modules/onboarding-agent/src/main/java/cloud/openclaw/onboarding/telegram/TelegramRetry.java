package cloud.openclaw.onboarding.telegram;

import cloud.openclaw.platform.telegram.TelegramException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Repeats a Bot API call while Telegram says it may work later: after a 429 it waits the
 * retry_after Telegram asked for, after a 5xx or no answer it backs off (1 s doubling to 30 s).
 * Other failures are thrown at once. Waits end early when the thread is interrupted (the bot
 * stops).
 */
final class TelegramRetry {
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private TelegramRetry() {}

  /**
   * {@code call}'s answer, trying at most {@code attempts} times.
   *
   * @throws TelegramException the last failure when it is not retryable or attempts ran out
   * @throws InterruptedException when interrupted while waiting
   */
  static <T> T call(Supplier<T> call, int attempts) throws InterruptedException {
    Duration backoff = FIRST_BACKOFF;
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (TelegramException e) {
        if (!e.retryable() || attempt >= attempts) {
          throw e;
        }
        Duration wait = e.retryAfter().orElse(backoff);
        backoff = next(backoff);
        Thread.sleep(wait);
      }
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException();
      }
    }
  }

  /** {@link #call} for calls without an answer. */
  static void run(Runnable call, int attempts) throws InterruptedException {
    call(
        () -> {
          call.run();
          return null;
        },
        attempts);
  }

  static Duration next(Duration backoff) {
    Duration doubled = backoff.multipliedBy(2);
    return doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
  }
}
