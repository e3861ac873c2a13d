package cloud.openclaw.platform.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(10));

  @Test
  void doublesFromTheBaseWithAtMostTenPercentJitter() {
    for (int attempt = 1; attempt <= 5; attempt++) {
      long expected = 2_000L << (attempt - 1);
      assertThat(backoff.after(attempt).toMillis()).isBetween(expected, expected + expected / 10);
    }
  }

  @Test
  void neverWaitsLongerThanTheCap() {
    assertThat(backoff.after(40)).isEqualTo(Duration.ofMinutes(10));
    assertThat(backoff.after(10)).isLessThanOrEqualTo(Duration.ofMinutes(10));
  }
}
