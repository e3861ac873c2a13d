package cloud.openclaw.platform.logging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per line: {@code time} (ISO-8601, UTC), {@code level}, {@code service}, {@code
 * logger}, {@code message}, {@code requestId} and {@code customerId} when the work has them ({@link
 * LogContext}), {@code error} (class, message and stack trace in one string) when a throwable came
 * with the record. Message and error pass through {@link Redaction}. Jackson escapes every newline,
 * so a stack trace never breaks the one-line rule.
 */
public final class JsonLogFormatter extends Formatter {
  private static final JsonFactory JSON = new JsonFactory();

  private final String service;

  /**
   * @param service the service every line is from (a service's own JVM); null where one JVM runs
   *     several (dev mode): the {@link LogContext}'s, else {@link ServiceNames#ofLogger}
   */
  public JsonLogFormatter(String service) {
    this.service = service;
  }

  @Override
  public String format(LogRecord record) {
    LogContext.Values context = LogContext.current();
    StringWriter out = new StringWriter(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("time", DateTimeFormatter.ISO_INSTANT.format(record.getInstant()));
      json.writeStringField("level", record.getLevel().getName());
      json.writeStringField("service", serviceOf(record, context));
      json.writeStringField("logger", record.getLoggerName() == null ? "" : record.getLoggerName());
      json.writeStringField("message", Redaction.apply(message(record)));
      if (context.requestId() != null) {
        json.writeStringField("requestId", context.requestId());
      }
      if (context.customerId() != null) {
        json.writeStringField("customerId", context.customerId());
      }
      if (record.getThrown() != null) {
        json.writeStringField("error", Redaction.apply(trace(record.getThrown())));
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.append('\n').toString();
  }

  private String serviceOf(LogRecord record, LogContext.Values context) {
    if (service != null) {
      return service;
    }
    if (context.service() != null) {
      return context.service();
    }
    return ServiceNames.ofLogger(record.getLoggerName());
  }

  // formatMessage applies {0}-style parameters; a malformed pattern leaves the raw message.
  private String message(LogRecord record) {
    try {
      return formatMessage(record);
    } catch (RuntimeException e) {
      return String.valueOf(record.getMessage());
    }
  }

  private static String trace(Throwable thrown) {
    StringWriter trace = new StringWriter();
    try (PrintWriter writer = new PrintWriter(trace)) {
      thrown.printStackTrace(writer);
    }
    return trace.toString().stripTrailing();
  }
}
