package cloud.openclaw.sandbox.kimi;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for Kimi (Moonshot)'s OpenAI-compatible API, mounted at {@value #MOUNT}: the base URL
 * is {@code http://<sandbox>/kimi/v1}. It answers deterministically, so tests can assert exact
 * replies and token counts, and it is cheap (one Jackson parse per request, no per-request
 * logging), because it is also the benchmark's upstream.
 *
 * <h2>Endpoints</h2>
 *
 * <ul>
 *   <li>{@code POST /kimi/v1/chat/completions}: {@code Authorization: Bearer
 *       <sandbox.kimi.api-key>} or 401 {@code invalid_authentication_error}/{@code
 *       invalid_api_key}. The body must be a JSON object with {@code model} (one of {@code
 *       sandbox.kimi.models}, else 404 {@code resource_not_found_error}/{@code model_not_found})
 *       and a non-empty {@code messages} array, else 400 {@code invalid_request_error}. {@code
 *       max_completion_tokens} (or else {@code max_tokens}), when given, must be a whole number of
 *       at least 1.
 *   <li>{@code GET /kimi/v1/models}: the configured models as an OpenAI list (auth required).
 *   <li>{@code GET /kimi/_sandbox/stats}: {@code {"requests": n, "streamsAborted": m}} (no auth).
 *   <li>Anything else under /kimi: 404 in OpenAI's error shape.
 * </ul>
 *
 * <p>Errors have OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}}.
 *
 * <h2>The reply</h2>
 *
 * <p>The reply is {@code "echo: " + <text of the last message with role user>}; a content array
 * contributes its parts' {@code text} joined with "\n" (no user message: empty text). A word is a
 * maximal run of non-whitespace characters. With {@code max_completion_tokens} (or {@code
 * max_tokens}) N below the reply's word count, the reply is cut after its N-th word and {@code
 * finish_reason} is {@code "length"}; otherwise {@code "stop"}.
 *
 * <p>Tool calls: when the request has a non-empty {@code tools} array and the last user text starts
 * with {@code "/tool <name> <json-args>"}, the answer is an assistant message with {@code content}
 * null and {@code tool_calls: [{id: "call_<n>", type: "function", function: {name, arguments:
 * "<json-args>"}}]} ({@code "{}"} when no arguments follow the name; the arguments are passed on as
 * written, not checked), {@code finish_reason "tool_calls"}; no truncation applies.
 *
 * <h2>Token counts (exact, so tests can assert them)</h2>
 *
 * <ul>
 *   <li>{@code prompt_tokens = ceil(B / 4) + 4 * M}, where B is the total UTF-8 byte length of all
 *       messages' contents (string contents, plus the {@code text} of every part of array contents;
 *       anything else, such as tool_calls, counts 0) and M the number of messages.
 *   <li>{@code completion_tokens = W + R}: W is the number of words in the reply as sent (after
 *       truncation; for a tool call, the words of {@code "<name> <json-args>"}), R the reasoning
 *       tokens below. As with OpenAI and Kimi, reasoning tokens are part of the completion tokens.
 *   <li>{@code total_tokens = prompt_tokens + completion_tokens}.
 *   <li>Cached tokens: 0, or n from {@code X-Sandbox-Cached-Tokens: n}, reported both as {@code
 *       usage.cached_tokens} (as Kimi does) and {@code usage.prompt_tokens_details.cached_tokens}
 *       (as OpenAI does). They are part of prompt_tokens: keep n at most prompt_tokens, it is not
 *       clamped.
 *   <li>Reasoning tokens: 0, or n from {@code X-Sandbox-Reasoning-Tokens: n}, reported as {@code
 *       usage.completion_tokens_details.reasoning_tokens} (and counted in completion_tokens).
 * </ul>
 *
 * <h2>Streaming ({@code "stream": true})</h2>
 *
 * <p>{@code text/event-stream} of {@code data: <chat.completion.chunk>\n\n} events, each flushed as
 * written: a role delta ({@code {"role":"assistant","content":""}}), then one content delta per
 * word of the reply (the word and the whitespace that follows it, so the deltas concatenate to the
 * non-streamed content), then a chunk with an empty delta and the {@code finish_reason}. A tool
 * call streams as OpenAI does: a first delta with the role and {@code tool_calls[0]} (index, id,
 * type, name, empty arguments), then argument fragments of up to 16 characters, then the finish
 * chunk. Usage follows OpenAI: only when {@code stream_options.include_usage} is true, as one more
 * chunk with {@code "choices": []} and a top-level {@code usage}. With {@code X-Sandbox-Usage-In:
 * choices} usage is instead put in the finish chunk's {@code choices[0].usage}, as Kimi sometimes
 * does (whatever include_usage says). The stream ends with {@code data: [DONE]\n\n}.
 *
 * <h2>Test controls (request headers of POST /chat/completions)</h2>
 *
 * <ul>
 *   <li>{@code X-Sandbox-Latency-Ms: n}: wait n ms before anything is answered, instead of {@code
 *       sandbox.kimi.latency}.
 *   <li>{@code X-Sandbox-Chunk-Delay-Ms: n}: wait n ms between streamed events (client-disconnect
 *       tests; a stream cut by its client counts in {@code streamsAborted}).
 *   <li>{@code X-Sandbox-Status: code} (400..599): answer that status with an OpenAI-shaped error
 *       (after the latency and the auth check; the body is not read). 400 invalid_request_error,
 *       401 invalid_authentication_error, 403 permission_denied_error, 404
 *       resource_not_found_error, 429 rate_limit_reached_error (with {@code Retry-After: 1}), 503
 *       engine_overloaded_error, other 4xx invalid_request_error, other 5xx server_error.
 *   <li>{@code X-Sandbox-Stall} (any value): answer nothing (not even headers) until the sandbox
 *       stops or 5 minutes pass, then 504. The connection is not read while held, so a client that
 *       gives up is only noticed when the hold ends.
 *   <li>{@code X-Sandbox-Cached-Tokens: n}, {@code X-Sandbox-Reasoning-Tokens: n}: see token
 *       counts.
 *   <li>{@code X-Sandbox-Usage-In: choices}: see streaming.
 * </ul>
 *
 * <p>The same controls may come in the request body, for clients that cannot set headers (a request
 * through the token proxy): an object {@code "sandbox": {"latency_ms", "stall", "status",
 * "chunk_delay_ms", "cached_tokens", "reasoning_tokens", "usage_in"}}, which wins over the headers.
 * The real Kimi would refuse such a field; only tests send it.
 *
 * <p>A malformed control header is a 400 naming it. {@link #requests()} counts every request under
 * /kimi except /kimi/_sandbox/*, whatever its outcome, so a test can assert that the upstream was
 * never called.
 */
public final class KimiStandIn implements HttpService {
  /** Where the sandbox mounts it. */
  public static final String MOUNT = "/kimi";

  static final Duration STALL_LIMIT = Duration.ofMinutes(5);
  static final int ARGUMENT_FRAGMENT = 16;

  static final HeaderName LATENCY_MS = HeaderNames.create("X-Sandbox-Latency-Ms");
  static final HeaderName CHUNK_DELAY_MS = HeaderNames.create("X-Sandbox-Chunk-Delay-Ms");
  static final HeaderName STATUS = HeaderNames.create("X-Sandbox-Status");
  static final HeaderName STALL = HeaderNames.create("X-Sandbox-Stall");
  static final HeaderName CACHED_TOKENS = HeaderNames.create("X-Sandbox-Cached-Tokens");
  static final HeaderName REASONING_TOKENS = HeaderNames.create("X-Sandbox-Reasoning-Tokens");
  static final HeaderName USAGE_IN = HeaderNames.create("X-Sandbox-Usage-In");

  /** When the listed models were "created": fixed, so the list is deterministic. */
  private static final long MODELS_CREATED = 1_767_225_600L;

  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END_OF_EVENT = "\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

  private final String apiKey;
  private final Duration latency;
  private final Set<String> models;
  private final byte[] modelList;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong streamsAborted = new AtomicLong();
  private final AtomicLong toolCalls = new AtomicLong();
  private final CountDownLatch stopped = new CountDownLatch(1);

  public KimiStandIn(KimiSettings settings) {
    this.apiKey = settings.apiKey();
    this.latency = settings.latency();
    this.models = Set.copyOf(new LinkedHashSet<>(settings.models()));
    ObjectNode list = object();
    list.put("object", "list");
    ArrayNode data = list.putArray("data");
    for (String id : new LinkedHashSet<>(settings.models())) {
      data.addObject()
          .put("id", id)
          .put("object", "model")
          .put("created", MODELS_CREATED)
          .put("owned_by", "moonshot");
    }
    this.modelList = bytes(list);
  }

  /** Requests received under /kimi (any outcome), /kimi/_sandbox/* excepted. */
  public long requests() {
    return requests.get();
  }

  /** Streams whose client went away before [DONE]. */
  public long streamsAborted() {
    return streamsAborted.get();
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .post("/v1/chat/completions", this::chatCompletions)
        .get("/v1/models", this::models)
        .get("/_sandbox/stats", this::stats)
        .any(this::notFound);
  }

  /** Releases stalled requests, so that stopping the sandbox does not wait for them. */
  @Override
  public void afterStop() {
    stopped.countDown();
  }

  private void chatCompletions(ServerRequest request, ServerResponse response) {
    requests.incrementAndGet();
    Headers headers = request.headers();
    try {
      pause(number(headers, LATENCY_MS, latency.toMillis()));
      if (headers.contains(STALL)) {
        stall();
      }
      authorize(headers);
      if (headers.contains(STATUS)) {
        throw forced(number(headers, STATUS, 0), STATUS.defaultCase());
      }
      JsonNode body = parse(request);
      // Clients that cannot set headers (behind the token proxy) put the same controls in the body.
      JsonNode controls = body.path("sandbox");
      pause(control(controls, "latency_ms", 0));
      if (controls.path("stall").asBoolean(false)) {
        stall();
      }
      if (controls.has("status")) {
        throw forced(control(controls, "status", 0), "sandbox.status");
      }
      long chunkDelay = control(controls, "chunk_delay_ms", number(headers, CHUNK_DELAY_MS, 0));
      long cached = control(controls, "cached_tokens", number(headers, CACHED_TOKENS, 0));
      long reasoning = control(controls, "reasoning_tokens", number(headers, REASONING_TOKENS, 0));
      String usageIn = controls.path("usage_in").asText(headers.first(USAGE_IN).orElse(""));
      Completion completion = complete(body, cached, reasoning);
      if (completion.stream()) {
        stream(response, completion, chunkDelay, usageIn.strip().equalsIgnoreCase("choices"));
      } else {
        response.header(HeaderNames.CONTENT_TYPE, "application/json");
        response.send(bytes(completion.toJson()));
      }
    } catch (Refusal refusal) {
      sendError(response, refusal);
    }
  }

  private static long control(JsonNode controls, String name, long absent) {
    JsonNode value = controls.get(name);
    if (value == null) {
      return absent;
    }
    if (!value.canConvertToLong() || value.asLong() < 0) {
      throw invalid("sandbox." + name + " must be a whole number of at least 0", null);
    }
    return value.asLong();
  }

  private void models(ServerRequest request, ServerResponse response) {
    requests.incrementAndGet();
    try {
      authorize(request.headers());
      response.header(HeaderNames.CONTENT_TYPE, "application/json");
      response.send(modelList);
    } catch (Refusal refusal) {
      sendError(response, refusal);
    }
  }

  private void stats(ServerRequest request, ServerResponse response) {
    Json.send(
        response,
        Status.OK_200,
        Map.of("requests", requests.get(), "streamsAborted", streamsAborted.get()));
  }

  private void notFound(ServerRequest request, ServerResponse response) {
    if (!fullPath(request).startsWith(MOUNT + "/_sandbox/")) {
      requests.incrementAndGet();
    }
    sendError(
        response,
        new Refusal(
            Status.NOT_FOUND_404,
            "Invalid URL (" + request.prologue().method().text() + " " + fullPath(request) + ")",
            "invalid_request_error",
            null,
            null));
  }

  private static String fullPath(ServerRequest request) {
    return request.path().absolute().path();
  }

  // --- the request ---------------------------------------------------------------------------

  private void authorize(Headers headers) {
    String value = headers.first(HeaderNames.AUTHORIZATION).orElse("").strip();
    boolean ok =
        value.regionMatches(true, 0, "Bearer ", 0, 7) && value.substring(7).strip().equals(apiKey);
    if (!ok) {
      throw new Refusal(
          Status.UNAUTHORIZED_401,
          "Invalid Authentication",
          "invalid_authentication_error",
          null,
          "invalid_api_key");
    }
  }

  private static JsonNode parse(ServerRequest request) {
    JsonNode body;
    try (InputStream in = request.content().inputStream()) {
      body = Json.MAPPER.readTree(in);
    } catch (JsonProcessingException e) {
      throw invalid("Invalid request: the body is not valid JSON", null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (body == null || !body.isObject()) {
      throw invalid("Invalid request: the body must be a JSON object", null);
    }
    return body;
  }

  private Completion complete(JsonNode body, long cached, long reasoning) {
    JsonNode model = body.path("model");
    if (!model.isTextual() || model.asText().isBlank()) {
      throw invalid("Invalid request: model is required", "model");
    }
    if (!models.contains(model.asText())) {
      throw new Refusal(
          Status.NOT_FOUND_404,
          "Not found the model " + model.asText() + " or Permission denied",
          "resource_not_found_error",
          "model",
          "model_not_found");
    }
    JsonNode messages = body.path("messages");
    if (!messages.isArray() || messages.isEmpty()) {
      throw invalid("Invalid request: messages must be a non-empty array", "messages");
    }
    long contentBytes = 0;
    JsonNode lastUser = null;
    for (JsonNode message : messages) {
      if (!message.isObject()) {
        throw invalid("Invalid request: each message must be an object", "messages");
      }
      JsonNode content = message.path("content");
      if (content.isTextual()) {
        contentBytes += utf8Length(content.asText());
      } else if (content.isArray()) {
        for (JsonNode part : content) {
          JsonNode text = part.path("text");
          if (text.isTextual()) {
            contentBytes += utf8Length(text.asText());
          }
        }
      }
      if ("user".equals(message.path("role").asText())) {
        lastUser = content;
      }
    }
    long promptTokens = (contentBytes + 3) / 4 + 4L * messages.size();
    long maxTokens = maxTokens(body);
    boolean stream = body.path("stream").asBoolean(false);
    boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
    boolean tools = body.path("tools").isArray() && !body.path("tools").isEmpty();
    String text = text(lastUser);
    Usage usage;
    if (tools && text.startsWith("/tool ")) {
      String call = text.substring("/tool ".length()).strip();
      int space = firstWhitespace(call);
      String name = call.substring(0, space);
      String arguments = call.substring(space).strip();
      if (!name.isEmpty()) {
        usage = new Usage(promptTokens, words(call), cached, reasoning);
        ToolCall toolCall =
            new ToolCall(
                "call_" + toolCalls.incrementAndGet(),
                name,
                arguments.isEmpty() ? "{}" : arguments);
        return new Completion(
            id(), now(), model.asText(), null, toolCall, "tool_calls", usage, stream, includeUsage);
      }
    }
    String reply = "echo: " + text;
    int wordCount = words(reply);
    String finish = "stop";
    if (wordCount > maxTokens) {
      reply = reply.substring(0, endOfWord(reply, (int) maxTokens));
      wordCount = (int) maxTokens;
      finish = "length";
    }
    usage = new Usage(promptTokens, wordCount, cached, reasoning);
    return new Completion(
        id(), now(), model.asText(), reply, null, finish, usage, stream, includeUsage);
  }

  private static long maxTokens(JsonNode body) {
    String field = "max_completion_tokens";
    JsonNode max = body.path(field);
    if (max.isMissingNode() || max.isNull()) {
      field = "max_tokens";
      max = body.path(field);
    }
    if (max.isMissingNode() || max.isNull()) {
      return Long.MAX_VALUE;
    }
    if (!max.isIntegralNumber() || !max.canConvertToLong() || max.asLong() < 1) {
      throw invalid("Invalid request: " + field + " must be a whole number of at least 1", field);
    }
    return max.asLong();
  }

  /** The text of a message's content: a string, or the text parts of an array joined by "\n". */
  private static String text(JsonNode content) {
    if (content == null) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    if (!content.isArray()) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content) {
      JsonNode partText = part.path("text");
      if (partText.isTextual()) {
        if (!text.isEmpty()) {
          text.append('\n');
        }
        text.append(partText.asText());
      }
    }
    return text.toString();
  }

  // --- the answer ----------------------------------------------------------------------------

  private void stream(
      ServerResponse response, Completion completion, long chunkDelay, boolean usageInChoices) {
    response.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
    response.header(HeaderNames.CACHE_CONTROL, "no-cache");
    List<byte[]> events = new ArrayList<>();
    for (ObjectNode chunk : completion.chunks(usageInChoices)) {
      events.add(bytes(chunk));
    }
    try (OutputStream out = response.outputStream()) {
      for (int i = 0; i < events.size(); i++) {
        if (i > 0) {
          pause(chunkDelay);
        }
        out.write(DATA);
        out.write(events.get(i));
        out.write(END_OF_EVENT);
        out.flush();
      }
      pause(chunkDelay);
      out.write(DONE);
      out.flush();
    } catch (CloseConnectionException e) {
      // the client went away mid-stream (Helidon's wrapping of a broken pipe): Helidon closes it
      streamsAborted.incrementAndGet();
      throw e;
    } catch (IOException | UncheckedIOException | Refusal e) {
      // the client went away, or the sandbox stops, mid-stream: nobody to answer
      streamsAborted.incrementAndGet();
    }
  }

  private static void sendError(ServerResponse response, Refusal refusal) {
    ObjectNode error = object();
    error
        .putObject("error")
        .put("message", refusal.getMessage())
        .put("type", refusal.type)
        .put("param", refusal.param)
        .put("code", refusal.code);
    response.status(refusal.status);
    if (refusal.status.code() == Status.TOO_MANY_REQUESTS_429.code()) {
      response.header(HeaderNames.RETRY_AFTER, "1");
    }
    response.header(HeaderNames.CONTENT_TYPE, "application/json");
    response.send(bytes(error));
  }

  /** The error that X-Sandbox-Status asks for. */
  private static Refusal forced(long code, String source) {
    if (code < 400 || code > 599) {
      throw invalid(source + " must be a status from 400 to 599", null);
    }
    String type =
        switch ((int) code) {
          case 400 -> "invalid_request_error";
          case 401 -> "invalid_authentication_error";
          case 403 -> "permission_denied_error";
          case 404 -> "resource_not_found_error";
          case 429 -> "rate_limit_reached_error";
          case 503 -> "engine_overloaded_error";
          default -> code < 500 ? "invalid_request_error" : "server_error";
        };
    return new Refusal(
        Status.create((int) code),
        "sandbox: status " + code + " asked for by " + source,
        type,
        null,
        null);
  }

  // --- time ----------------------------------------------------------------------------------

  private static void pause(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw stopping();
    }
  }

  /** Holds the request until the sandbox stops or the limit passes, then answers 504. */
  private void stall() {
    try {
      stopped.await(STALL_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw stopping();
    }
    throw new Refusal(
        Status.GATEWAY_TIMEOUT_504,
        "sandbox: stalled request released (" + STALL.defaultCase() + ")",
        "server_error",
        null,
        null);
  }

  private static Refusal stopping() {
    return new Refusal(
        Status.SERVICE_UNAVAILABLE_503, "sandbox: stopping", "engine_overloaded_error", null, null);
  }

  // --- small helpers -------------------------------------------------------------------------

  /** A non-negative whole number from a control header, or the default when it is absent. */
  private static long number(Headers headers, HeaderName name, long absent) {
    String raw = headers.first(name).map(String::strip).orElse(null);
    if (raw == null) {
      return absent;
    }
    try {
      long value = Long.parseLong(raw);
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw invalid(
        name.defaultCase() + " must be a whole number of at least 0: '" + raw + "'", null);
  }

  private static Refusal invalid(String message, String param) {
    return new Refusal(Status.BAD_REQUEST_400, message, "invalid_request_error", param, null);
  }

  /** The UTF-8 length of a string, as {@code getBytes(UTF_8).length} would give, unallocated. */
  static long utf8Length(String s) {
    long length = 0;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        length++;
      } else if (c < 0x800) {
        length += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        length += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        length++; // an unpaired surrogate is encoded as '?'
      } else {
        length += 3;
      }
    }
    return length;
  }

  /** The number of maximal runs of non-whitespace characters. */
  static int words(String s) {
    int count = 0;
    boolean inWord = false;
    for (int i = 0; i < s.length(); i++) {
      boolean space = Character.isWhitespace(s.charAt(i));
      if (!space && !inWord) {
        count++;
      }
      inWord = !space;
    }
    return count;
  }

  /** The index just after the n-th word (n at least 1, at most the number of words). */
  static int endOfWord(String s, int n) {
    int count = 0;
    boolean inWord = false;
    for (int i = 0; i < s.length(); i++) {
      boolean space = Character.isWhitespace(s.charAt(i));
      if (space && inWord && count == n) {
        return i;
      }
      if (!space && !inWord) {
        count++;
      }
      inWord = !space;
    }
    return s.length();
  }

  /** Each word with the whitespace that follows it; they concatenate to {@code s}. */
  static List<String> wordPieces(String s) {
    List<String> pieces = new ArrayList<>();
    int start = 0;
    boolean seenSpace = false;
    for (int i = 0; i < s.length(); i++) {
      boolean space = Character.isWhitespace(s.charAt(i));
      if (!space && seenSpace) {
        pieces.add(s.substring(start, i));
        start = i;
      }
      seenSpace = space;
    }
    if (start < s.length()) {
      pieces.add(s.substring(start));
    }
    return pieces;
  }

  /** Pieces of at most {@code size} chars, never splitting a surrogate pair. */
  static List<String> fragments(String s, int size) {
    List<String> pieces = new ArrayList<>();
    int start = 0;
    while (start < s.length()) {
      int end = Math.min(start + size, s.length());
      if (end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
        end--;
      }
      pieces.add(s.substring(start, end));
      start = end;
    }
    return pieces;
  }

  private static int firstWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return s.length();
  }

  private static String id() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
    return "chatcmpl-" + new UUID(high, low);
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  private static ObjectNode object() {
    return Json.MAPPER.createObjectNode();
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return Json.MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // --- values --------------------------------------------------------------------------------

  /** An answer other than 200, in OpenAI's error shape; thrown without a stack trace. */
  private static final class Refusal extends RuntimeException {
    final Status status;
    final String type;
    final String param;
    final String code;

    Refusal(Status status, String message, String type, String param, String code) {
      super(message, null, false, false);
      this.status = status;
      this.type = type;
      this.param = param;
      this.code = code;
    }
  }

  private record ToolCall(String id, String name, String arguments) {}

  private record Usage(long prompt, long words, long cached, long reasoning) {
    ObjectNode toJson() {
      long completion = words + reasoning;
      ObjectNode usage = object();
      usage
          .put("prompt_tokens", prompt)
          .put("completion_tokens", completion)
          .put("total_tokens", prompt + completion)
          .put("cached_tokens", cached);
      usage.putObject("prompt_tokens_details").put("cached_tokens", cached);
      usage.putObject("completion_tokens_details").put("reasoning_tokens", reasoning);
      return usage;
    }
  }

  /** One answer: content (or a tool call), how it finished and what it cost. */
  private record Completion(
      String id,
      long created,
      String model,
      String content,
      ToolCall toolCall,
      String finishReason,
      Usage usage,
      boolean stream,
      boolean includeUsage) {

    ObjectNode toJson() {
      ObjectNode completion = head("chat.completion");
      ObjectNode choice = completion.putArray("choices").addObject();
      choice.put("index", 0);
      ObjectNode message = choice.putObject("message");
      message.put("role", "assistant").put("content", content);
      if (toolCall != null) {
        ObjectNode call = message.putArray("tool_calls").addObject();
        call.put("id", toolCall.id()).put("type", "function");
        call.putObject("function")
            .put("name", toolCall.name())
            .put("arguments", toolCall.arguments());
      }
      choice.put("finish_reason", finishReason);
      completion.set("usage", usage.toJson());
      return completion;
    }

    /** The stream's events, [DONE] excepted. */
    List<ObjectNode> chunks(boolean usageInChoices) {
      List<ObjectNode> chunks = new ArrayList<>();
      if (toolCall == null) {
        chunks.add(chunk(delta().put("role", "assistant").put("content", "")));
        for (String piece : wordPieces(content)) {
          chunks.add(chunk(delta().put("content", piece)));
        }
      } else {
        ObjectNode first = delta().put("role", "assistant").putNull("content");
        ObjectNode call = first.putArray("tool_calls").addObject();
        call.put("index", 0).put("id", toolCall.id()).put("type", "function");
        call.putObject("function").put("name", toolCall.name()).put("arguments", "");
        chunks.add(chunk(first));
        for (String piece : fragments(toolCall.arguments(), ARGUMENT_FRAGMENT)) {
          ObjectNode delta = delta();
          delta
              .putArray("tool_calls")
              .addObject()
              .put("index", 0)
              .putObject("function")
              .put("arguments", piece);
          chunks.add(chunk(delta));
        }
      }
      ObjectNode finish = chunk(delta());
      ObjectNode finishChoice = (ObjectNode) finish.path("choices").path(0);
      finishChoice.put("finish_reason", finishReason);
      if (usageInChoices) {
        finishChoice.set("usage", usage.toJson());
      }
      chunks.add(finish);
      if (includeUsage && !usageInChoices) {
        ObjectNode last = head("chat.completion.chunk");
        last.putArray("choices");
        last.set("usage", usage.toJson());
        chunks.add(last);
      }
      return chunks;
    }

    private ObjectNode chunk(ObjectNode delta) {
      ObjectNode chunk = head("chat.completion.chunk");
      ObjectNode choice = chunk.putArray("choices").addObject();
      choice.put("index", 0);
      choice.set("delta", delta);
      choice.putNull("finish_reason");
      return chunk;
    }

    private static ObjectNode delta() {
      return object();
    }

    private ObjectNode head(String object) {
      ObjectNode head = object();
      head.put("id", id).put("object", object).put("created", created).put("model", model);
      return head;
    }
  }
}
