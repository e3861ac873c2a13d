package cloud.openclaw.platform.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LogContextTest {
  @Test
  void aScopeSetsTheRequestIdAndRestoresWhatWasBefore() {
    assertThat(LogContext.requestId()).isEmpty();
    try (LogContext.Scope outer = LogContext.of("outer", "c1")) {
      try (LogContext.Scope inner = LogContext.request("inner")) {
        assertThat(LogContext.requestId()).contains("inner");
        assertThat(LogContext.customerId()).isEmpty();
      }
      assertThat(LogContext.requestId()).contains("outer");
      assertThat(LogContext.customerId()).contains("c1");
    }
    assertThat(LogContext.current()).isEqualTo(new LogContext.Values(null, null, null));
  }

  @Test
  void theCustomerFoundDuringARequestLastsUntilItsScopeCloses() {
    try (LogContext.Scope request = LogContext.request("r1")) {
      LogContext.customer(java.util.UUID.fromString("00000000-0000-0000-0000-000000000007"));
      assertThat(LogContext.customerId()).contains("00000000-0000-0000-0000-000000000007");
      assertThat(LogContext.requestId()).contains("r1");
    }
    assertThat(LogContext.customerId()).isEmpty();
  }

  @Test
  void aRequestRenamedKeepsItsNewIdUntilItsScopeCloses() {
    try (LogContext.Scope request = LogContext.of("filter-id", "c1")) {
      LogContext.renameRequest("req_own");
      assertThat(LogContext.requestId()).contains("req_own");
      assertThat(LogContext.customerId()).contains("c1");
    }
    LogContext.renameRequest("req_outside");
    assertThat(LogContext.requestId()).isEmpty();
  }

  @Test
  void aCustomerOutsideAnyScopeIsNotKept() {
    LogContext.customer("c9");

    assertThat(LogContext.customerId()).isEmpty();
  }

  @Test
  void theServiceStaysThroughARequestScope() {
    try (LogContext.Scope service = LogContext.service("api");
        LogContext.Scope request = LogContext.request("r2")) {
      assertThat(LogContext.service()).contains("api");
      assertThat(LogContext.requestId()).contains("r2");
    }
    assertThat(LogContext.service()).isEmpty();
  }

  @Test
  void anotherThreadDoesNotSeeTheValues() throws InterruptedException {
    AtomicReference<Optional<String>> seen = new AtomicReference<>();
    try (LogContext.Scope request = LogContext.request("mine")) {
      Thread other = Thread.ofVirtual().start(() -> seen.set(LogContext.requestId()));
      other.join();
    }
    assertThat(seen.get()).isEmpty();
  }

  @Test
  void blankValuesAreNone() {
    try (LogContext.Scope request = LogContext.of(" ", "")) {
      assertThat(LogContext.requestId()).isEmpty();
      assertThat(LogContext.customerId()).isEmpty();
    }
  }
}
