package cloud.openclaw.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A corpus of bad requests for one route (the api's and the token proxy's BadInputCorpusIT): path
 * and query tricks, wrong JSON types, missing and extra fields, huge strings, deep nesting, a large
 * body, invalid UTF-8, wrong content types, trailing content. And a sender that gets every one of
 * them onto the wire, as raw bytes when java.net.URI refuses the path.
 */
public final class BadInputs {
  public static final int HUGE_STRING = 1_000_000;
  public static final int LARGE_BODY = 8 * 1024 * 1024;
  public static final int NESTING = 10_000;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private BadInputs() {}

  /** One request of the corpus. */
  public record Input(String name, String method, String path, String contentType, byte[] body) {}

  /** What came back: status 0 when the server closed the connection without an answer. */
  public record Answer(int status, String contentType, String body) {}

  /** Inputs sent to one route, and the statuses they met. */
  public static final class Tally {
    private int inputs;
    private final Set<Integer> statuses = new TreeSet<>();

    public void add(Answer answer) {
      inputs++;
      statuses.add(answer.status());
    }

    public int inputs() {
      return inputs;
    }

    public Set<Integer> statuses() {
      return statuses;
    }
  }

  /** A markdown table of the tallies by route, with a total. */
  public static String table(Map<String, Tally> tallies) {
    StringBuilder table = new StringBuilder("| route | inputs | statuses seen |\n|---|---|---|\n");
    int total = 0;
    for (Map.Entry<String, Tally> entry : tallies.entrySet()) {
      total += entry.getValue().inputs();
      table
          .append("| `")
          .append(entry.getKey())
          .append("` | ")
          .append(entry.getValue().inputs())
          .append(" | ")
          .append(entry.getValue().statuses())
          .append(" |\n");
    }
    return table
        .append("| all ")
        .append(tallies.size())
        .append(" routes | ")
        .append(total)
        .append(" | |\n")
        .toString();
  }

  /** {@code template}'s {param}s as a random, well-formed UUID. */
  public static String concrete(String template) {
    return template.replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
  }

  /** Path and query tricks for a route of any method. */
  public static List<Input> pathAndQuery(String method, String template) {
    List<Input> inputs = new ArrayList<>();
    if (template.contains("{")) {
      for (String trick :
          List.of(
              "..",
              "%2e%2e",
              "..%2f..%2fadmin%2faudit",
              "a%2Fb",
              "%2F",
              "x".repeat(10_000),
              "123",
              "00000000-0000-0000-0000-000000000000",
              "%00",
              "%ff%fe",
              "%zz",
              "%27%20OR%20%271%27%3D%271",
              "%C3%A9t%C3%A9",
              UUID.randomUUID() + "%20",
              UUID.randomUUID().toString().toUpperCase(Locale.ROOT) + "x")) {
        inputs.add(
            new Input(
                "path " + label(trick),
                method,
                template.replaceAll("\\{[^}]+}", trick),
                null,
                null));
      }
    } else {
      for (String trick : List.of("/..", "/%2e%2e/admin/audit", "/%2F", "/../admin/audit", "%zz")) {
        inputs.add(new Input("path +" + label(trick), method, template + trick, null, null));
      }
    }
    String path = concrete(template);
    for (String query :
        List.of(
            "limit=-1",
            "limit=99999999999999999999",
            "limit=1e3",
            "offset=-5",
            "offset=99999999999",
            "cursor=%00",
            "cursor=" + "A".repeat(10_000),
            "q=%zz",
            "q=" + "%ff".repeat(100),
            "status=%00",
            "boxId=..%2f",
            "customerId=not-a-uuid",
            "token=" + "t".repeat(10_000),
            "limit=1&limit=2")) {
      inputs.add(new Input("query " + label(query), method, path + "?" + query, null, null));
    }
    return inputs;
  }

