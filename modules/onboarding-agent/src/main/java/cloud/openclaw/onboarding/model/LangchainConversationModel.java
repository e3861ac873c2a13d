package cloud.openclaw.onboarding.model;

import cloud.openclaw.onboarding.OnboardingSettings.ModelSettings;
import cloud.openclaw.onboarding.conversation.ConversationModel;
import cloud.openclaw.onboarding.conversation.StateMachine;
import cloud.openclaw.onboarding.conversation.Turn;
import cloud.openclaw.platform.errors.UnavailableException;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.UserMessage;
import dev.langchain4j.service.tool.ToolErrorHandlerResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The model through langchain4j: an OpenAI-compatible streaming chat model (the token proxy, or the
 * sandbox's Kimi), an AiServices assistant whose tools are the turn's {@link OnboardingTools}, and
 * a Redis-backed chat memory per conversation. Streamed text goes out as it comes.
 */
public final class LangchainConversationModel implements ConversationModel {
  private static final int MEMORY_MESSAGES = 40;
  private static final int MAX_TOOL_ROUNDS = 6;

  private final StreamingChatModel model;
  private final StateMachine machine;
  private final RedisChatMemoryStore memory;
  private final Duration timeout;

  public LangchainConversationModel(
      ModelSettings settings, StateMachine machine, RedisChatMemoryStore memory) {
    this(
        OpenAiStreamingChatModel.builder()
            .baseUrl(settings.baseUrl())
            .apiKey(settings.apiKey())
            .modelName(settings.name())
            .timeout(settings.timeout())
            .build(),
        settings.timeout(),
        machine,
        memory);
  }

  /** Over any streaming chat model; a turn that takes longer than {@code timeout} fails. */
  public LangchainConversationModel(
      StreamingChatModel model,
      Duration timeout,
      StateMachine machine,
      RedisChatMemoryStore memory) {
    this.model = model;
    this.machine = machine;
    this.memory = memory;
    this.timeout = timeout;
  }

  /** The assistant as langchain4j builds it: one conversation per memory id. */
  interface Assistant {
    TokenStream chat(@MemoryId String conversation, @UserMessage String text);
  }

  @Override
  public String reply(
      String key, Turn turn, String systemPrompt, String text, Consumer<String> delta) {
    Assistant assistant =
        AiServices.builder(Assistant.class)
            .streamingChatModel(model)
            .chatMemoryProvider(
                id ->
                    MessageWindowChatMemory.builder()
                        .id(id)
                        .maxMessages(MEMORY_MESSAGES)
                        .chatMemoryStore(memory)
                        .build())
            .systemMessageProvider(id -> systemPrompt)
            .tools(new OnboardingTools(machine, turn))
            .maxSequentialToolsInvocations(MAX_TOOL_ROUNDS)
            .hallucinatedToolNameStrategy(
                request ->
                    ToolExecutionResultMessage.from(
                        request, "Refused: there is no tool '" + request.name() + "'."))
            .toolArgumentsErrorHandler(
                (error, context) ->
                    ToolErrorHandlerResult.text(
                        "Refused: invalid arguments: " + error.getMessage()))
            .toolExecutionErrorHandler(
                (error, context) -> ToolErrorHandlerResult.text("Refused: " + error.getMessage()))
            .build();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    assistant
        .chat(key, text)
        .onPartialResponse(delta)
        .onCompleteResponse(done::complete)
        .onError(done::completeExceptionally)
        .start();
    try {
      ChatResponse response = done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return response.aiMessage() == null ? null : response.aiMessage().text();
    } catch (ExecutionException e) {
      throw new UnavailableException("the model failed: " + e.getCause().getMessage(), e);
    } catch (TimeoutException e) {
      throw new UnavailableException("the model did not answer within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while the model answered", e);
    }
  }
}
