package cloud.openclaw.onboarding.conversation;

import java.util.function.Consumer;

/**
 * The language model's part of a turn: it reads the person's message (tokens redacted), may change
 * the state only through the turn's tools (validated by the {@link StateMachine}), and words the
 * reply, streamed piece by piece to {@code delta}. Any failure (the proxy's 4xx/5xx, a timeout) is
 * thrown: the turn is then answered by the scripted flow.
 */
public interface ConversationModel {
  /** The reply's whole text. */
  String reply(String key, Turn turn, String systemPrompt, String text, Consumer<String> delta);
}
