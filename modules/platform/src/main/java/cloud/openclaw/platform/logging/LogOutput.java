package cloud.openclaw.platform.logging;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Where a service's log records go: one handler on the root logger, writing {@code logging.format}
 * lines ({@code json}: {@link JsonLogFormatter}; {@code text}: one line of text) at {@code
 * logging.level} and above. {@link #close} puts back the root logger as it was (tests).
 */
public final class LogOutput implements AutoCloseable {
  public static final String FORMAT_KEY = "logging.format";
  public static final String LEVEL_KEY = "logging.level";

  private final Logger root = Logger.getLogger("");
  private final Handler[] previousHandlers;
  private final Level previousLevel;
  private final Handler handler;

  private LogOutput(Formatter formatter, Level level, OutputStream out) {
    previousHandlers = root.getHandlers();
    previousLevel = root.getLevel();
    handler = new FlushingHandler(out, formatter);
    handler.setLevel(Level.ALL);
    for (Handler old : previousHandlers) {
      root.removeHandler(old);
    }
    root.addHandler(handler);
    root.setLevel(level);
  }

  /**
   * Installs the output {@code settings} ask for.
   *
   * @param service what every line names as its service; null where one JVM runs several
   */
  public static LogOutput install(String service, Settings settings, OutputStream out) {
    return install(
        service, settings.optionalString(FORMAT_KEY), settings.optionalString(LEVEL_KEY), out);
  }

  public static LogOutput install(String service, String format, String level, OutputStream out) {
    return new LogOutput(formatter(service, format), level(level), out);
  }

  static Formatter formatter(String service, String format) {
    return switch (format.isBlank() ? "json" : format.strip().toLowerCase(Locale.ROOT)) {
      case "json" -> new JsonLogFormatter(service);
      case "text" -> new TextLine(service);
      default ->
          throw new ConfigurationException(FORMAT_KEY, "'" + format + "' is not json or text");
    };
  }

  static Level level(String level) {
    String name = level.isBlank() ? "INFO" : level.strip().toUpperCase(Locale.ROOT);
    name =
        switch (name) {
          case "WARN" -> "WARNING";
          case "ERROR" -> "SEVERE";
          case "DEBUG" -> "FINE";
          case "TRACE" -> "FINEST";
          default -> name;
        };
    for (Level known :
        List.of(
            Level.OFF,
            Level.SEVERE,
            Level.WARNING,
            Level.INFO,
            Level.CONFIG,
            Level.FINE,
            Level.FINER,
            Level.FINEST,
            Level.ALL)) {
      if (known.getName().equals(name)) {
        return known;
      }
    }
    throw new ConfigurationException(
        LEVEL_KEY, "'" + level + "' is not a level (SEVERE, WARNING, INFO, FINE, ...)");
  }

  /** Puts the root logger's handlers and level back. */
  @Override
  public void close() {
    handler.flush();
    root.removeHandler(handler);
    for (Handler old : previousHandlers) {
      root.addHandler(old);
    }
    root.setLevel(previousLevel);
  }

  /** A StreamHandler that flushes every line: a crash must not take the last lines with it. */
  private static final class FlushingHandler extends StreamHandler {
    FlushingHandler(OutputStream out, Formatter formatter) {
      super(out, formatter);
      try {
        setEncoding(StandardCharsets.UTF_8.name());
      } catch (java.io.UnsupportedEncodingException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public synchronized void publish(LogRecord record) {
      super.publish(record);
      flush();
    }

    // StreamHandler.close would close System.err.
    @Override
    public synchronized void close() {
      flush();
    }
  }

  /**
   * {@code 2026-12-03T22:00:00.123Z INFO api cloud.openclaw.api.X [request id] message}, the
   * throwable's trace after it: for people reading a terminal. Redacted like the JSON lines.
   */
  static final class TextLine extends Formatter {
    private final String service;

    TextLine(String service) {
      this.service = service;
    }

    @Override
    public String format(LogRecord record) {
      LogContext.Values context = LogContext.current();
      StringBuilder line =
          new StringBuilder(DateTimeFormatter.ISO_INSTANT.format(record.getInstant()))
              .append(' ')
              .append(record.getLevel().getName())
              .append(' ')
              .append(
                  service != null
                      ? service
                      : context.service() != null
                          ? context.service()
                          : ServiceNames.ofLogger(record.getLoggerName()))
              .append(' ')
              .append(record.getLoggerName());
      if (context.requestId() != null) {
        line.append(" [").append(context.requestId()).append(']');
      }
      line.append(' ').append(Redaction.apply(formatMessage(record))).append('\n');
      if (record.getThrown() != null) {
        StringWriter trace = new StringWriter();
        record.getThrown().printStackTrace(new PrintWriter(trace));
        line.append(Redaction.apply(trace.toString()));
      }
      return line.toString();
    }
  }
}
