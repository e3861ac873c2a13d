package cloud.openclaw.sandbox.kimi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.sandbox.Main;
import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.helidon.webserver.WebServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KimiStandInTest {
  private static final String KEY = "sk-sandbox-kimi";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static RunningService sandbox;

  @BeforeAll
  static void start() {
    sandbox = startSandbox(Map.of());
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  private static RunningService startSandbox(Map<String, String> more) {
    Map<String, String> overrides = new HashMap<>(more);
    overrides.put("sandbox.host", "127.0.0.1");
    overrides.put("sandbox.port", "0");
    return Main.start(ConfigLoader.load("sandbox", Map.of(), overrides));
  }

  private static String base(RunningService service) {
    return "http://127.0.0.1:" + service.port() + "/kimi";
  }

  private static HttpRequest.Builder chatRequest(String body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base(sandbox) + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return request;
  }

  /** POST /chat/completions with the sandbox key and the given extra headers. */
  private static HttpResponse<String> chat(String body, String... headers) throws Exception {
    HttpRequest request =
        chatRequest(body, headers).header("Authorization", "Bearer " + KEY).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(sandbox) + path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(String text) throws Exception {
    return Json.MAPPER.readTree(text);
  }

  private static String body(String model, boolean stream, String extra, String... messages) {
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < messages.length; i += 2) {
      if (!list.isEmpty()) {
        list.append(',');
      }
      list.append("{\"role\":\"")
          .append(messages[i])
          .append("\",\"content\":")
          .append(Json.write(messages[i + 1]))
          .append('}');
    }
    return "{\"model\":\""
        + model
        + "\",\"stream\":"
        + stream
        + ",\"messages\":["
        + list
        + "]"
        + (extra.isEmpty() ? "" : "," + extra)
        + "}";
  }

  /** The JSON events of an SSE body, after checking that it ends with [DONE] and nothing else. */
  private static List<JsonNode> events(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    String[] raw = response.body().split("\n\n", -1);
    assertThat(raw[raw.length - 1]).isEmpty();
    assertThat(raw[raw.length - 2]).isEqualTo("data: [DONE]");
    List<JsonNode> events = new ArrayList<>();
    for (int i = 0; i < raw.length - 2; i++) {
      assertThat(raw[i]).startsWith("data: ");
      events.add(json(raw[i].substring("data: ".length())));
    }
    return events;
  }

  private static String streamedContent(List<JsonNode> events) {
    StringBuilder content = new StringBuilder();
    for (JsonNode event : events) {
      for (JsonNode choice : event.path("choices")) {
        if (choice.path("delta").path("content").isTextual()) {
          content.append(choice.path("delta").path("content").asText());
        }
      }
    }
    return content.toString();
  }

  private static void assertError(
      HttpResponse<String> response, int status, String type, String code) throws Exception {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode error = json(response.body()).path("error");
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.path("type").asText()).isEqualTo(type);
    assertThat(error.has("param")).isTrue();
    if (code == null) {
      assertThat(error.path("code").isNull()).isTrue();
    } else {
      assertThat(error.path("code").asText()).isEqualTo(code);
    }
  }

  // --- refusals ------------------------------------------------------------------------------

  @Test
  void refusesAMissingOrWrongKey() throws Exception {
    String body = body("kimi-k2.6", false, "", "user", "hello");
    HttpResponse<String> missing =
        HTTP.send(chatRequest(body).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> wrong =
        HTTP.send(
            chatRequest(body, "Authorization", "Bearer sk-wrong").build(),
            HttpResponse.BodyHandlers.ofString());

    assertError(missing, 401, "invalid_authentication_error", "invalid_api_key");
    assertError(wrong, 401, "invalid_authentication_error", "invalid_api_key");
    assertThat(json(wrong.body()).path("error").path("param").isNull()).isTrue();
    assertError(get("/v1/models"), 401, "invalid_authentication_error", "invalid_api_key");
  }

  @Test
  void refusesAnUnknownModel() throws Exception {
    HttpResponse<String> response = chat(body("gpt-4o", false, "", "user", "hello"));

    assertError(response, 404, "resource_not_found_error", "model_not_found");
  }

  @Test
  void refusesMalformedRequests() throws Exception {
    assertError(
        chat("{\"model\": \"kimi-k2.6\", \"messages\": ["), 400, "invalid_request_error", null);
    assertError(chat(""), 400, "invalid_request_error", null);
    assertError(chat("[1, 2]"), 400, "invalid_request_error", null);
    assertError(chat("{\"messages\":[]}"), 400, "invalid_request_error", null);
    assertError(
        chat("{\"model\":\"kimi-k2.6\",\"messages\":[]}"), 400, "invalid_request_error", null);
    assertError(chat("{\"model\":\"kimi-k2.6\"}"), 400, "invalid_request_error", null);
    assertError(
        chat(body("kimi-k2.6", false, "\"max_tokens\": 0", "user", "hi")),
        400,
        "invalid_request_error",
        null);
    assertError(
        chat(body("kimi-k2.6", false, "", "user", "hi"), "X-Sandbox-Latency-Ms", "soon"),
        400,
        "invalid_request_error",
        null);
  }

  @Test
  void answersOtherPathsWithAnOpenAiShaped404() throws Exception {
    HttpResponse<String> unknown = get("/v1/embeddings", "Authorization", "Bearer " + KEY);
    HttpResponse<String> wrongMethod =
        get("/v1/chat/completions", "Authorization", "Bearer " + KEY);

    assertError(unknown, 404, "invalid_request_error", null);
    assertThat(json(unknown.body()).path("error").path("message").asText())
        .isEqualTo("Invalid URL (GET /kimi/v1/embeddings)");
    assertError(wrongMethod, 404, "invalid_request_error", null);
  }

  @Test
  void answersTheStatusAskedFor() throws Exception {
    String body = body("kimi-k2.6", false, "", "user", "hello");

    assertError(chat(body, "X-Sandbox-Status", "500"), 500, "server_error", null);
    assertError(chat(body, "X-Sandbox-Status", "503"), 503, "engine_overloaded_error", null);
    assertError(chat(body, "X-Sandbox-Status", "400"), 400, "invalid_request_error", null);
    HttpResponse<String> limited = chat(body, "X-Sandbox-Status", "429");
    assertError(limited, 429, "rate_limit_reached_error", null);
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    assertError(chat(body, "X-Sandbox-Status", "200"), 400, "invalid_request_error", null);
  }

  // --- answers -------------------------------------------------------------------------------

  @Test
  void echoesWhatThePersonWroteNotOpenClawsRuntimeContext() throws Exception {
    String context =
        "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>\nConversation data\n<<<END_OPENCLAW_INTERNAL_CONTEXT>>>";
    JsonNode answer =
        json(
            chat(body("kimi-k2.6", false, "", "user", "older", "user", "hello", "user", context))
                .body());
    assertThat(answer.path("choices").path(0).path("message").path("content").asText())
        .isEqualTo("echo: hello");

    JsonNode onlyContext = json(chat(body("kimi-k2.6", false, "", "user", context)).body());
    assertThat(onlyContext.path("choices").path(0).path("message").path("content").asText())
        .as("nothing else to echo")
        .isEqualTo("echo: " + context);
  }

  @Test
  void echoesTheLastUserMessageWithExactUsage() throws Exception {
    // contents: "be brief" 8 bytes, "first" 5, "ok" 2, "héllo wörld" 13 => 28 bytes, 4 messages
    String body =
        body(
            "kimi-k2.6",
            false,
            "",
            "system",
            "be brief",
            "user",
            "first",
            "assistant",
            "ok",
            "user",
            "héllo wörld");

    HttpResponse<String> response = chat(body);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode completion = json(response.body());
    assertThat(completion.path("id").asText()).matches("chatcmpl-[0-9a-f-]{36}");
    assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
    assertThat(completion.path("created").asLong())
        .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
    assertThat(completion.path("model").asText()).isEqualTo("kimi-k2.6");
    JsonNode choice = completion.path("choices").path(0);
    assertThat(choice.path("index").asInt()).isZero();
    assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(choice.path("message").path("content").asText()).isEqualTo("echo: héllo wörld");
    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
    JsonNode usage = completion.path("usage");
    assertThat(usage.path("prompt_tokens").asLong()).isEqualTo(7 + 16); // ceil(28/4) + 4*4
    assertThat(usage.path("completion_tokens").asLong()).isEqualTo(3);
    assertThat(usage.path("total_tokens").asLong()).isEqualTo(26);
    assertThat(usage.path("cached_tokens").asLong()).isZero();
    assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asLong()).isZero();
    assertThat(usage.path("completion_tokens_details").path("reasoning_tokens").asLong()).isZero();
  }

  @Test
  void readsArrayContentsAndReportsCachedAndReasoningTokensFromHeaders() throws Exception {
    // contents: "abc" 3 bytes + "defgh" 5 bytes (the image part has no text) => ceil(8/4) + 4 = 6
    String body =
        """
        {
          "model": "kimi-k3",
          "messages": [
            {"role": "user", "content": [
              {"type": "text", "text": "abc"},
              {"type": "image_url", "image_url": {"url": "data:x"}},
              {"type": "text", "text": "defgh"}
            ]}
          ]
        }
        """;

    HttpResponse<String> response =
        chat(body, "X-Sandbox-Cached-Tokens", "4", "X-Sandbox-Reasoning-Tokens", "10");

    JsonNode completion = json(response.body());
    assertThat(completion.path("choices").path(0).path("message").path("content").asText())
        .isEqualTo("echo: abc\ndefgh");
    JsonNode usage = completion.path("usage");
    assertThat(usage.path("prompt_tokens").asLong()).isEqualTo(6);
    assertThat(usage.path("completion_tokens").asLong()).isEqualTo(3 + 10);
    assertThat(usage.path("total_tokens").asLong()).isEqualTo(19);
    assertThat(usage.path("cached_tokens").asLong()).isEqualTo(4);
    assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asLong()).isEqualTo(4);
    assertThat(usage.path("completion_tokens_details").path("reasoning_tokens").asLong())
        .isEqualTo(10);
  }

  @Test
  void readsTheBodyAsATreeWould() throws Exception {
    // content before role, a repeated key (the last counts), an empty first text part (no "\n"
    // before the next), an escaped surrogate pair (4 bytes), unknown fields of every shape
    String body =
        """
        {"extra": {"deep": [1, {"a": [true, null, "s"]}], "n": -1.5e10},
         "model": "gpt-4o",
         "messages": [
           {"content": "be brief", "role": "system", "name": "x"},
           {"content": [{"text": ""}, {"type": "image_url", "image_url": {"url": "u"}}, 7,
                        {"type": "text", "text": "a\\ud83d\\ude00"}], "role": "user"},
           {"role": "assistant", "tool_calls": [{"id": "c", "function": {"name": "f"}}]}
         ],
         "model": "kimi-k3",
         "stream": false, "temperature": 0.7}
        """;

    HttpResponse<String> response = chat(body);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode completion = json(response.body());
    assertThat(completion.path("model").asText()).isEqualTo("kimi-k3");
    assertThat(completion.path("choices").path(0).path("message").path("content").asText())
        .isEqualTo("echo: a\ud83d\ude00");
    // "be brief" 8 bytes + "" + "a" and the pair 5 bytes => ceil(13/4) + 4*3
    assertThat(completion.path("usage").path("prompt_tokens").asLong()).isEqualTo(4 + 12);
  }

  @Test
  void refusesJsonMalformedAfterAllItNeeds() throws Exception {
    String body =
        "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"tools\":[{\"type\":\"function\"},}";

    HttpResponse<String> response = chat(body);

    assertError(response, 400, "invalid_request_error", null);
    assertThat(json(response.body()).path("error").path("message").asText())
        .isEqualTo("Invalid request: the body is not valid JSON");
  }

  @Test
  void truncatesToMaxTokens() throws Exception {
    HttpResponse<String> capped =
        chat(
            body(
                "kimi-k2.6", false, "\"max_completion_tokens\": 3", "user", "one two  three four"));
    HttpResponse<String> legacy =
        chat(body("kimi-k2.6", false, "\"max_tokens\": 1", "user", "one two"));
    HttpResponse<String> exact =
        chat(body("kimi-k2.6", false, "\"max_tokens\": 3", "user", "one two"));
    HttpResponse<String> streamed =
        chat(body("kimi-k2.6", true, "\"max_completion_tokens\": 3", "user", "one two\nthree"));

    JsonNode choice = json(capped.body()).path("choices").path(0);
    assertThat(choice.path("message").path("content").asText()).isEqualTo("echo: one two");
    assertThat(choice.path("finish_reason").asText()).isEqualTo("length");
    assertThat(json(capped.body()).path("usage").path("completion_tokens").asLong()).isEqualTo(3);
    JsonNode legacyChoice = json(legacy.body()).path("choices").path(0);
    assertThat(legacyChoice.path("message").path("content").asText()).isEqualTo("echo:");
    assertThat(legacyChoice.path("finish_reason").asText()).isEqualTo("length");
    JsonNode exactChoice = json(exact.body()).path("choices").path(0);
    assertThat(exactChoice.path("message").path("content").asText()).isEqualTo("echo: one two");
    assertThat(exactChoice.path("finish_reason").asText()).isEqualTo("stop");
    List<JsonNode> events = events(streamed);
    assertThat(streamedContent(events)).isEqualTo("echo: one two");
    assertThat(events.getLast().path("choices").path(0).path("finish_reason").asText())
        .isEqualTo("length");
  }

  @Test
  void listsTheConfiguredModels() throws Exception {
    HttpResponse<String> response = get("/v1/models", "Authorization", "Bearer " + KEY);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode list = json(response.body());
    assertThat(list.path("object").asText()).isEqualTo("list");
    assertThat(list.path("data"))
        .extracting(model -> model.path("id").asText())
        .containsExactly("kimi-k3", "kimi-k2.7-code", "kimi-k2.7-code-highspeed", "kimi-k2.6");
    for (JsonNode model : list.path("data")) {
      assertThat(model.path("object").asText()).isEqualTo("model");
      assertThat(model.path("owned_by").asText()).isEqualTo("moonshot");
      assertThat(model.path("created").isIntegralNumber()).isTrue();
    }
  }

  // --- streaming -----------------------------------------------------------------------------

  @Test
  void streamsWordByWordWithUsageLastWhenAskedFor() throws Exception {
    String body =
        body(
            "kimi-k2.7-code",
            true,
            "\"stream_options\": {\"include_usage\": true}",
            "user",
            "hello big world");

    List<JsonNode> events = events(chat(body));

    assertThat(events).hasSize(1 + 4 + 1 + 1); // role, 4 words, finish, usage
    String id = events.getFirst().path("id").asText();
    for (JsonNode event : events) {
      assertThat(event.path("id").asText()).isEqualTo(id);
      assertThat(event.path("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(event.path("model").asText()).isEqualTo("kimi-k2.7-code");
    }
    JsonNode role = events.getFirst().path("choices").path(0);
    assertThat(role.path("delta").path("role").asText()).isEqualTo("assistant");
    assertThat(role.path("finish_reason").isNull()).isTrue();
    assertThat(events.subList(1, 5))
        .extracting(e -> e.path("choices").path(0).path("delta").path("content").asText())
        .containsExactly("echo: ", "hello ", "big ", "world");
    assertThat(streamedContent(events)).isEqualTo("echo: hello big world");
    JsonNode finish = events.get(5).path("choices").path(0);
    assertThat(finish.path("finish_reason").asText()).isEqualTo("stop");
    assertThat(finish.has("usage")).isFalse();
    JsonNode last = events.getLast();
    assertThat(last.path("choices").isArray()).isTrue();
    assertThat(last.path("choices")).isEmpty();
    // "hello big world": 15 bytes => ceil(15/4) + 4 = 8
    assertThat(last.path("usage").path("prompt_tokens").asLong()).isEqualTo(8);
    assertThat(last.path("usage").path("completion_tokens").asLong()).isEqualTo(4);
    assertThat(last.path("usage").path("total_tokens").asLong()).isEqualTo(12);
  }

  @Test
  void streamsNoUsageUnlessAskedFor() throws Exception {
    List<JsonNode> events = events(chat(body("kimi-k2.6", true, "", "user", "hello")));

    assertThat(events).hasSize(1 + 2 + 1);
    assertThat(events).allSatisfy(e -> assertThat(e.has("usage")).isFalse());
    assertThat(events)
        .allSatisfy(e -> assertThat(e.path("choices").path(0).has("usage")).isFalse());
    assertThat(streamedContent(events)).isEqualTo("echo: hello");
  }

  @Test
  void putsUsageInTheFinishChoiceWhenTheHeaderSaysSo() throws Exception {
    String body =
        body("kimi-k2.6", true, "\"stream_options\": {\"include_usage\": true}", "user", "hello");

    List<JsonNode> events =
        events(chat(body, "X-Sandbox-Usage-In", "choices", "X-Sandbox-Cached-Tokens", "2"));

    assertThat(events).hasSize(1 + 2 + 1);
    assertThat(events).allSatisfy(e -> assertThat(e.has("usage")).isFalse());
    JsonNode finish = events.getLast().path("choices").path(0);
    assertThat(finish.path("finish_reason").asText()).isEqualTo("stop");
    assertThat(finish.path("usage").path("prompt_tokens").asLong()).isEqualTo(2 + 4);
    assertThat(finish.path("usage").path("completion_tokens").asLong()).isEqualTo(2);
    assertThat(finish.path("usage").path("cached_tokens").asLong()).isEqualTo(2);
  }

  @Test
  void sendsEachChunkAsItIsMade() throws Exception {
    long delay = 200;
    HttpRequest request =
        chatRequest(
                body("kimi-k2.6", true, "", "user", "one two three"),
                "Authorization",
                "Bearer " + KEY,
                "X-Sandbox-Chunk-Delay-Ms",
                String.valueOf(delay))
            .build();
    long start = System.nanoTime();
    HttpResponse<InputStream> response =
        HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    List<Long> arrivals = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isEmpty()) {
          arrivals.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
          lines.add(line);
        }
      }
    }

    // role, 4 words, finish, [DONE]: 6 delays of 200 ms between the first event and the last
    assertThat(lines).hasSize(7);
    assertThat(lines.getLast()).isEqualTo("data: [DONE]");
    assertThat(arrivals.getLast() - arrivals.getFirst()).isGreaterThanOrEqualTo(5 * delay);
    for (int i = 1; i < arrivals.size(); i++) {
      assertThat(arrivals.get(i)).isGreaterThanOrEqualTo(arrivals.get(i - 1));
    }
    // the first event was read while the rest was still being made
    assertThat(arrivals.getFirst()).isLessThan(arrivals.getLast() - 3 * delay);
  }

  @Test
  void notesAClientThatGoesAwayMidStream() throws Exception {
    RunningService own = startSandbox(Map.of());
    try {
      long abortedBefore = stats(own).path("streamsAborted").asLong();
      byte[] body =
          body("kimi-k2.6", true, "", "user", "a b c d e f g h i j k l m n o p")
              .getBytes(StandardCharsets.UTF_8);
      try (Socket socket = new Socket("127.0.0.1", own.port())) {
        OutputStream out = socket.getOutputStream();
        out.write(
            ("POST /kimi/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer "
                    + KEY
                    + "\r\nX-Sandbox-Chunk-Delay-Ms: 100\r\nContent-Type: application/json\r\n"
                    + "Content-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        BufferedReader reader =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        assertThat(reader.readLine()).isEqualTo("HTTP/1.1 200 OK");
        String line = reader.readLine();
        while (!line.startsWith("data: ")) {
          line = reader.readLine();
        }
      }

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> stats(own).path("streamsAborted").asLong() == abortedBefore + 1);
    } finally {
      own.close();
    }
  }

  // --- tool calls ----------------------------------------------------------------------------

  private static final String TOOLS =
      """
      "tools": [{"type": "function", "function": {"name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]""";

  @Test
  void callsAToolWhenAskedTo() throws Exception {
    String args = "{\"city\": \"Paris\"}";
    HttpResponse<String> response =
        chat(body("kimi-k2.6", false, TOOLS, "user", "/tool get_weather " + args));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode choice = json(response.body()).path("choices").path(0);
    assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
    JsonNode message = choice.path("message");
    assertThat(message.path("role").asText()).isEqualTo("assistant");
    assertThat(message.path("content").isNull()).isTrue();
    JsonNode call = message.path("tool_calls").path(0);
    assertThat(call.path("id").asText()).matches("call_\\d+");
    assertThat(call.path("type").asText()).isEqualTo("function");
    assertThat(call.path("function").path("name").asText()).isEqualTo("get_weather");
    assertThat(call.path("function").path("arguments").asText()).isEqualTo(args);
    // "get_weather {"city": "Paris"}" is 3 words
    assertThat(json(response.body()).path("usage").path("completion_tokens").asLong()).isEqualTo(3);

    HttpResponse<String> withoutTools =
        chat(body("kimi-k2.6", false, "", "user", "/tool get_weather " + args));
    JsonNode echoed = json(withoutTools.body()).path("choices").path(0).path("message");
    assertThat(echoed.path("content").asText()).isEqualTo("echo: /tool get_weather " + args);
  }

  @Test
  void streamsAToolCallAsOpenAiDoes() throws Exception {
    String args = "{\"city\": \"Paris\", \"unit\": \"celsius\"}";
    String body =
        body(
            "kimi-k2.6",
            true,
            TOOLS + ", \"stream_options\": {\"include_usage\": true}",
            "user",
            "/tool get_weather " + args);

    List<JsonNode> events = events(chat(body));

    JsonNode first = events.getFirst().path("choices").path(0).path("delta");
    assertThat(first.path("role").asText()).isEqualTo("assistant");
    JsonNode header = first.path("tool_calls").path(0);
    assertThat(header.path("index").asInt()).isZero();
    assertThat(header.path("id").asText()).matches("call_\\d+");
    assertThat(header.path("type").asText()).isEqualTo("function");
    assertThat(header.path("function").path("name").asText()).isEqualTo("get_weather");
    StringBuilder arguments = new StringBuilder();
    for (JsonNode event : events.subList(1, events.size() - 2)) {
      JsonNode call = event.path("choices").path(0).path("delta").path("tool_calls").path(0);
      assertThat(call.path("index").asInt()).isZero();
      arguments.append(call.path("function").path("arguments").asText());
    }
    assertThat(events.size() - 3).isGreaterThan(1); // arguments come in fragments
    assertThat(arguments.toString()).isEqualTo(args);
    JsonNode finish = events.get(events.size() - 2).path("choices").path(0);
    assertThat(finish.path("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(events.getLast().path("usage").path("completion_tokens").asLong()).isEqualTo(5);
  }

  // --- time controls -------------------------------------------------------------------------

  @Test
  void waitsTheLatencyAskedFor() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> response =
        chat(body("kimi-k2.6", false, "", "user", "hi"), "X-Sandbox-Latency-Ms", "300");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  void stallsUntilTheClientGivesUpAndLetsTheSandboxStop() throws Exception {
    RunningService own = startSandbox(Map.of());
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(base(own) + "/v1/chat/completions"))
              .timeout(Duration.ofMillis(500))
              .header("Authorization", "Bearer " + KEY)
              .header("X-Sandbox-Stall", "true")
              .POST(HttpRequest.BodyPublishers.ofString(body("kimi-k2.6", false, "", "user", "hi")))
              .build();
      CompletableFuture<HttpResponse<String>> stalled =
          HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());

      assertThatThrownBy(() -> stalled.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(HttpTimeoutException.class);
      assertThat(stats(own).path("requests").asLong()).isEqualTo(1);
    } finally {
      long start = System.nanoTime();
      own.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
  }

  // --- counting ------------------------------------------------------------------------------

  private static JsonNode stats(RunningService service) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base(service) + "/_sandbox/stats")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return json(response.body());
  }

  @Test
  void countsTheRequestsItServed() throws Exception {
    KimiStandIn kimi = new KimiStandIn(KimiSettings.defaults());
    WebServer server =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .routing(routing -> routing.register(KimiStandIn.MOUNT, kimi))
            .build()
            .start();
    try {
      String url = "http://127.0.0.1:" + server.port() + "/kimi";
      assertThat(kimi.requests()).isZero();
      HTTP.send(
          HttpRequest.newBuilder(URI.create(url + "/_sandbox/stats")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(kimi.requests()).isZero();

      HttpResponse<String> answered =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                  .header("Authorization", "Bearer " + KEY)
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          body("kimi-k2.6", false, "", "user", "hi")))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      HTTP.send(
          HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
              .POST(HttpRequest.BodyPublishers.ofString("{}"))
              .build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(answered.statusCode()).isEqualTo(200);
      assertThat(kimi.requests()).isEqualTo(2);
      HttpResponse<String> stats =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url + "/_sandbox/stats")).build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode counters = json(stats.body());
      assertThat(counters.path("requests").asLong()).isEqualTo(2);
      // only the answered one: "hi" is ceil(2/4) + 4 prompt tokens, "echo: hi" two words
      assertThat(counters.path("completions").asLong()).isEqualTo(1);
      assertThat(counters.path("promptTokens").asLong()).isEqualTo(5);
      assertThat(counters.path("completionTokens").asLong()).isEqualTo(2);
      assertThat(counters.path("totalTokens").asLong()).isEqualTo(7);
      assertThat(kimi.stats().totalTokens()).isEqualTo(7);
    } finally {
      server.stop();
    }
  }

  // --- settings and helpers ------------------------------------------------------------------

  private static KimiSettings settings(Map<String, String> overrides) {
    return KimiSettings.from(new Settings(ConfigLoader.load("sandbox", Map.of(), overrides)));
  }

  @Test
  void readsItsSettings() {
    assertThat(settings(Map.of())).isEqualTo(KimiSettings.defaults());
    assertThat(settings(Map.of("sandbox.kimi.latency", "0")).latency()).isZero();
    assertThat(settings(Map.of("sandbox.kimi.latency", "PT0S")).latency()).isZero();
    assertThat(settings(Map.of("sandbox.kimi.latency", "250ms")).latency())
        .isEqualTo(Duration.ofMillis(250));
    assertThat(settings(Map.of("sandbox.kimi.latency", "PT1S")).latency())
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(settings(Map.of("sandbox.kimi.api-key", "sk-other")).apiKey()).isEqualTo("sk-other");
    assertThat(settings(Map.of("sandbox.kimi.models", "kimi-a, kimi-b")).models())
        .containsExactly("kimi-a", "kimi-b");
    assertThat(settings(Map.of("sandbox.kimi.models.1", "kimi-b")).models())
        .containsExactly("kimi-k3", "kimi-b", "kimi-k2.7-code-highspeed", "kimi-k2.6");
    assertThatThrownBy(() -> settings(Map.of("sandbox.kimi.models", " , ")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sandbox.kimi.models");
    assertThatThrownBy(() -> settings(Map.of("sandbox.kimi.latency", "-5ms")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sandbox.kimi.latency");
    assertThatThrownBy(() -> settings(Map.of("sandbox.kimi.latency", "soon")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sandbox.kimi.latency");
    assertThatThrownBy(() -> settings(Map.of("sandbox.kimi.api-key", " ")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sandbox.kimi.api-key");
  }

  @Test
  void countsUtf8BytesAndWordsAsDocumented() {
    for (String s : List.of("", "abc", "héllo", "日本語", "emoji 😀!", "lone \ud800 surrogate")) {
      assertThat(KimiStandIn.utf8Length(s)).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }
    assertThat(KimiStandIn.words("")).isZero();
    assertThat(KimiStandIn.words("  a  b\tc\n")).isEqualTo(3);
    assertThat(KimiStandIn.wordPieces("echo: a  b\nc "))
        .containsExactly("echo: ", "a  ", "b\n", "c ");
    assertThat(KimiStandIn.endOfWord("echo: a  b", 2)).isEqualTo(7);
    assertThat(KimiStandIn.fragments("ab😀cd", 3)).containsExactly("ab", "😀c", "d");
  }

  @Test
  void countsUtf8BytesOverAParsersCharsAsOverStrings() {
    String ascii = "You are a helpful agent. ".repeat(7);
    List<String> samples = new ArrayList<>();
    samples.addAll(List.of("", "a", "é", "😀", "\ud800", "\udc00\ud800", "x\ud83d", "日本語"));
    for (int at = 0; at < 20; at++) {
      for (String odd : List.of("é", "日", "😀", "\ud800", "\udc00")) {
        samples.add(ascii.substring(0, at) + odd + ascii);
      }
    }
    for (String s : samples) {
      // low surrogates around it: a high one at its end must not pair with what follows it
      char[] padded = ("\udc00" + s + "\udc00").toCharArray();
      assertThat(KimiStandIn.utf8Length(padded, 1, s.length()))
          .as("%s", s)
          .isEqualTo(KimiStandIn.utf8Length(s))
          .isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  // --- a real OpenAI client ------------------------------------------------------------------

  @Test
  void servesLangchain4jsOpenAiChatModel() {
    OpenAiChatModel model =
        OpenAiChatModel.builder()
            .baseUrl(base(sandbox) + "/v1")
            .apiKey(KEY)
            .modelName("kimi-k2.6")
            .timeout(Duration.ofSeconds(30))
            .build();

    ChatResponse response = model.chat(dev.langchain4j.data.message.UserMessage.from("hello"));

    assertThat(response.aiMessage().text()).isEqualTo("echo: hello");
    assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(2 + 4);
    assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(2);
    assertThat(model.chat("hello")).isEqualTo("echo: hello");
  }

  @Test
  void servesLangchain4jsOpenAiStreamingChatModel() throws Exception {
    OpenAiStreamingChatModel model =
        OpenAiStreamingChatModel.builder()
            .baseUrl(base(sandbox) + "/v1")
            .apiKey(KEY)
            .modelName("kimi-k2.6")
            .timeout(Duration.ofSeconds(30))
            .build();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    List<String> partials = new ArrayList<>();

    model.chat(
        "hello there",
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(String partial) {
            partials.add(partial);
          }

          @Override
          public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
          }

          @Override
          public void onError(Throwable error) {
            done.completeExceptionally(error);
          }
        });

    ChatResponse response = done.get(30, TimeUnit.SECONDS);
    assertThat(response.aiMessage().text()).isEqualTo("echo: hello there");
    assertThat(partials).containsExactly("echo: ", "hello ", "there");
  }
}
