package cloud.openclaw.platform.proxy;

import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.logging.RequestIds;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The token proxy's internal API, for the operator (a box's tokens) and the billing worker (billing
 * periods, plan changes). Errors come back as the platform's domain exceptions.
 */
public final class TokenProxyClient {
  private final HttpClient http;
  private final URI base;
  private final String authorization;

  public TokenProxyClient(URI internalBaseUrl, String serviceToken) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    this.base = internalBaseUrl;
    this.authorization = "Bearer " + serviceToken;
  }

  /** A new token for the box: the only time its plaintext is seen. */
  public IssuedToken issueToken(UUID boxId) {
    return call("POST", "/internal/boxes/" + boxId + "/tokens", null, IssuedToken.class);
  }

  /**
   * A new token for the platform's own account {@code account} (made on first use, on the proxy's
   * platform plan): the only time its plaintext is seen. {@code boxId} is null.
   */
  public IssuedToken issuePlatformToken(String account) {
    return call(
        "POST", "/internal/platform-accounts/" + account + "/tokens", null, IssuedToken.class);
  }

  public TokenView revokeToken(UUID tokenId) {
    return call("POST", "/internal/tokens/" + tokenId + "/revoke", null, TokenView.class);
  }

  /**
   * Suspends, resumes or revokes every token of a box ({@code action}: suspend, resume, revoke).
   */
  public List<TokenView> boxTokens(UUID boxId, String action) {
    return call(
        "POST", "/internal/boxes/" + boxId + "/tokens/" + action, null, new TypeReference<>() {});
  }

  /** Opens (or finds) the customer's billing period, which resets their usage counter. */
  public UsageView openPeriod(UUID customerId, Instant start, Instant end, long allowance) {
    return call(
        "PUT",
        "/internal/customers/" + customerId + "/period",
        Map.of("start", start.toString(), "end", end.toString(), "allowance", allowance),
        UsageView.class);
  }

  /** A plan change within the period: the customer's allowance from now on. */
  public UsageView changeAllowance(UUID customerId, long allowance) {
    return call(
        "PUT",
        "/internal/customers/" + customerId + "/allowance",
        Map.of("allowance", allowance),
        UsageView.class);
  }

  /** Tells every proxy replica to reload the customer's plan, status and period. */
  public void customerChanged(UUID customerId) {
    call("POST", "/internal/customers/" + customerId + "/changed", null, JsonNode.class);
  }

  public UsageView usage(UUID customerId) {
    return call("GET", "/internal/customers/" + customerId + "/usage", null, UsageView.class);
  }

  private <T> T call(String method, String path, Object body, Class<T> type) {
    return Json.MAPPER.convertValue(send(method, path, body), type);
  }

  private <T> T call(String method, String path, Object body, TypeReference<T> type) {
    return Json.MAPPER.convertValue(send(method, path, body), type);
  }

  private JsonNode send(String method, String path, Object body) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", authorization)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(Json.write(body)));
    // The proxy's log lines of this call carry the caller's request id (a job's, an event's).
    RequestIds.passOn(builder);
    HttpRequest request = builder.build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UnavailableException("the token proxy cannot be reached: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while calling the token proxy", e);
    }
    JsonNode json;
    try {
      json =
          response.body().isEmpty()
              ? Json.MAPPER.nullNode()
              : Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new UnavailableException("the token proxy answered something unreadable", e);
    }
    int status = response.statusCode();
    if (status < 300) {
      return json;
    }
    String message = json.path("error").path("message").asText("HTTP " + status);
    String code = json.path("error").path("code").asText("error");
    throw switch (status) {
      case 400 -> new InvalidInputException(json.path("error").path("field").asText(null), message);
      case 404 -> new NotFoundException(message);
      case 409 -> new ConflictException(code, message);
      default -> new UnavailableException("token proxy: " + message, null);
    };
  }

  /** A freshly issued token: {@code token} is the only copy of the secret. */
  public record IssuedToken(UUID id, UUID boxId, String token, String prefix, String status) {}

  /** A token as the internal API shows it (never the secret). */
  public record TokenView(UUID id, UUID boxId, String prefix, String status) {}

  /**
   * A customer's usage in the current period: live counters and what PostgreSQL has recorded;
   * {@code requests} forwarded, {@code refused} refused after authentication (live).
   */
  public record UsageView(
      UUID customerId,
      Instant periodStart,
      Instant periodEnd,
      long allowance,
      long used,
      long held,
      long recorded,
      long requests,
      long refused) {}
}
