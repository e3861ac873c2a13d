package cloud.openclaw.onboarding.http;

import cloud.openclaw.onboarding.conversation.ConversationState;
import cloud.openclaw.onboarding.conversation.Conversations;
import cloud.openclaw.onboarding.conversation.Input;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.http.UnauthorizedException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code /conversations}, for the transports (the api's web relay) with the internal token as
 * Bearer: {@code POST /{key}/input} takes an input and answers 202 {@code {"after": "<log id>"}} at
 * once, the reply following in the conversation's log; {@code GET /{key}} shows the state without
 * secrets.
 */
public final class ConversationService implements HttpService {
  private static final Logger LOG = Logger.getLogger(ConversationService.class.getName());
  static final int MAX_BODY_BYTES = 16 * 1024;

  private final Conversations conversations;
  private final String internalToken;

  public ConversationService(Conversations conversations, String internalToken) {
    this.conversations = conversations;
    this.internalToken = internalToken;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.post("/{key}/input", this::input).get("/{key}", this::show);
  }

  /** One input as JSON: {@code type} text, choice, bot_token or start, and its fields. */
  record InputBody(String type, String text, String slot, String value, String token) {
    Input toInput() {
      String kind = type == null ? "" : type;
      return switch (kind) {
        case "text" -> new Input.Text(text);
        case "choice" -> new Input.Choice(slot, value);
        case "bot_token" -> new Input.BotToken(token);
        case "start" -> new Input.Start();
        default ->
            throw new InvalidInputException(
                "type", "'type' is one of text, choice, bot_token, start");
      };
    }
  }

  private void input(ServerRequest request, ServerResponse response) {
    authorize(request);
    String key = request.path().pathParameters().get("key");
    Input input = Json.read(body(request), InputBody.class).toInput();
    conversations.admit(key, input);
    String after = conversations.lastEventId(key);
    Thread.ofVirtual()
        .name("conversation-" + key)
        .start(
            () -> {
              try {
                conversations.take(key, input);
              } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a turn of conversation " + key + " failed", e);
                conversations.failed(key);
              }
            });
    Json.send(response, Status.ACCEPTED_202, Map.of("after", after));
  }

  private void show(ServerRequest request, ServerResponse response) {
    authorize(request);
    String key = request.path().pathParameters().get("key");
    ConversationState state =
        conversations.state(key).orElseThrow(() -> new NotFoundException("conversation"));
    Json.send(response, Status.OK_200, ConversationView.of(state, conversations.asking(state)));
  }

  private static byte[] body(ServerRequest request) {
    long declared = request.headers().contentLength().orElse(0L);
    if (declared > MAX_BODY_BYTES) {
      throw tooLarge();
    }
    if (!request.content().hasEntity()) {
      throw new InvalidInputException(null, "a JSON body is required");
    }
    byte[] bytes = request.content().as(byte[].class);
    if (bytes.length > MAX_BODY_BYTES) {
      throw tooLarge();
    }
    return bytes;
  }

  private static HttpException tooLarge() {
    return new HttpException(
        "an input is at most " + MAX_BODY_BYTES / 1024 + " KiB",
        Status.REQUEST_ENTITY_TOO_LARGE_413);
  }

  private void authorize(ServerRequest request) {
    String presented =
        request.headers().first(HeaderNames.AUTHORIZATION).orElse("").replaceFirst("^Bearer ", "");
    if (internalToken.isEmpty()
        || !MessageDigest.isEqual(
            presented.getBytes(StandardCharsets.UTF_8),
            internalToken.getBytes(StandardCharsets.UTF_8))) {
      throw new UnauthorizedException("a valid internal token is required");
    }
  }
}
