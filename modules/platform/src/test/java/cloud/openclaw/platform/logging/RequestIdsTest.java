package cloud.openclaw.platform.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
  private static final URI SOMEWHERE = URI.create("http://127.0.0.1:1/x");

  @Test
  void aSaneIncomingIdIsKeptAndAnythingElseReplaced() {
    assertThat(RequestIds.accept("job-42")).isEqualTo("job-42");
    assertThat(RequestIds.accept("evt_1Abc:2.3")).isEqualTo("evt_1Abc:2.3");
    assertThat(RequestIds.accept("a b")).matches("[0-9a-f]{16}");
    assertThat(RequestIds.accept("x".repeat(65))).matches("[0-9a-f]{16}");
    assertThat(RequestIds.accept("\"}\n{\"level\":\"SEVERE\"")).matches("[0-9a-f]{16}");
    assertThat(RequestIds.accept(null)).matches("[0-9a-f]{16}");
  }

  @Test
  void aCallMadeDuringARequestCarriesItsId() {
    try (LogContext.Scope request = LogContext.request("r-77")) {
      HttpRequest call = RequestIds.passOn(HttpRequest.newBuilder(SOMEWHERE)).build();
      assertThat(call.headers().firstValue(RequestIds.HEADER)).contains("r-77");
    }
  }

  @Test
  void aCallMadeOutsideAnyRequestGetsANewIdOfItsOwn() {
    HttpRequest first = RequestIds.passOn(HttpRequest.newBuilder(SOMEWHERE)).build();
    HttpRequest second = RequestIds.passOn(HttpRequest.newBuilder(SOMEWHERE)).build();
    assertThat(first.headers().firstValue(RequestIds.HEADER).orElseThrow())
        .matches("[0-9a-f]{16}")
        .isNotEqualTo(second.headers().firstValue(RequestIds.HEADER).orElseThrow());
  }
}
