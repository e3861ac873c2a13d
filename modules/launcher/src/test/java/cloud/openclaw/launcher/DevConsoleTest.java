package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.logging.JsonLogFormatter;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class DevConsoleTest {
  private final DevConsole.OneLine format = new DevConsole.OneLine();

  @Test
  void newsIsOneShortLineAndAWarningSaysWhoWarns() {
    LogRecord step = new LogRecord(Level.INFO, "box {0} {1} {2}: {3}");
    step.setLoggerName("cloud.openclaw.operator.jobs.Progress");
    step.setParameters(new Object[] {"b0x", "provision", "live", "Your agent is live."});
    assertThat(format.format(step))
        .matches("\\d\\d:\\d\\d:\\d\\d box b0x provision live: Your agent is live\\.\\R");

    LogRecord warning = new LogRecord(Level.WARNING, "pool is slow");
    warning.setLoggerName("com.zaxxer.hikari.pool.HikariPool");
    warning.setThrown(new IllegalStateException("boom"));
    assertThat(format.format(warning))
        .startsWith(format.format(warning).substring(0, 9) + "WARNING HikariPool: pool is slow")
        .contains("java.lang.IllegalStateException: boom");
  }

  @Test
  void aSecretOrAnEmailIsMaskedOnTheConsoleToo() {
    LogRecord leak = new LogRecord(Level.INFO, "mail to ada@example.com with ?token=abc");
    leak.setLoggerName("cloud.openclaw.api.X");

    assertThat(format.format(leak)).contains("a***@example.com").contains("?token=<redacted>");
  }

  @Test
  void withLoggingFormatSetTheServicesOwnLinesAreWritten() throws Exception {
    try {
      DevConsole.install(Map.of("OPENCLAW_LOGGING_FORMAT", "json"));

      Handler[] handlers = Logger.getLogger("").getHandlers();
      assertThat(handlers).hasSize(1);
      assertThat(handlers[0].getFormatter()).isInstanceOf(JsonLogFormatter.class);
      LogRecord record = new LogRecord(Level.INFO, "x");
      record.setLoggerName("cloud.openclaw.billing.Main");
      assertThat(handlers[0].getFormatter().format(record))
          .contains("\"service\":\"billing-worker\"");
    } finally {
      LogManager.getLogManager().readConfiguration();
    }
  }
}
