package cloud.openclaw.sandbox.kimi;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.sandbox.Main;
import cloud.openclaw.sandbox.Main.Sandbox;
import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Kimi stand-in's script queue and request recording, as tests of other modules use them. */
class KimiScriptTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static Sandbox sandbox;

  @BeforeAll
  static void start() {
    sandbox =
        Main.startSandbox(
            ConfigLoader.load(
                "sandbox",
                Map.of(),
                Map.of(
                    "sandbox.host", "127.0.0.1", "sandbox.port", "0", "sandbox.smtp.port", "0")));
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  private static String base() {
    return "http://127.0.0.1:" + sandbox.port() + "/kimi";
  }

  private static HttpResponse<String> send(String method, String path, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base() + path))
            .header("Authorization", "Bearer sk-sandbox-kimi")
            .header("Content-Type", "application/json");
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode chat(String text) throws Exception {
    String body =
        "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":"
            + Json.write(text)
            + "}]}";
    HttpResponse<String> response = send("POST", "/v1/chat/completions", body);
    assertThat(response.statusCode()).isEqualTo(200);
    return Json.MAPPER.readTree(response.body()).path("choices").path(0);
  }

  @Test
  void scriptedRepliesAnswerOnePerRequestInOrderThenTheEchoRuleIsBack() throws Exception {
    HttpResponse<String> queued =
        send(
            "POST",
            "/_sandbox/script",
            """
            {"replies": [
              {"toolCalls": [{"name": "set_plan", "arguments": {"plan": "free"}},
                             {"name": "confirm", "arguments": "{}"}]},
              {"content": "The price is now 0."}]}""");
    assertThat(queued.statusCode()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(queued.body()).path("queued").asInt()).isEqualTo(2);

    JsonNode first = chat("hello");
    assertThat(first.path("finish_reason").asText()).isEqualTo("tool_calls");
    JsonNode calls = first.path("message").path("tool_calls");
    assertThat(calls).hasSize(2);
    assertThat(calls.path(0).path("function").path("name").asText()).isEqualTo("set_plan");
    assertThat(Json.MAPPER.readTree(calls.path(0).path("function").path("arguments").asText()))
        .isEqualTo(Json.MAPPER.readTree("{\"plan\":\"free\"}"));
    assertThat(calls.path(1).path("function").path("name").asText()).isEqualTo("confirm");
    assertThat(chat("hello").path("message").path("content").asText())
        .isEqualTo("The price is now 0.");
    assertThat(chat("hello").path("message").path("content").asText()).isEqualTo("echo: hello");
  }

  @Test
  void deleteForgetsTheQueue() throws Exception {
    sandbox.kimi().script(List.of(KimiScript.Reply.text("never said")));
    assertThat(send("DELETE", "/_sandbox/script", null).statusCode()).isEqualTo(204);

    assertThat(chat("hi").path("message").path("content").asText()).isEqualTo("echo: hi");
  }

  @Test
  void aMalformedScriptIsA400() throws Exception {
    assertThat(send("POST", "/_sandbox/script", "{\"replies\": [{}]}").statusCode()).isEqualTo(400);
    assertThat(send("POST", "/_sandbox/script", "nope").statusCode()).isEqualTo(400);
  }

  @Test
  void theLastRequestsMessagesCanBeRead() throws Exception {
    chat("remember this prompt");

    HttpResponse<String> recent = send("GET", "/_sandbox/requests?limit=1", null);
    JsonNode requests = Json.MAPPER.readTree(recent.body()).path("requests");
    assertThat(requests).hasSize(1);
    assertThat(requests.path(0).path(0).path("content").asText()).isEqualTo("remember this prompt");
    assertThat(sandbox.kimi().recentRequests(1).getFirst().path(0).path("content").asText())
        .isEqualTo("remember this prompt");
  }

  @Test
  void severalScriptedToolCallsStreamAsLangchain4jReadsThem() throws Exception {
    sandbox
        .kimi()
        .script(
            List.of(
                KimiScript.Reply.calls(
                    new KimiScript.Call("set_email", "{\"email\":\"a@example.com\"}"),
                    new KimiScript.Call("set_plan", "{\"plan\":\"pro\"}"))));
    OpenAiStreamingChatModel model =
        OpenAiStreamingChatModel.builder()
            .baseUrl(base() + "/v1")
            .apiKey("sk-sandbox-kimi")
            .modelName("kimi-k2.6")
            .build();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    ToolSpecification tool =
        ToolSpecification.builder()
            .name("set_email")
            .parameters(JsonObjectSchema.builder().addStringProperty("email").build())
            .build();
    model.chat(
        ChatRequest.builder().messages(UserMessage.from("hi")).toolSpecifications(tool).build(),
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(String partialResponse) {}

          @Override
          public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
          }

          @Override
          public void onError(Throwable error) {
            done.completeExceptionally(error);
          }
        });

    List<ToolExecutionRequest> calls =
        done.get(10, TimeUnit.SECONDS).aiMessage().toolExecutionRequests();
    assertThat(calls)
        .extracting(ToolExecutionRequest::name)
        .containsExactly("set_email", "set_plan");
    assertThat(calls.get(1).arguments()).isEqualTo("{\"plan\":\"pro\"}");
  }
}
