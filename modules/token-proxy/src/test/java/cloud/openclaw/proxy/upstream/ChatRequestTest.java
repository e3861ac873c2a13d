package cloud.openclaw.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.http.Json;
import cloud.openclaw.proxy.OpenAiError;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatRequestTest {
  static final List<String> PLAN = List.of("kimi-k2.6", "kimi-mapped");
  static final Map<String, String> UPSTREAM =
      Map.of("kimi-k2.6", "kimi-k2.6", "kimi-mapped", "moonshot-real-id", "kimi-other", "x");

  static ChatRequest parse(String json) {
    return ChatRequest.parse(json.getBytes(StandardCharsets.UTF_8), PLAN, UPSTREAM, 4096);
  }

  static JsonNode sent(ChatRequest request) throws Exception {
    return Json.MAPPER.readTree(request.upstreamBody());
  }

  static final String MESSAGES =
      "\"messages\":[{\"role\":\"system\",\"content\":\"caf\\u00e9 \\\"quoted\\\" ünïcödé\"},"
          + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]";

  @Test
  void sendsTheBodyAsItCameWhenNothingChanges() {
    byte[] body =
        ("{\"model\":\"kimi-k2.6\"," + MESSAGES + ",\"max_tokens\":12}")
            .getBytes(StandardCharsets.UTF_8);

    ChatRequest request = ChatRequest.parse(body, PLAN, UPSTREAM, 4096);

    assertThat(request.upstreamBody()).isSameAs(body);
    assertThat(request.model()).isEqualTo("kimi-k2.6");
    assertThat(request.stream()).isFalse();
    assertThat(request.maxTokens()).isEqualTo(12);
    assertThat(request.promptEstimate()).isEqualTo(body.length / 3 + 1);
  }

  @Test
  void mapsTheModelToTheUpstreamsIdAndKeepsTheRest() throws Exception {
    ChatRequest request =
        parse("{ \"model\" : \"kimi-mapped\" , " + MESSAGES + ", \"tools\": [{\"a\": [1, 2]}]}");

    JsonNode sent = sent(request);
    assertThat(request.model()).isEqualTo("kimi-mapped");
    assertThat(sent.get("model").asText()).isEqualTo("moonshot-real-id");
    assertThat(sent.get("messages").get(0).get("content").asText())
        .isEqualTo("café \"quoted\" ünïcödé");
    assertThat(sent.get("tools").get(0).get("a").get(1).asInt()).isEqualTo(2);
  }

  @Test
  void asksAStreamForItsUsage() throws Exception {
    ChatRequest request = parse("{\"model\":\"kimi-mapped\",\"stream\":true," + MESSAGES + "}");

    JsonNode sent = sent(request);
    assertThat(request.stream()).isTrue();
    assertThat(sent.get("stream_options").get("include_usage").asBoolean()).isTrue();
    assertThat(sent.get("model").asText()).isEqualTo("moonshot-real-id");
    assertThat(sent.get("messages").size()).isEqualTo(2);
  }

  @Test
  void switchesUsageOnInStreamOptionsThatLeaveItOff() throws Exception {
    JsonNode sent =
        sent(
            parse(
                "{\"model\":\"kimi-k2.6\",\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":false,\"x\":1},"
                    + MESSAGES
                    + "}"));
    JsonNode nulled =
        sent(
            parse(
                "{\"model\":\"kimi-k2.6\",\"stream\":true,\"stream_options\":null,"
                    + MESSAGES
                    + "}"));

    assertThat(sent.get("stream_options").get("include_usage").asBoolean()).isTrue();
    assertThat(sent.get("stream_options").get("x").asInt()).isEqualTo(1);
    assertThat(nulled.get("stream_options").get("include_usage").asBoolean()).isTrue();
  }

  @Test
  void leavesAStreamThatAsksForUsageAndNamesItsLimitAsItIs() {
    byte[] body =
        ("{\"model\":\"kimi-k2.6\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"max_completion_tokens\":4096,"
                + MESSAGES
                + "}")
            .getBytes(StandardCharsets.UTF_8);

    assertThat(ChatRequest.parse(body, PLAN, UPSTREAM, 4096).upstreamBody()).isSameAs(body);
  }

  @Test
  void holdsTheNamedLimitOrSendsTheDefaultUpstream() throws Exception {
    assertThat(
            parse("{\"model\":\"kimi-k2.6\",\"max_completion_tokens\":7," + MESSAGES + "}")
                .maxTokens())
        .isEqualTo(7);
    assertThat(parse("{\"model\":\"kimi-k2.6\",\"max_tokens\":5," + MESSAGES + "}").maxTokens())
        .isEqualTo(5);
    ChatRequest equal =
        parse(
            "{\"model\":\"kimi-k2.6\",\"max_tokens\":9,\"max_completion_tokens\":9,"
                + MESSAGES
                + "}");
    assertThat(equal.maxTokens()).isEqualTo(9);

    // No limit: the upstream would choose its own, so it is told the one the hold is for.
    ChatRequest unlimited = parse("{\"model\":\"kimi-k2.6\"," + MESSAGES + "}");
    assertThat(unlimited.maxTokens()).isEqualTo(4096);
    assertThat(sent(unlimited).get("max_completion_tokens").asLong()).isEqualTo(4096);
    ChatRequest nulled =
        parse("{\"model\":\"kimi-k2.6\",\"max_completion_tokens\":null," + MESSAGES + "}");
    assertThat(sent(nulled).get("max_completion_tokens").asLong()).isEqualTo(4096);
    assertThat(new String(nulled.upstreamBody(), StandardCharsets.UTF_8))
        .containsOnlyOnce("max_completion_tokens");
    ChatRequest streamed = parse("{\"model\":\"kimi-k2.6\",\"stream\":true," + MESSAGES + "}");
    assertThat(sent(streamed).get("max_completion_tokens").asLong()).isEqualTo(4096);
    assertThat(sent(streamed).get("stream_options").get("include_usage").asBoolean()).isTrue();
  }

  @Test
  void holdsEveryChoiceInFull() {
    ChatRequest five =
        parse("{\"model\":\"kimi-k2.6\",\"n\":5,\"max_completion_tokens\":100," + MESSAGES + "}");
    ChatRequest one = parse("{\"model\":\"kimi-k2.6\",\"n\":null," + MESSAGES + "}");

    assertThat(five.choices()).isEqualTo(5);
    assertThat(five.estimatedTokens()).isEqualTo(five.promptEstimate() + 500);
    assertThat(one.choices()).isEqualTo(1);
    assertThat(one.estimatedTokens()).isEqualTo(one.promptEstimate() + 4096);
  }

  @Test
  void holdsAFlatRateForEachImage() {
    String image = "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\"}}";
    byte[] body =
        ("{\"model\":\"kimi-k2.6\",\"max_completion_tokens\":10,\"messages\":["
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what is this\"},"
                + image
                + "]},{\"role\":\"user\",\"content\":["
                + image
                + "]},{\"role\":\"assistant\",\"content\":\"image_url\"}]}")
            .getBytes(StandardCharsets.UTF_8);

    ChatRequest request = ChatRequest.parse(body, PLAN, UPSTREAM, 4096);

    assertThat(request.promptEstimate()).isEqualTo(body.length / 3 + 1 + 2 * 1024);
    assertThat(request.upstreamBody()).isSameAs(body);
  }

  @Test
  void neverHoldsMoreThanRedisCanCount() {
    ChatRequest huge =
        parse(
            "{\"model\":\"kimi-k2.6\",\"n\":128,\"max_completion_tokens\":9223372036854775807,"
                + MESSAGES
                + "}");

    assertThat(huge.estimatedTokens()).isEqualTo(ChatRequest.MAX_HOLD);
  }

  @Test
  void refusesWhatItCouldNotHoldFor() {
    assertRefused(
        "{\"model\":\"kimi-k2.6\",\"max_completion_tokens\":1,\"max_tokens\":32000,"
            + MESSAGES
            + "}",
        "max_tokens",
        "disagree");
    assertRefused("{\"model\":\"kimi-k2.6\",\"n\":129," + MESSAGES + "}", "n", "at most 128");
    assertRefused("{\"model\":\"kimi-k2.6\",\"n\":0," + MESSAGES + "}", "n", "positive");
    assertRefused(
        "{\"model\":\"kimi-k2.6\",\"max_completion_tokens\":1,"
            + MESSAGES
            + ",\"max_completion_tokens\":32000}",
        "max_completion_tokens",
        "more than once");
    assertRefused(
        "{\"model\":\"kimi-k2.6\","
            + MESSAGES
            + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}},"
            + "{\"type\":\"builtin_function\",\"function\":{\"name\":\"$web_search\"}}]}",
        "tools",
        "built-in tools");
  }

  @Test
  void refusesWhatIsNotAChatRequest() {
    assertRefused("not json", null, "not valid JSON");
    assertRefused("[1]", null, "must be a JSON object");
    String chat = "{\"model\":\"kimi-k2.6\"," + MESSAGES + "}";
    assertRefused(chat + " {\"model\":\"kimi-k3\"," + MESSAGES + "}", null, "after its JSON");
    assertRefused(chat + " x", null, "not valid JSON");
    assertRefused("{\"model\":\"kimi-k2.6\",\"messages\":[{]}", null, "not valid JSON");
    assertRefused("{" + MESSAGES + "}", "model", "model parameter");
    assertRefused("{\"model\":7," + MESSAGES + "}", "model", "model parameter");
    assertRefused("{\"model\":\"kimi-k2.6\",\"messages\":[]}", "messages", "non-empty array");
    assertRefused("{\"model\":\"kimi-k2.6\",\"messages\":\"hi\"}", "messages", "non-empty array");
    assertRefused(
        "{\"model\":\"kimi-k2.6\",\"stream\":\"yes\"," + MESSAGES + "}", "stream", "true or false");
    assertRefused(
        "{\"model\":\"kimi-k2.6\",\"max_tokens\":0," + MESSAGES + "}", "max_tokens", "positive");
    assertRefused(
        "{\"model\":\"kimi-k2.6\",\"max_tokens\":1.5," + MESSAGES + "}", "max_tokens", "positive");
    assertRefused(
        "{\"model\":\"kimi-k2.6\",\"stream\":true,\"stream_options\":3," + MESSAGES + "}",
        "stream_options",
        "object");
  }

  @Test
  void refusesModelsOutsideThePlan() {
    assertThatThrownBy(() -> parse("{\"model\":\"kimi-other\"," + MESSAGES + "}"))
        .isInstanceOfSatisfying(
            OpenAiError.class, e -> assertThat(e.code()).isEqualTo("model_not_found"));
  }

  static void assertRefused(String json, String param, String message) {
    assertThatThrownBy(() -> parse(json))
        .isInstanceOfSatisfying(
            OpenAiError.class,
            e -> {
              assertThat(e.getMessage()).contains(message);
              assertThat(e.param()).isEqualTo(param);
            });
  }
}
