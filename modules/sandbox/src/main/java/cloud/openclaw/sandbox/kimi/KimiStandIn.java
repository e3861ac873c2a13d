package cloud.openclaw.sandbox.kimi;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.MissingNode;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for Kimi (Moonshot)'s OpenAI-compatible API, mounted at {@value #MOUNT}: the base URL
 * is {@code http://<sandbox>/kimi/v1}. It answers deterministically, so tests can assert exact
 * replies and token counts, and it is cheap (one pass of Jackson's streaming parser per request, no
 * tree, no String for the big contents, answers written straight to bytes, no per-request logging),
 * because it is also the benchmark's upstream and shares the machine with the proxy.
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
 *   <li>{@code GET /kimi/_sandbox/stats} (no auth): {@code {"requests", "streamsAborted",
 *       "completions", "promptTokens", "completionTokens", "totalTokens"}}: requests received,
 *       streams cut by their client, completions answered and the usage they reported, summed.
 *   <li>{@code POST /kimi/_sandbox/script} (no auth): {@code {"replies": [{"content": "..."} |
 *       {"toolCalls": [{"name", "arguments"}]}]}} queues replies (see the scripted replies below);
 *       answers {@code {"queued": n}}. {@code DELETE /kimi/_sandbox/script} forgets the queue
 *       (204). In Java: {@link #script(List)}, {@link #clearScript()}.
 *   <li>{@code GET /kimi/_sandbox/requests?limit=n} (no auth, n defaults to 10): {@code
 *       {"requests": [<messages>, ...]}}, the {@code messages} array of each of the last n
 *       chat-completion requests (at most {@value KimiScript#RECORDED} are kept), oldest first, so
 *       a test can assert what reached the model's prompt. In Java: {@link #recentRequests(int)}.
 *   <li>Anything else under /kimi: 404 in OpenAI's error shape.
 * </ul>
 *
 * <p>Errors have OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}}.
 *
 * <h2>The reply</h2>
 *
 * <p>The reply is {@code "echo: " + <text of the last message with role user>}; a content array
 * contributes its parts' {@code text} joined with "\n" (no user message: empty text). A user
 * message that is OpenClaw's runtime context (its text starts with {@code
 * <<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>}; OpenClaw appends one after the person's message) is
 * passed over for the one before it, so that an OpenClaw agent echoes what the person wrote. A word
 * is a maximal run of non-whitespace characters. With {@code max_completion_tokens} (or {@code
 * max_tokens}) N below the reply's word count, the reply is cut after its N-th word and {@code
 * finish_reason} is {@code "length"}; otherwise {@code "stop"}.
 *
 * <p>Tool calls: when the request has a non-empty {@code tools} array and the last user text starts
 * with {@code "/tool <name> <json-args>"}, the answer is an assistant message with {@code content}
 * null and {@code tool_calls: [{id: "call_<n>", type: "function", function: {name, arguments:
 * "<json-args>"}}]} ({@code "{}"} when no arguments follow the name; the arguments are passed on as
 * written, not checked), {@code finish_reason "tool_calls"}; no truncation applies.
 *
 * <p>Scripted replies: while the script queue is not empty, each chat completion that passes the
 * checks above (auth, model, messages) takes the queue's first reply instead of the rules above:
 * its {@code content} as the assistant's text ({@code finish_reason "stop"}, never truncated), or
 * its {@code toolCalls} (several allowed, {@code arguments} a JSON object or its text, passed on
 * unchecked) with {@code finish_reason "tool_calls"}, whether or not the request offered tools. A
 * test thus makes the model attempt whatever it likes, in order: a tool call, then, on the request
 * that carries the tool's result, the closing text. Token counts follow the rules below (a call's
 * words are those of {@code "<name> <arguments>"}, summed over the calls).
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

  /** Bodies up to this size declared by Content-Length are read into an array of exactly it. */
  private static final long PRESIZED_BODY_LIMIT = 16 << 20;

  private static final JsonFactory FACTORY = Json.MAPPER.getFactory();

  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

  // Names and constant values of the answers, encoded once: Jackson copies their bytes.
  private static final SerializedString DATA = new SerializedString("data: ");
  private static final SerializedString END_OF_EVENT = new SerializedString("\n\n");
  private static final SerializedString ID = new SerializedString("id");
  private static final SerializedString OBJECT = new SerializedString("object");
  private static final SerializedString CREATED = new SerializedString("created");
  private static final SerializedString MODEL = new SerializedString("model");
  private static final SerializedString CHOICES = new SerializedString("choices");
  private static final SerializedString INDEX = new SerializedString("index");
  private static final SerializedString MESSAGE = new SerializedString("message");
  private static final SerializedString DELTA = new SerializedString("delta");
  private static final SerializedString ROLE = new SerializedString("role");
  private static final SerializedString CONTENT = new SerializedString("content");
  private static final SerializedString TOOL_CALLS = new SerializedString("tool_calls");
  private static final SerializedString TYPE = new SerializedString("type");
  private static final SerializedString FUNCTION = new SerializedString("function");
  private static final SerializedString NAME = new SerializedString("name");
  private static final SerializedString ARGUMENTS = new SerializedString("arguments");
  private static final SerializedString FINISH_REASON = new SerializedString("finish_reason");
  private static final SerializedString USAGE = new SerializedString("usage");
  private static final SerializedString PROMPT_TOKENS = new SerializedString("prompt_tokens");
  private static final SerializedString COMPLETION_TOKENS =
      new SerializedString("completion_tokens");
  private static final SerializedString TOTAL_TOKENS = new SerializedString("total_tokens");
  private static final SerializedString CACHED = new SerializedString("cached_tokens");
  private static final SerializedString PROMPT_DETAILS =
      new SerializedString("prompt_tokens_details");
  private static final SerializedString COMPLETION_DETAILS =
      new SerializedString("completion_tokens_details");
  private static final SerializedString REASONING = new SerializedString("reasoning_tokens");
  private static final SerializedString CHAT_COMPLETION = new SerializedString("chat.completion");
  private static final SerializedString CHAT_COMPLETION_CHUNK =
      new SerializedString("chat.completion.chunk");
  private static final SerializedString ASSISTANT = new SerializedString("assistant");
  private static final SerializedString EMPTY = new SerializedString("");

  private final String apiKey;
  private final Duration latency;
  private final Set<String> models;
  private final byte[] modelList;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong streamsAborted = new AtomicLong();
  private final AtomicLong toolCalls = new AtomicLong();
  private final AtomicLong completions = new AtomicLong();
  private final AtomicLong promptTokens = new AtomicLong();
  private final AtomicLong completionTokens = new AtomicLong();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final KimiScript script = new KimiScript();

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
        .post("/_sandbox/script", this::addScript)
        .delete("/_sandbox/script", this::clearScript)
        .get("/_sandbox/requests", this::recentRequests)
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
      byte[] content = content(request);
      script.record(content);
      ChatRequest body = ChatRequest.read(content);
      // Clients that cannot set headers (behind the token proxy) put the same controls in the body.
      JsonNode controls = body.controls;
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
      counted(completion.usage());
      if (completion.stream()) {
        stream(response, completion, chunkDelay, usageIn.strip().equalsIgnoreCase("choices"));
      } else {
        response.header(HeaderNames.CONTENT_TYPE, "application/json");
        response.send(completion.toJson());
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
    Json.send(response, Status.OK_200, stats());
  }

  private void addScript(ServerRequest request, ServerResponse response) {
    try {
      int queued = script.add(KimiScript.parse(request.content().as(byte[].class)));
      Json.send(response, Status.OK_200, Map.of("queued", queued));
    } catch (IllegalArgumentException e) {
      sendError(response, invalid("sandbox: " + e.getMessage(), null));
    }
  }

  private void clearScript(ServerRequest request, ServerResponse response) {
    script.clear();
    response.status(Status.NO_CONTENT_204).send();
  }

  private void recentRequests(ServerRequest request, ServerResponse response) {
    int limit;
    try {
      limit = Integer.parseInt(request.query().first("limit").orElse("10").strip());
    } catch (NumberFormatException e) {
      sendError(response, invalid("sandbox: limit must be a whole number", "limit"));
      return;
    }
    Json.send(response, Status.OK_200, Map.of("requests", script.recent(limit)));
  }

  /**
   * Queues replies that the next chat completions answer, one per request, before any other rule
   * (see the class comment); returns how many are queued now.
   */
  public int script(List<KimiScript.Reply> replies) {
    return script.add(replies);
  }

  /** Forgets the replies not consumed yet. */
  public void clearScript() {
    script.clear();
  }

  /**
   * The {@code messages} of the last {@code limit} chat-completion requests (at most {@value
   * KimiScript#RECORDED}), oldest first: each a list of {@code {role, content}} as sent.
   */
  public List<JsonNode> recentRequests(int limit) {
    return script.recent(limit);
  }

  /** What {@code GET /kimi/_sandbox/stats} answers. */
  public Stats stats() {
    long prompt = promptTokens.get();
    long completion = completionTokens.get();
    return new Stats(
        requests.get(),
        streamsAborted.get(),
        completions.get(),
        prompt,
        completion,
        prompt + completion);
  }

  /**
   * The stand-in's counters: requests received (any outcome), streams cut by their client, and the
   * completions answered with the usage each reported, summed (what a metering client should have
   * recorded).
   */
  public record Stats(
      long requests,
      long streamsAborted,
      long completions,
      long promptTokens,
      long completionTokens,
      long totalTokens) {}

  private void counted(Usage usage) {
    completions.incrementAndGet();
    promptTokens.addAndGet(usage.prompt());
    completionTokens.addAndGet(usage.words() + usage.reasoning());
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

  /** The request body, in one array (of exactly the declared length when there is one). */
  private static byte[] content(ServerRequest request) {
    OptionalLong declared = request.headers().contentLength();
    try (InputStream in = request.content().inputStream()) {
      if (declared.isPresent() && declared.getAsLong() <= PRESIZED_BODY_LIMIT) {
        byte[] body = new byte[(int) declared.getAsLong()];
        int read = in.readNBytes(body, 0, body.length);
        return read == body.length ? body : Arrays.copyOf(body, read);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Completion complete(ChatRequest body, long cached, long reasoning) {
    String model = body.model;
    if (model == null || model.isBlank()) {
      throw invalid("Invalid request: model is required", "model");
    }
    if (!models.contains(model)) {
      throw new Refusal(
          Status.NOT_FOUND_404,
          "Not found the model " + model + " or Permission denied",
          "resource_not_found_error",
          "model",
          "model_not_found");
    }
    if (!body.messagesArray || body.messageCount == 0) {
      throw invalid("Invalid request: messages must be a non-empty array", "messages");
    }
    if (body.messageNotObject) {
      throw invalid("Invalid request: each message must be an object", "messages");
    }
    long promptTokens = (body.contentBytes + 3) / 4 + 4L * body.messageCount;
    long maxTokens = maxTokens(body);
    KimiScript.Reply scripted = script.next();
    if (scripted != null) {
      return scripted(body, scripted, promptTokens, cached, reasoning);
    }
    String text = body.lastUserText();
    Usage usage;
    if (body.tools && text.startsWith("/tool ")) {
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
            id(),
            now(),
            model,
            null,
            List.of(toolCall),
            "tool_calls",
            usage,
            body.stream,
            body.includeUsage);
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
        id(), now(), model, reply, List.of(), finish, usage, body.stream, body.includeUsage);
  }

  /** The next scripted reply as a completion: its content, or its tool calls; never truncated. */
  private Completion scripted(
      ChatRequest body, KimiScript.Reply reply, long promptTokens, long cached, long reasoning) {
    if (reply.toolCalls().isEmpty()) {
      String content = reply.content() == null ? "" : reply.content();
      Usage usage = new Usage(promptTokens, words(content), cached, reasoning);
      return new Completion(
          id(),
          now(),
          body.model,
          content,
          List.of(),
          "stop",
          usage,
          body.stream,
          body.includeUsage);
    }
    List<ToolCall> calls = new ArrayList<>();
    long words = 0;
    for (KimiScript.Call call : reply.toolCalls()) {
      calls.add(new ToolCall("call_" + toolCalls.incrementAndGet(), call.name(), call.arguments()));
      words += words(call.name() + " " + call.arguments());
    }
    Usage usage = new Usage(promptTokens, words, cached, reasoning);
    return new Completion(
        id(), now(), body.model, null, calls, "tool_calls", usage, body.stream, body.includeUsage);
  }

  private static long maxTokens(ChatRequest body) {
    String field = "max_completion_tokens";
    JsonNode max = body.maxCompletionTokens;
    if (max == null || max.isNull()) {
      field = "max_tokens";
      max = body.maxTokens;
    }
    if (max == null || max.isNull()) {
      return Long.MAX_VALUE;
    }
    if (!max.isIntegralNumber() || !max.canConvertToLong() || max.asLong() < 1) {
      throw invalid("Invalid request: " + field + " must be a whole number of at least 1", field);
    }
    return max.asLong();
  }

  /**
   * What the stand-in needs from a chat-completions body, read in one pass of Jackson's streaming
   * parser: no tree, and no String for the big contents (their UTF-8 length is counted on the
   * parser's chars). Whatever is not needed is skipped. It reads as {@code ObjectMapper.readTree}
   * would: the same JSON is refused, and of a repeated key the last one counts. Nothing but
   * malformed JSON is refused here; the rules are checked afterwards, in the order they always
   * were.
   */
  private static final class ChatRequest {
    private final byte[] body;

    /** The model, or null when it is not a string. */
    String model;

    boolean messagesArray;
    int messageCount;
    boolean messageNotObject;

    /** The UTF-8 length of the counted contents: strings, and the text of array parts. */
    long contentBytes;

    /** Where the content (a string or an array) of the last user message starts, or -1. */
    /** How OpenClaw's runtime-context messages (role user) begin. */
    static final String OPENCLAW_CONTEXT = "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>";

    /** Where each user message's content starts in the body, in order. */
    final List<Integer> userContents = new ArrayList<>(4);

    /** The max_completion_tokens and max_tokens values, or null when absent. */
    JsonNode maxCompletionTokens;

    JsonNode maxTokens;
    boolean stream;
    boolean includeUsage;

    /** Whether tools is a non-empty array. */
    boolean tools;

    /** The "sandbox" value as a tree (it is small), or missing. */
    JsonNode controls = MissingNode.getInstance();

    private ChatRequest(byte[] body) {
      this.body = body;
    }

    static ChatRequest read(byte[] body) {
      try (JsonParser p = FACTORY.createParser(body)) {
        JsonToken token = p.nextToken();
        if (token != JsonToken.START_OBJECT) {
          if (token != null) {
            Json.MAPPER.readTree(p); // the rest of the value: malformed JSON is refused as such
          }
          throw invalid("Invalid request: the body must be a JSON object", null);
        }
        ChatRequest request = new ChatRequest(body);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken value = p.nextToken();
          switch (name) {
            case "model" -> {
              request.model = value == JsonToken.VALUE_STRING ? p.getText() : null;
              p.skipChildren();
            }
            case "messages" -> request.readMessages(p, value);
            case "max_completion_tokens" -> request.maxCompletionTokens = integral(p, value);
            case "max_tokens" -> request.maxTokens = integral(p, value);
            case "stream" -> request.stream = bool(p, value);
            case "stream_options" -> request.includeUsage = includeUsage(p, value);
            case "tools" -> request.tools = nonEmptyArray(p, value);
            case "sandbox" -> request.controls = Json.MAPPER.readTree(p);
            default -> p.skipChildren();
          }
        }
        return request;
      } catch (JsonProcessingException e) {
        throw invalid("Invalid request: the body is not valid JSON", null);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void readMessages(JsonParser p, JsonToken token) throws IOException {
      messagesArray = token == JsonToken.START_ARRAY;
      messageCount = 0;
      messageNotObject = false;
      contentBytes = 0;
      userContents.clear();
      if (!messagesArray) {
        p.skipChildren();
        return;
      }
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        messageCount++;
        if (t != JsonToken.START_OBJECT) {
          messageNotObject = true;
          p.skipChildren();
          continue;
        }
        boolean user = false;
        long bytes = 0;
        int content = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken value = p.nextToken();
          if (name.equals("role")) {
            user = value == JsonToken.VALUE_STRING && isUser(p);
            p.skipChildren();
          } else if (name.equals("content")) {
            content = start(p, value);
            bytes = contentBytes(p, value);
          } else {
            p.skipChildren();
          }
        }
        contentBytes += bytes;
        if (user && content >= 0) {
          userContents.add(content);
        }
      }
    }

    private static boolean isUser(JsonParser p) throws IOException {
      char[] chars = p.getTextCharacters();
      int at = p.getTextOffset();
      return p.getTextLength() == 4
          && chars[at] == 'u'
          && chars[at + 1] == 's'
          && chars[at + 2] == 'e'
          && chars[at + 3] == 'r';
    }

    /** Where a string or array content starts in the body (to read its text later), or -1. */
    private int start(JsonParser p, JsonToken token) {
      byte first;
      if (token == JsonToken.VALUE_STRING) {
        first = '"';
      } else if (token == JsonToken.START_ARRAY) {
        first = '[';
      } else {
        return -1;
      }
      long at = p.currentTokenLocation().getByteOffset();
      if (at < 0 || at >= body.length || body[(int) at] != first) {
        throw new IllegalStateException("the parser placed a " + token + " at byte " + at);
      }
      return (int) at;
    }

    /** A message content's UTF-8 length: a string, or the text parts of an array. */
    private static long contentBytes(JsonParser p, JsonToken token) throws IOException {
      if (token == JsonToken.VALUE_STRING) {
        return utf8Length(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
      }
      if (token != JsonToken.START_ARRAY) {
        p.skipChildren();
        return 0;
      }
      long bytes = 0;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        if (t != JsonToken.START_OBJECT) {
          p.skipChildren();
          continue;
        }
        long part = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken value = p.nextToken();
          if (name.equals("text")) {
            part =
                value == JsonToken.VALUE_STRING
                    ? utf8Length(p.getTextCharacters(), p.getTextOffset(), p.getTextLength())
                    : 0;
          }
          p.skipChildren();
        }
        bytes += part;
      }
      return bytes;
    }

    /**
     * The text of the last user message that a person wrote: its string content, or the text parts
     * of its array content joined by "\n"; read again from where it starts, so that only the
     * contents looked at are made Strings. A user message that is OpenClaw's runtime context (it
     * starts with {@value #OPENCLAW_CONTEXT}; OpenClaw sends one after the person's message) is
     * passed over, unless no other user message is left.
     */
    String lastUserText() {
      String text = "";
      for (int i = userContents.size() - 1; i >= 0; i--) {
        text = userText(userContents.get(i));
        if (!text.stripLeading().startsWith(OPENCLAW_CONTEXT)) {
          return text;
        }
      }
      return userContents.isEmpty() ? "" : userText(userContents.getLast());
    }

    private String userText(int start) {
      try (JsonParser p = FACTORY.createParser(body, start, body.length - start)) {
        if (p.nextToken() == JsonToken.VALUE_STRING) {
          return p.getText();
        }
        StringBuilder text = new StringBuilder();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            continue;
          }
          String part = null;
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("text")) {
              part = value == JsonToken.VALUE_STRING ? p.getText() : null;
            }
            p.skipChildren();
          }
          if (part != null) {
            if (!text.isEmpty()) {
              text.append('\n');
            }
            text.append(part);
          }
        }
        return text.toString();
      } catch (IOException e) {
        // read once already, without error
        throw new UncheckedIOException(e);
      }
    }

    /** A number as the tree would hold it (a long, or the tree node of anything else). */
    private static JsonNode integral(JsonParser p, JsonToken token) throws IOException {
      if (token == JsonToken.VALUE_NUMBER_INT
          && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
        return LongNode.valueOf(p.getLongValue());
      }
      return Json.MAPPER.readTree(p);
    }

    /** A value's {@code asBoolean(false)}, as the tree would give it. */
    private static boolean bool(JsonParser p, JsonToken token) throws IOException {
      return switch (token) {
        case VALUE_TRUE -> true;
        case VALUE_FALSE -> false;
        default -> Json.MAPPER.<JsonNode>readTree(p).asBoolean(false);
      };
    }

    private static boolean includeUsage(JsonParser p, JsonToken token) throws IOException {
      if (token != JsonToken.START_OBJECT) {
        p.skipChildren();
        return false;
      }
      boolean include = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals("include_usage")) {
          include = bool(p, value);
        } else {
          p.skipChildren();
        }
      }
      return include;
    }

    private static boolean nonEmptyArray(JsonParser p, JsonToken token) throws IOException {
      if (token != JsonToken.START_ARRAY) {
        p.skipChildren();
        return false;
      }
      boolean any = false;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        any = true;
        p.skipChildren();
      }
      return any;
    }
  }

  // --- the answer ----------------------------------------------------------------------------

  private void stream(
      ServerResponse response, Completion completion, long chunkDelay, boolean usageInChoices) {
    response.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
    response.header(HeaderNames.CACHE_CONTROL, "no-cache");
    Events events = completion.events(usageInChoices);
    try (OutputStream out = response.outputStream()) {
      int start = 0;
      for (int i = 0; i < events.count(); i++) {
        if (i > 0) {
          pause(chunkDelay);
        }
        int end = events.ends()[i];
        out.write(events.bytes(), start, end - start);
        out.flush();
        start = end;
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

  /**
   * The UTF-8 length of {@code count} chars from {@code offset} (a parser's text, not made a
   * String), by the rules of {@link #utf8Length(String)}. Runs of ASCII, most of any prompt, are
   * passed over eight chars at a time, which stays fast even once the JIT has seen other text (a
   * plain char-by-char loop does not: it becomes four times slower).
   */
  static long utf8Length(char[] chars, int offset, int count) {
    int end = offset + count;
    long length = count; // a byte for each char, plus what the others take more
    int i = offset;
    while (true) {
      while (i + 8 <= end
          && (chars[i]
                  | chars[i + 1]
                  | chars[i + 2]
                  | chars[i + 3]
                  | chars[i + 4]
                  | chars[i + 5]
                  | chars[i + 6]
                  | chars[i + 7])
              < 0x80) {
        i += 8;
      }
      while (i < end && chars[i] < 0x80) {
        i++;
      }
      if (i >= end) {
        return length;
      }
      char c = chars[i++];
      if (c < 0x800) {
        length += 1; // two bytes
      } else if (Character.isHighSurrogate(c) && i < end && Character.isLowSurrogate(chars[i])) {
        length += 2; // four bytes for the pair's two chars
        i++;
      } else if (!Character.isSurrogate(c)) {
        length += 2; // three bytes
      } // an unpaired surrogate is encoded as '?': one byte
    }
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

  /** A generator of compact JSON (as {@code Json.MAPPER} writes it), root values unseparated. */
  private static JsonGenerator generator(OutputStream out) throws IOException {
    JsonGenerator g = FACTORY.createGenerator(out);
    g.setRootValueSeparator(null);
    return g;
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

  /**
   * {@code tool_calls: [{index, id?, type?, function: {name?, arguments}}]} in a stream: the call's
   * first delta ({@code call} given, arguments still empty), or ({@code call} null) a later delta
   * carrying a fragment of its arguments.
   */
  private static void streamedToolCall(JsonGenerator g, int index, ToolCall call, String arguments)
      throws IOException {
    g.writeFieldName(TOOL_CALLS);
    g.writeStartArray();
    toolCall(g, index, call, arguments);
    g.writeEndArray();
  }

  /** One {@code {index?, id?, type?, function: {name?, arguments}}}; index -1: none. */
  private static void toolCall(JsonGenerator g, int index, ToolCall call, String arguments)
      throws IOException {
    g.writeStartObject();
    if (index >= 0) {
      g.writeFieldName(INDEX);
      g.writeNumber(index);
    }
    if (call != null) {
      g.writeFieldName(ID);
      g.writeString(call.id());
      g.writeFieldName(TYPE);
      g.writeString(FUNCTION);
    }
    g.writeFieldName(FUNCTION);
    g.writeStartObject();
    if (call != null) {
      g.writeFieldName(NAME);
      g.writeString(call.name());
    }
    g.writeFieldName(ARGUMENTS);
    g.writeString(arguments);
    g.writeEndObject();
    g.writeEndObject();
  }

  private record Usage(long prompt, long words, long cached, long reasoning) {
    void write(JsonGenerator g) throws IOException {
      long completion = words + reasoning;
      g.writeStartObject();
      g.writeFieldName(PROMPT_TOKENS);
      g.writeNumber(prompt);
      g.writeFieldName(COMPLETION_TOKENS);
      g.writeNumber(completion);
      g.writeFieldName(TOTAL_TOKENS);
      g.writeNumber(prompt + completion);
      g.writeFieldName(CACHED);
      g.writeNumber(cached);
      g.writeFieldName(PROMPT_DETAILS);
      g.writeStartObject();
      g.writeFieldName(CACHED);
      g.writeNumber(cached);
      g.writeEndObject();
      g.writeFieldName(COMPLETION_DETAILS);
      g.writeStartObject();
      g.writeFieldName(REASONING);
      g.writeNumber(reasoning);
      g.writeEndObject();
      g.writeEndObject();
    }
  }

  /** A stream's events, [DONE] excepted: "data: <chunk>\n\n" each, event i ending at ends[i]. */
  private record Events(byte[] bytes, int[] ends, int count) {}

  /** One answer: content (or a tool call), how it finished and what it cost. */
  private record Completion(
      String id,
      long created,
      String model,
      String content,
      List<ToolCall> toolCalls,
      String finishReason,
      Usage usage,
      boolean stream,
      boolean includeUsage) {

    byte[] toJson() {
      ByteArrayOutputStream out = new ByteArrayOutputStream(512);
      try (JsonGenerator g = generator(out)) {
        head(g, CHAT_COMPLETION);
        g.writeFieldName(CHOICES);
        g.writeStartArray();
        g.writeStartObject();
        g.writeFieldName(INDEX);
        g.writeNumber(0);
        g.writeFieldName(MESSAGE);
        g.writeStartObject();
        g.writeFieldName(ROLE);
        g.writeString(ASSISTANT);
        g.writeFieldName(CONTENT);
        string(g, content);
        if (!toolCalls.isEmpty()) {
          g.writeFieldName(TOOL_CALLS);
          g.writeStartArray();
          for (int i = 0; i < toolCalls.size(); i++) {
            toolCall(g, -1, toolCalls.get(i), toolCalls.get(i).arguments());
          }
          g.writeEndArray();
        }
        g.writeEndObject();
        g.writeFieldName(FINISH_REASON);
        g.writeString(finishReason);
        g.writeEndObject();
        g.writeEndArray();
        g.writeFieldName(USAGE);
        usage.write(g);
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toByteArray();
    }

    Events events(boolean usageInChoices) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
      int[] ends = new int[16];
      int count = 0;
      try (JsonGenerator g = generator(out)) {
        if (toolCalls.isEmpty()) {
          openChunk(g);
          g.writeFieldName(ROLE);
          g.writeString(ASSISTANT);
          g.writeFieldName(CONTENT);
          g.writeString(EMPTY);
          closeChunk(g, null, null);
          ends = mark(ends, count++, g, out);
          for (String piece : wordPieces(content)) {
            openChunk(g);
            g.writeFieldName(CONTENT);
            g.writeString(piece);
            closeChunk(g, null, null);
            ends = mark(ends, count++, g, out);
          }
        } else {
          for (int index = 0; index < toolCalls.size(); index++) {
            ToolCall call = toolCalls.get(index);
            openChunk(g);
            if (index == 0) {
              g.writeFieldName(ROLE);
              g.writeString(ASSISTANT);
              g.writeFieldName(CONTENT);
              g.writeNull();
            }
            streamedToolCall(g, index, call, "");
            closeChunk(g, null, null);
            ends = mark(ends, count++, g, out);
            for (String piece : fragments(call.arguments(), ARGUMENT_FRAGMENT)) {
              openChunk(g);
              streamedToolCall(g, index, null, piece);
              closeChunk(g, null, null);
              ends = mark(ends, count++, g, out);
            }
          }
        }
        openChunk(g);
        closeChunk(g, finishReason, usageInChoices ? usage : null);
        ends = mark(ends, count++, g, out);
        if (includeUsage && !usageInChoices) {
          g.writeRaw(DATA);
          head(g, CHAT_COMPLETION_CHUNK);
          g.writeFieldName(CHOICES);
          g.writeStartArray();
          g.writeEndArray();
          g.writeFieldName(USAGE);
          usage.write(g);
          g.writeEndObject();
          g.writeRaw(END_OF_EVENT);
          ends = mark(ends, count++, g, out);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Events(out.toByteArray(), ends, count);
    }

    /** "data: " and a chunk up to the inside of its delta. */
    private void openChunk(JsonGenerator g) throws IOException {
      g.writeRaw(DATA);
      head(g, CHAT_COMPLETION_CHUNK);
      g.writeFieldName(CHOICES);
      g.writeStartArray();
      g.writeStartObject();
      g.writeFieldName(INDEX);
      g.writeNumber(0);
      g.writeFieldName(DELTA);
      g.writeStartObject();
    }

    /** The rest of a chunk from the end of its delta, and the end of the event. */
    private static void closeChunk(JsonGenerator g, String finishReason, Usage usage)
        throws IOException {
      g.writeEndObject();
      g.writeFieldName(FINISH_REASON);
      string(g, finishReason);
      if (usage != null) {
        g.writeFieldName(USAGE);
        usage.write(g);
      }
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();
      g.writeRaw(END_OF_EVENT);
    }

    private static int[] mark(int[] ends, int event, JsonGenerator g, ByteArrayOutputStream out) {
      int[] marks = event < ends.length ? ends : Arrays.copyOf(ends, ends.length * 2);
      marks[event] = out.size() + g.getOutputBuffered();
      return marks;
    }

    private void head(JsonGenerator g, SerializedString object) throws IOException {
      g.writeStartObject();
      g.writeFieldName(ID);
      g.writeString(id);
      g.writeFieldName(OBJECT);
      g.writeString(object);
      g.writeFieldName(CREATED);
      g.writeNumber(created);
      g.writeFieldName(MODEL);
      g.writeString(model);
    }

    private static void string(JsonGenerator g, String value) throws IOException {
      if (value == null) {
        g.writeNull();
      } else {
        g.writeString(value);
      }
    }
  }
}
