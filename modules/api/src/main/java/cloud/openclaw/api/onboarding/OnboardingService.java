package cloud.openclaw.api.onboarding;

import static cloud.openclaw.api.http.ApiService.Route.get;
import static cloud.openclaw.api.http.ApiService.Route.post;

import cloud.openclaw.api.auth.RequestLimit;
import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.api.http.Requests;
import cloud.openclaw.platform.http.Json;
import io.helidon.http.ForbiddenException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /onboarding}: {@code POST /sessions} starts a web chat (or resumes the one the browser's
 * cookie proves) and binds it to the browser with an HttpOnly cookie; the chat itself is the
 * WebSocket {@code /chat/{sessionId}} ({@link ChatRelay}). A {@code GET} of the chat that is not an
 * accepted WebSocket upgrade (no cookie, another browser's session, a guessed id) ends here: 403.
 */
public final class OnboardingService implements ApiService {
  private final WebSessions sessions;
  private final RequestLimit sessionsPerIp;
  private final boolean secureCookie;
  private final String clientIpHeader;

  public OnboardingService(
      WebSessions sessions,
      RequestLimit sessionsPerIp,
      boolean secureCookie,
      String clientIpHeader) {
    this.sessions = sessions;
    this.sessionsPerIp = sessionsPerIp;
    this.secureCookie = secureCookie;
    this.clientIpHeader = clientIpHeader;
  }

  @Override
  public String prefix() {
    return "/onboarding";
  }

  @Override
  public List<Route> routes() {
    return List.of(post("/sessions", this::start), get("/chat/{sessionId}", this::refused));
  }

  private void start(ServerRequest request, ServerResponse response) {
    String cookie = request.headers().cookies().first(WebSessions.COOKIE).orElse(null);
    Optional<String> known = sessions.proven(cookie);
    if (known.isPresent()) {
      // Another tab, or a reload: the same conversation goes on (and its cookie lives on).
      response.headers().add(HeaderNames.SET_COOKIE, sessions.setCookie(cookie, secureCookie));
      Json.send(response, Status.OK_200, Map.of("sessionId", known.get(), "resumed", true));
      return;
    }
    sessionsPerIp.count(
        Requests.clientIp(request, clientIpHeader), "too many chats started from this address");
    WebSessions.Started started = sessions.start();
    response
        .headers()
        .add(HeaderNames.SET_COOKIE, sessions.setCookie(started.cookie(), secureCookie));
    Json.send(
        response, Status.CREATED_201, Map.of("sessionId", started.sessionId(), "resumed", false));
  }

  private void refused(ServerRequest request, ServerResponse response) {
    throw new ForbiddenException(
        "this chat opens only as a WebSocket from the browser that started it");
  }
}
