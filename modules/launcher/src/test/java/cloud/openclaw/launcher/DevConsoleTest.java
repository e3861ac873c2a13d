package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.LogRecord;
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
}
