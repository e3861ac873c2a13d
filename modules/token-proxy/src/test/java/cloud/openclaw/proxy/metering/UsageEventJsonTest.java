package cloud.openclaw.proxy.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.domain.UsageOutcome;
import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.DeserializationFeature;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UsageEventJsonTest {
  static final UsageEvent EVENT =
      new UsageEvent(
          "req_\"odd\"\\id",
          UUID.randomUUID(),
          UUID.randomUUID(),
          "kimi-k2.6",
          1200,
          340,
          100,
          20,
          UsageOutcome.CLIENT_CANCELLED,
          true,
          87,
          412,
          Instant.parse("2026-11-26T17:00:00.123456Z"),
          null);

  @Test
  void readsBackWhatItWrites() throws Exception {
    assertThat(UsageEventJson.read(UsageEventJson.write(EVENT))).isEqualTo(EVENT);
  }

  @Test
  void speaksTheSameJsonAsTheGenericMapping() throws Exception {
    String generic = Json.write(EVENT);

    assertThat(UsageEventJson.read(generic)).isEqualTo(EVENT);
    assertThat(
            Json.MAPPER
                .readerFor(UsageEvent.class)
                .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .<UsageEvent>readValue(UsageEventJson.write(EVENT)))
        .isEqualTo(EVENT);
  }

  @Test
  void skipsFieldsItDoesNotKnowAndTakesNullsAsAbsent() throws Exception {
    String newer =
        UsageEventJson.write(EVENT)
            .replace("{", "{\"region\":{\"name\":\"eu\"},\"tags\":[1,2],")
            .replace("\"upstreamLatencyMs\":87", "\"upstreamLatencyMs\":null");

    UsageEvent read = UsageEventJson.read(newer);
    assertThat(read.upstreamLatencyMs()).isNull();
    assertThat(read.requestId()).isEqualTo(EVENT.requestId());
  }

  @Test
  void refusesWhatIsNoEvent() {
    assertThatThrownBy(() -> UsageEventJson.read("{\"requestId\":\"r\"}"))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> UsageEventJson.read("[1]"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                UsageEventJson.read(
                    UsageEventJson.write(EVENT).replace("CLIENT_CANCELLED", "SOMETHING")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