  /** Bad bodies for a route that takes one; {@code fields} are those its documented body names. */
  public static List<Input> bodies(String method, String template, List<String> fields) {
    String path = concrete(template);
    Map<String, String> bodies = new LinkedHashMap<>();
    bodies.put("empty body", "");
    bodies.put("null", "null");
    bodies.put("array", "[]");
    bodies.put("string", "\"text\"");
    bodies.put("number", "12");
    bodies.put("boolean", "true");
    bodies.put("missing fields", "{}");
    bodies.put("extra field", "{\"unexpected\":1}");
    bodies.put("malformed", "{\"email\":");
    bodies.put("trailing object", "{} {}");
    bodies.put("trailing garbage", "{}garbage");
    bodies.put("duplicate keys", "{\"a\":1,\"a\":2}");
    bodies.put("NUL in a string", "{\"x\":\"a\\u0000b\"}");
    bodies.put("lone surrogate", "{\"x\":\"\\ud800\"}");
    bodies.put("huge number", "{\"x\":1e999999}");
    bodies.put("long number", "{\"x\":" + "9".repeat(5_000) + "}");
    bodies.put("deep arrays", "[".repeat(NESTING) + "]".repeat(NESTING));
    bodies.put("deep objects", "{\"a\":".repeat(NESTING) + "1" + "}".repeat(NESTING));
    Map<String, String> wrongTypes = new LinkedHashMap<>();
    wrongTypes.put("object", "{\"n\":true}");
    wrongTypes.put("array", "[1,2]");
    wrongTypes.put("number", "123456789012345678901234567890");
    wrongTypes.put("negative", "-1");
    wrongTypes.put("boolean", "false");
    wrongTypes.put("null", "null");
    wrongTypes.put("NUL string", "\"\\u0000\"");
    wrongTypes.put("empty string", "\"\"");
    for (String field : fields) {
      wrongTypes.forEach(
          (type, value) -> bodies.put(field + " as " + type, "{\"" + field + "\":" + value + "}"));
      bodies.put(field + " huge", "{\"" + field + "\":\"" + "a".repeat(HUGE_STRING) + "\"}");
      bodies.put(
          field + " deep", "{\"" + field + "\":" + "[".repeat(NESTING) + "]".repeat(NESTING) + "}");
      bodies.put(field + " plus extra", "{\"" + field + "\":\"x\",\"extra\":1}");
    }
    List<Input> inputs = new ArrayList<>();
    bodies.forEach(
        (name, body) -> inputs.add(new Input(name, method, path, "application/json", utf8(body))));
    byte[] large = new byte[LARGE_BODY];
    Arrays.fill(large, (byte) ' ');
    large[0] = '{';
    large[LARGE_BODY - 1] = '}';
    inputs.add(new Input("8 MiB body", method, path, "application/json", large));
    inputs.add(
        new Input(
            "invalid UTF-8",
            method,
            path,
            "application/json",
            new byte[] {
              '{', '"', 'x', '"', ':', '"', (byte) 0xff, (byte) 0xfe, (byte) 0xc3, '"', '}'
            }));
    inputs.add(
        new Input(
            "invalid UTF-8 key",
            method,
            path,
            "application/json",
            new byte[] {'{', '"', (byte) 0xc0, (byte) 0xaf, '"', ':', '1', '}'}));
    for (String type :
        List.of(
            "text/plain",
            "application/xml",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json; charset=latin1",
            "application/json; charset=nope",
            "none",
            "*/*",
            "application/octet-stream")) {
      inputs.add(
          new Input(
              "content type " + type, method, path, type.equals("none") ? null : type, utf8("{}")));
    }
    inputs.add(
        new Input(
            "form body",
            method,
            path,
            "application/x-www-form-urlencoded",
            utf8("token=%ff%00&token=" + "a".repeat(10_000))));
    inputs.add(
        new Input(
            "xml entity body",
            method,
            path,
            "application/xml",
            utf8(
                "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY e SYSTEM"
                    + " \"file:///etc/passwd\">]><a>&e;</a>")));
    return inputs;
  }

  /**
   * Sends {@code input} with {@code headers}; a streamed 2xx (text/event-stream) is closed after
   * its headers.
   */
  public static Answer send(HttpClient http, URI base, Input input, Map<String, String> headers)
      throws InterruptedException {
    URI uri;
    try {
      uri = URI.create(base + input.path());
    } catch (IllegalArgumentException e) {
      return raw(base, input, headers); // a malformed escape java.net.URI will not take
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
    headers.forEach(request::header);
    if (input.contentType() != null) {
      request.header("Content-Type", input.contentType());
    }
    request.method(
        input.method(),
        input.body() == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(input.body()));
    try {
      HttpResponse<InputStream> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      String type = response.headers().firstValue("Content-Type").orElse("");
      try (InputStream body = response.body()) {
        String text =
            type.startsWith("text/event-stream")
                ? ""
                : new String(body.readAllBytes(), StandardCharsets.UTF_8);
        return new Answer(response.statusCode(), type, text);
      }
    } catch (HttpTimeoutException e) {
      return new Answer(-1, "", "no answer within " + TIMEOUT);
    } catch (IOException e) {
      // The server may close a connection whose body it will not read.
      return new Answer(0, "", String.valueOf(e));
    }
  }

  /** The request written on a socket as is. */
  private static Answer raw(URI base, Input input, Map<String, String> headers) {
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      byte[] body = input.body() == null ? new byte[0] : input.body();
      StringBuilder head =
          new StringBuilder(input.method() + " " + input.path() + " HTTP/1.1\r\n")
              .append("Host: ")
              .append(base.getHost())
              .append("\r\nConnection: close\r\nContent-Length: ")
              .append(body.length)
              .append("\r\n");
      headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
      if (input.contentType() != null) {
        head.append("Content-Type: ").append(input.contentType()).append("\r\n");
      }
      head.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (answer.length() < 12) {
        return new Answer(0, "", answer);
      }
      int status = Integer.parseInt(answer.substring(9, 12));
      int split = answer.indexOf("\r\n\r\n");
      String head2 = answer.substring(0, split < 0 ? answer.length() : split);
      String type = "";
      for (String line : head2.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-type:")) {
          type = line.substring("content-type:".length()).strip();
        }
      }
      return new Answer(status, type, split < 0 ? "" : answer.substring(split + 4));
    } catch (IOException e) {
      return new Answer(0, "", String.valueOf(e));
    }
  }

  /** One line for a failure: the request, who sent it and what came back. */
  public static String describe(Input input, String sender, Answer answer) {
    return input.method()
        + " "
        + shorten(input.path())
        + " ["
        + input.name()
        + ", "
        + sender
        + "]: "
        + answer.status()
        + " "
        + shorten(answer.body());
  }

  public static String shorten(String text) {
    return text == null || text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }

  private static String label(String raw) {
    return raw.length() > 24 ? raw.substring(0, 12) + "...(" + raw.length() + ")" : raw;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
