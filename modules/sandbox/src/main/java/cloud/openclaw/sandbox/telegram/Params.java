package cloud.openclaw.sandbox.telegram;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A Bot API call's parameters, as Telegram takes them: from the query string, and from a body that
 * is JSON (grammY's way), {@code application/x-www-form-urlencoded} or {@code multipart/form-data}
 * (files are ignored). Body parameters win over query parameters. In form and query parameters,
 * objects and arrays come as JSON text; {@link #json} reads either. Unknown parameters are ignored
 * by the methods, as Telegram ignores them.
 */
final class Params {
  private final Map<String, JsonNode> values;

  private Params(Map<String, JsonNode> values) {
    this.values = values;
  }

  static Params of(Map<String, JsonNode> values) {
    return new Params(new HashMap<>(values));
  }

  static Params read(ServerRequest request) {
    Map<String, JsonNode> values = new HashMap<>();
    form(request.query().rawValue(), values);
    if (request.content().hasEntity()) {
      byte[] body = request.content().as(byte[].class);
      String type =
          request.headers().first(HeaderNames.CONTENT_TYPE).orElse("").toLowerCase(Locale.ROOT);
      if (type.contains("json")) {
        json(body, values);
      } else if (type.startsWith("application/x-www-form-urlencoded")) {
        form(new String(body, StandardCharsets.UTF_8), values);
      } else if (type.startsWith("multipart/form-data")) {
        multipart(body, boundary(type, request), values);
      } else if (body.length > 0) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.startsWith("{")) {
          json(body, values);
        } else {
          form(text, values);
        }
      }
    }
    return new Params(values);
  }

  boolean has(String name) {
    JsonNode value = values.get(name);
    return value != null && !value.isNull() && !(value.isTextual() && value.asText().isEmpty());
  }

  /** The value as text (numbers as written, objects as JSON), or null when absent or empty. */
  String string(String name) {
    if (!has(name)) {
      return null;
    }
    JsonNode value = values.get(name);
    return value.isValueNode() ? value.asText() : value.toString();
  }

  /** A whole number; absent, empty or not a number: the default (Telegram reads them so). */
  long integer(String name, long absent) {
    Long value = optionalInteger(name);
    return value == null ? absent : value;
  }

  /** A whole number, or null when absent, empty or not a number. */
  Long optionalInteger(String name) {
    if (!has(name)) {
      return null;
    }
    JsonNode value = values.get(name);
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      return value.asLong();
    }
    if (value.isTextual()) {
      try {
        return Long.parseLong(value.asText().strip());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  boolean bool(String name) {
    if (!has(name)) {
      return false;
    }
    JsonNode value = values.get(name);
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    String text = value.asText().strip().toLowerCase(Locale.ROOT);
    return text.equals("true") || text.equals("1");
  }

  /** An object or array, given as JSON or (form, query) as JSON text; null when absent. */
  JsonNode json(String name) {
    if (!has(name)) {
      return null;
    }
    JsonNode value = values.get(name);
    if (value.isContainerNode()) {
      return value;
    }
    try {
      return Json.MAPPER.readTree(value.asText());
    } catch (IOException e) {
      throw BotApiException.badRequest("can't parse " + name + " JSON object");
    }
  }

  private static void json(byte[] body, Map<String, JsonNode> values) {
    JsonNode tree;
    try {
      tree = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw BotApiException.badRequest("can't parse JSON object");
    }
    if (tree == null || tree.isMissingNode()) {
      return;
    }
    if (!tree.isObject()) {
      throw BotApiException.badRequest("can't parse JSON object");
    }
    tree.properties().forEach(field -> values.put(field.getKey(), field.getValue()));
  }

  private static void form(String raw, Map<String, JsonNode> values) {
    if (raw == null || raw.isEmpty()) {
      return;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      try {
        values.put(decode(name), TextNode.valueOf(decode(value)));
      } catch (IllegalArgumentException e) {
        throw BotApiException.badRequest("can't parse parameters");
      }
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String boundary(String type, ServerRequest request) {
    // the lower-cased header is only used to find the parameter: the boundary keeps its case
    String original = request.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
    int at = type.indexOf("boundary=");
    if (at < 0) {
      throw BotApiException.badRequest("can't parse multipart/form-data: no boundary");
    }
    String boundary = original.substring(at + "boundary=".length());
    int semicolon = boundary.indexOf(';');
    if (semicolon >= 0) {
      boundary = boundary.substring(0, semicolon);
    }
    boundary = boundary.strip();
    if (boundary.length() > 1 && boundary.startsWith("\"") && boundary.endsWith("\"")) {
      boundary = boundary.substring(1, boundary.length() - 1);
    }
    return boundary;
  }

  /** The text fields of a multipart body; parts with a filename (uploads) are skipped. */
  private static void multipart(byte[] body, String boundary, Map<String, JsonNode> values) {
    // ISO-8859-1 maps each byte to one char, so offsets are byte offsets and nothing is lost
    String text = new String(body, StandardCharsets.ISO_8859_1);
    String delimiter = "--" + boundary;
    int at = text.indexOf(delimiter);
    while (at >= 0) {
      int start = at + delimiter.length();
      if (text.startsWith("--", start)) {
        return; // the closing delimiter
      }
      int next = text.indexOf("\r\n" + delimiter, start);
      if (next < 0) {
        return;
      }
      String part = text.substring(start, next);
      int headersEnd = part.indexOf("\r\n\r\n");
      if (headersEnd >= 0) {
        String headers = part.substring(0, headersEnd);
        String name = dispositionParameter(headers, "name");
        if (name != null && dispositionParameter(headers, "filename") == null) {
          byte[] value = part.substring(headersEnd + 4).getBytes(StandardCharsets.ISO_8859_1);
          values.put(
              new String(name.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8),
              TextNode.valueOf(new String(value, StandardCharsets.UTF_8)));
        }
      }
      at = next + 2;
    }
  }

  private static String dispositionParameter(String headers, String parameter) {
    for (String line : headers.split("\r\n")) {
      if (!line.toLowerCase(Locale.ROOT).startsWith("content-disposition:")) {
        continue;
      }
      for (String piece : line.split(";")) {
        String p = piece.strip();
        if (p.toLowerCase(Locale.ROOT).startsWith(parameter + "=")) {
          String value = p.substring(parameter.length() + 1);
          if (value.length() > 1 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          return value;
        }
      }
    }
    return null;
  }
}
