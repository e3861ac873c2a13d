package cloud.openclaw.launcher;

import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.logging.JsonLogFormatter;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every log record of the JVM (the services dev mode runs in it) while open: the JSON line each
 * service would write (formatted on the logging thread, so with its {@code LogContext}; the service
 * from the context or the logger's package, as where one JVM runs them all), and the record's text
 * before redaction (message and trace), to catch code that logs a secret the redaction would hide.
 */
final class LogCapture extends Handler implements AutoCloseable {
  private final Formatter json = new JsonLogFormatter(null);
  private final Formatter plain =
      new Formatter() {
        @Override
        public String format(LogRecord record) {
          return formatMessage(record);
        }
      };
  private final List<String> lines = new ArrayList<>();
  private final List<String> raw = new ArrayList<>();

  private LogCapture() {}

  static LogCapture install() {
    LogCapture capture = new LogCapture();
    Logger.getLogger("").addHandler(capture);
    return capture;
  }

  @Override
  public void publish(LogRecord record) {
    if (!Logger.getLogger("").isLoggable(record.getLevel())) {
      return;
    }
    String line = json.format(record);
    StringWriter text = new StringWriter().append(plain.format(record));
    if (record.getThrown() != null) {
      record.getThrown().printStackTrace(new PrintWriter(text));
    }
    synchronized (this) {
      lines.add(line);
      raw.add(text.toString());
    }
  }

  /** The JSON lines so far, each exactly as formatted (newline included). */
  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /** The lines so far, parsed: each must be one JSON object. */
  List<JsonNode> parsed() {
    List<JsonNode> parsed = new ArrayList<>();
    for (String line : lines()) {
      try {
        parsed.add(Json.MAPPER.readTree(line));
      } catch (IOException e) {
        throw new UncheckedIOException("not a JSON line: " + line, e);
      }
    }
    return parsed;
  }

  /** Each record's message and trace as logged, before redaction. */
  synchronized List<String> raw() {
    return List.copyOf(raw);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    Logger.getLogger("").removeHandler(this);
  }
}
