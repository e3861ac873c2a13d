package cloud.openclaw.platform.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class JsonLogFormatterTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void aRecordIsOneJsonLineWithItsFields() throws Exception {
    LogRecord record = record(Level.INFO, "box {0} is {1}", "b1", "running");
    record.setInstant(Instant.parse("2026-12-03T22:00:01.123456Z"));

    String line;
    try (LogContext.Scope scope = LogContext.of("req-1", "cust-1")) {
      line = new JsonLogFormatter("operator").format(record);
    }

    assertThat(line).endsWith("\n").doesNotContain("\r");
    assertThat(line.strip()).doesNotContain("\n");
    JsonNode json = MAPPER.readTree(line);
    assertThat(json.path("time").asText()).isEqualTo("2026-12-03T22:00:01.123456Z");
    assertThat(json.path("level").asText()).isEqualTo("INFO");
    assertThat(json.path("service").asText()).isEqualTo("operator");
    assertThat(json.path("logger").asText()).isEqualTo("cloud.openclaw.operator.jobs.BoxJobs");
    assertThat(json.path("message").asText()).isEqualTo("box b1 is running");
    assertThat(json.path("requestId").asText()).isEqualTo("req-1");
    assertThat(json.path("customerId").asText()).isEqualTo("cust-1");
    assertThat(json.has("error")).isFalse();
  }

  @Test
  void withoutContextTheIdsAreLeftOut() throws Exception {
    JsonNode json = MAPPER.readTree(new JsonLogFormatter("api").format(record(Level.WARNING, "x")));

    assertThat(json.has("requestId")).isFalse();
    assertThat(json.has("customerId")).isFalse();
    assertThat(json.path("level").asText()).isEqualTo("WARNING");
  }

  @Test
  void aThrowableIsOneStringOnTheSameLine() throws Exception {
    LogRecord record = record(Level.SEVERE, "failed");
    record.setThrown(
        new IllegalStateException("bad \"thing\"\nsecond line", new RuntimeException("cause")));

    String line = new JsonLogFormatter("api").format(record);

    assertThat(line.strip()).doesNotContain("\n");
    String error = MAPPER.readTree(line).path("error").asText();
    assertThat(error)
        .startsWith("java.lang.IllegalStateException: bad \"thing\"\nsecond line")
        .contains("at cloud.openclaw.platform.logging.JsonLogFormatterTest")
        .contains("Caused by: java.lang.RuntimeException: cause");
  }

  @Test
  void secretsAndEmailsInMessageAndErrorAreMasked() throws Exception {
    String token = "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    LogRecord record = record(Level.WARNING, "bot {0} of {1}", token, "owner@example.com");
    record.setThrown(new RuntimeException("refused sk_test_abcdef123456 for owner@example.com"));

    String line = new JsonLogFormatter("api").format(record);

    assertThat(line)
        .doesNotContain(token)
        .doesNotContain("owner@example.com")
        .doesNotContain("sk_test_abcdef123456")
        .contains("o***@example.com");
  }

  @Test
  void withoutAFixedServiceTheContextsThenTheLoggersNameSays() throws Exception {
    JsonLogFormatter shared = new JsonLogFormatter(null);
    LogRecord proxy = record(Level.INFO, "x");
    proxy.setLoggerName("cloud.openclaw.proxy.Main");
    LogRecord helidon = record(Level.INFO, "x");
    helidon.setLoggerName("io.helidon.webserver.LoomServer");

    assertThat(MAPPER.readTree(shared.format(proxy)).path("service").asText())
        .isEqualTo("token-proxy");
    assertThat(MAPPER.readTree(shared.format(helidon)).path("service").asText())
        .isEqualTo("platform");
    try (LogContext.Scope service = LogContext.service("billing-worker")) {
      assertThat(MAPPER.readTree(shared.format(helidon)).path("service").asText())
          .isEqualTo("billing-worker");
    }
  }

  @Test
  void aMalformedPatternLeavesTheRawMessage() throws Exception {
    LogRecord record = record(Level.INFO, "braces {0 never closed", "p");

    assertThat(MAPPER.readTree(new JsonLogFormatter("api").format(record)).path("message").asText())
        .startsWith("braces {0");
  }

  private static LogRecord record(Level level, String message, Object... parameters) {
    LogRecord record = new LogRecord(level, message);
    record.setLoggerName("cloud.openclaw.operator.jobs.BoxJobs");
    record.setParameters(parameters.length == 0 ? null : parameters);
    return record;
  }
}
