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
import dev.langchain4j.service.memory.ChatMemoryAccess;
import dev.langchain4j.service.tool.ToolErrorHandlerResult;
import dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The model through langchain4j: an OpenAI-compatible streaming chat model (the token proxy, or the
 * sandbox's Kimi), an AiServices assistant whose tools are {@link OnboardingTools} acting on each
 * conversation's current turn, and a Redis-backed chat memory per conversation. Streamed text goes
 * out as it comes.
 *
 * <p>The assistant is built once: building it (tool specifications by reflection, guardrails and
 * listeners looked up with ServiceLoader) took more CPU than the rest of a turn. What differs per
 * turn (the {@link Turn}, the system prompt, the memory) is found by the memory id, the
 * conversation's key; a conversation has one turn at a time (its lock). The memory is read from
 * Redis once at the start of a turn and written once at its end, instead of at every message
 * langchain4j adds.
 */
public final class LangchainConversationModel implements ConversationModel {
  private static final int MEMORY_MESSAGES = 40;
  private static final int MAX_TOOL_ROUNDS = 6;

  private final RedisChatMemoryStore memory;
  private final Duration timeout;
  private final Assistant assistant;
  private final Map<Object, Current> current = new ConcurrentHashMap<>();

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
    this.memory = memory;
    this.timeout = timeout;
    this.assistant =
        AiServices.builder(Assistant.class)
            .streamingChatModel(model)
            .chatMemoryProvider(id -> current(id).memory)
            .systemMessageProvider(id -> current(id).systemPrompt)
            .tools(new OnboardingTools(machine, id -> current(id).turn))
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
  }

  /** The assistant as langchain4j builds it: one conversation per memory id. */
  interface Assistant extends ChatMemoryAccess {
    TokenStream chat(@MemoryId String conversation, @UserMessage String text);
  }

  /** A conversation's turn in progress: its tools' turn, its system prompt, its memory. */
  private record Current(Turn turn, String systemPrompt, MessageWindowChatMemory memory) {}

  private Current current(Object id) {
    Current turn = current.get(id);
    if (turn == null) {
      throw new IllegalStateException("no turn in progress in conversation " + id);
    }
    return turn;
  }

  @Override
  public String reply(
      String key, Turn turn, String systemPrompt, String text, Consumer<String> delta) {
    InMemoryChatMemoryStore store = new InMemoryChatMemoryStore();
    store.updateMessages(key, memory.getMessages(key));
    MessageWindowChatMemory turnMemory =
        MessageWindowChatMemory.builder()
            .id(key)
            .maxMessages(MEMORY_MESSAGES)
            .chatMemoryStore(store)
            .build();
    // langchain4j keeps the memory it was given per id; the next turn's must be asked for again.
    assistant.evictChatMemory(key);
    current.put(key, new Current(turn, systemPrompt, turnMemory));
    try {
      CompletableFuture<ChatResponse> done = new CompletableFuture<>();
      assistant
          .chat(key, text)
          .onPartialResponse(delta)
          .onCompleteResponse(done::complete)
          .onError(done::completeExceptionally)
          .start();
      ChatResponse response = done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return response.aiMessage() == null ? null : response.aiMessage().text();
    } catch (ExecutionException e) {
      throw new UnavailableException("the model failed: " + e.getCause().getMessage(), e);
    } catch (TimeoutException e) {
      throw new UnavailableException("the model did not answer within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while the model answered", e);
    } finally {
      current.remove(key);
      assistant.evictChatMemory(key);
      // What the turn added (the person's message even when the model failed), as before.
      memory.updateMessages(key, store.getMessages(key));
    }
  }
}
