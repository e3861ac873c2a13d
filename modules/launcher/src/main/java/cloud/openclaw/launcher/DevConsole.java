package cloud.openclaw.launcher;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.logging.JsonLogFormatter;
import cloud.openclaw.platform.logging.LogOutput;
import cloud.openclaw.platform.logging.Redaction;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Dev mode's console: the platform's own news at INFO (a box's milestones, gateways started,
 * reconciler repairs), everyone else's (Helidon, Hikari, Flyway, embedded PostgreSQL) only when it
 * is a warning, each record on one short line, redacted as the services' lines are. With {@code
 * OPENCLAW_LOGGING_FORMAT} set ({@code json} or {@code text}), the services' own output instead, at
 * {@code OPENCLAW_LOGGING_LEVEL}: each line names its service by the request or the logger's
 * package ({@link JsonLogFormatter} without a service). Left alone when a logging configuration is
 * given ({@code -Djava.util.logging.config.file}).
 */
final class DevConsole {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  /** Held here: a logger nobody references may be collected, and its level with it. */
  private static final Logger PLATFORM = Logger.getLogger("cloud.openclaw");

  private DevConsole() {}

  static void install(Map<String, String> environment) {
    if (System.getProperty("java.util.logging.config.file") != null
        || System.getProperty("java.util.logging.config.class") != null) {
      return;
    }
    String format = environment.get(ConfigLoader.environmentName(LogOutput.FORMAT_KEY));
    if (format != null && !format.isBlank()) {
      LogManager.getLogManager().reset();
      LogOutput.install(
          null,
          format,
          environment.getOrDefault(ConfigLoader.environmentName(LogOutput.LEVEL_KEY), ""),
          System.err);
      return;
    }
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(Level.WARNING);
    ConsoleHandler console = new ConsoleHandler();
    console.setLevel(Level.ALL);
    console.setFormatter(new OneLine());
    root.addHandler(console);
    PLATFORM.setLevel(Level.INFO);
  }

  /** {@code 12:00:01 message}, warnings with their level and source, and a throwable's trace. */
  static final class OneLine extends Formatter {
    @Override
    public String format(LogRecord record) {
      StringBuilder line =
          new StringBuilder(
              LocalTime.ofInstant(record.getInstant(), ZoneId.systemDefault()).format(TIME));
      line.append(' ');
      if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
        String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
        line.append(record.getLevel().getName())
            .append(' ')
            .append(logger.substring(logger.lastIndexOf('.') + 1))
            .append(": ");
      }
      line.append(Redaction.apply(formatMessage(record))).append(System.lineSeparator());
      if (record.getThrown() != null) {
        StringWriter trace = new StringWriter();
        record.getThrown().printStackTrace(new PrintWriter(trace));
        line.append(Redaction.apply(trace.toString()));
      }
      return line.toString();
    }
  }
}
