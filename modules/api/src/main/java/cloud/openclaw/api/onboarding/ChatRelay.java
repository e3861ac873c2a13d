package cloud.openclaw.api.onboarding;

import cloud.openclaw.api.auth.RequestLimit;
import cloud.openclaw.platform.onboarding.ConversationLog;
import io.helidon.webserver.websocket.WsRouting;
import java.time.Duration;
import java.util.concurrent.Semaphore;

/**
 * The web chat's WebSocket, {@code /onboarding/chat/{sessionId}}: what every socket shares (the
 * sessions, the conversation log on a Redis pool of its own, the onboarding agent's input, the
 * limits and the number of sockets open). Each socket is a {@link ChatSocket}.
 */
public final class ChatRelay {
  public static final String PATH = "/onboarding/chat/";

  /** How long one read of the log waits for news: also how soon a closed socket's reader ends. */
  static final Duration BLOCK = Duration.ofSeconds(2);

  final WebSessions sessions;
  final ConversationLog log;
  final AgentInput input;
  final RequestLimit perSession;
  final RequestLimit perIp;
  final Semaphore sockets;
  final String origin;
  final String clientIpHeader;

  /**
   * @param log reads block one pooled Redis connection per socket: give it a pool of {@code
   *     settings.maxSockets()} connections of its own
   * @param origin the api's public origin: a browser's socket from another origin is refused
   */
  public ChatRelay(
      WebSessions sessions,
      ConversationLog log,
      AgentInput input,
      RequestLimit perSession,
      RequestLimit perIp,
      int maxSockets,
      String origin,
      String clientIpHeader) {
    this.sessions = sessions;
    this.log = log;
    this.input = input;
    this.perSession = perSession;
    this.perIp = perIp;
    this.sockets = new Semaphore(maxSockets);
    this.origin = origin;
    this.clientIpHeader = clientIpHeader;
  }

  /** The WebSocket route: a new {@link ChatSocket} per connection. */
  public WsRouting.Builder routing() {
    return WsRouting.builder().endpoint(PATH + "{sessionId}", () -> new ChatSocket(this));
  }
}
