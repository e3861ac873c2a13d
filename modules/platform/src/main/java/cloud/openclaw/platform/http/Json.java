package cloud.openclaw.platform.http;

import cloud.openclaw.platform.errors.InvalidInputException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/** The platform's one JSON mapping: ISO-8601 times, unknown fields refused. */
public final class Json {
  /** Immutable once built; shared because configuring it twice would let the two drift apart. */
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Json() {}

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a request body into {@code type}; malformed or unexpected JSON, and anything after the
   * one JSON value, is the client's error.
   */
  public static <T> T read(byte[] body, Class<T> type) {
    try (JsonParser parser = MAPPER.createParser(body)) {
      T value = MAPPER.readValue(parser, type);
      if (value == null) {
        throw new InvalidInputException(null, "the request body must be a JSON object");
      }
      // Jackson stops after the first value: "{...} x" or two values would pass unnoticed.
      if (parser.nextToken() != null) {
        throw new InvalidInputException(null, "the request body has content after its JSON value");
      }
      return value;
    } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
      throw new InvalidInputException(
          e.getPropertyName(), "unknown field '" + e.getPropertyName() + "'");
    } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
      String field = e.getPath().isEmpty() ? null : e.getPath().getLast().getFieldName();
      throw new InvalidInputException(
          field, "wrong type or missing value" + (field == null ? "" : " for '" + field + "'"));
    } catch (java.io.IOException e) {
      throw new InvalidInputException(null, "the request body is not valid JSON");
    }
  }

  public static void send(ServerResponse response, Status status, Object body) {
    response.status(status);
    response.header(HeaderNames.CONTENT_TYPE, "application/json");
    response.send(write(body));
  }
}
