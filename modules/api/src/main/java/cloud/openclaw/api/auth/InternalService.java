package cloud.openclaw.api.auth;

import static cloud.openclaw.api.http.ApiService.Route.post;

import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.api.http.Requests;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.http.UnauthorizedException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;

/**
 * What other services of the platform may ask ({@code /internal}), with the service token as
 * Bearer: a one-time sign-in link for a customer (the Telegram setup bot hands it out). Without a
 * configured token the prefix does not exist.
 */
public final class InternalService implements ApiService {
  private final SignInLinks links;
  private final String serviceToken;

  public InternalService(SignInLinks links, String serviceToken) {
    this.links = links;
    this.serviceToken = serviceToken;
  }

  @Override
  public String prefix() {
    return "/internal";
  }

  @Override
  public List<Route> routes() {
    return List.of(post("/sign-in-links", this::signInLink));
  }

  record LinkRequest(String customerId) {}

  private void signInLink(ServerRequest request, ServerResponse response) {
    authorize(request);
    String raw =
        Requests.text("customerId", Requests.body(request, LinkRequest.class).customerId(), 36);
    SignInLinks.Link link = links.mintForCustomer(Requests.uuid("customerId", raw));
    Json.send(
        response, Status.CREATED_201, Map.of("url", link.url(), "expiresAt", link.expiresAt()));
  }

  private void authorize(ServerRequest request) {
    if (serviceToken.isEmpty()) {
      throw new NotFoundException("resource");
    }
    String presented =
        request.headers().first(HeaderNames.AUTHORIZATION).orElse("").replaceFirst("^Bearer ", "");
    if (!MessageDigest.isEqual(
        presented.getBytes(StandardCharsets.UTF_8),
        serviceToken.getBytes(StandardCharsets.UTF_8))) {
      throw new UnauthorizedException("a valid service token is required");
    }
  }
}
