package cloud.openclaw.api;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** Plain HTTP against the test server, with a Bearer token, a cookie or nothing. */
final class ApiClient {
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private final URI base;

  ApiClient(URI base) {
    this.base = base;
  }

  /** A response and its body as JSON (a missing node when the body is no JSON). */
  record Answer(int status, String body, HttpResponse<String> response) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        return Json.MAPPER.missingNode();
      }
    }

    /** The error's field, for 400s. */
    String field() {
      return json().path("error").path("field").asText(null);
    }

    String code() {
      return json().path("error").path("code").asText(null);
    }
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path));
  }

  Answer get(String path, String token) {
    return send(auth(request(path).GET(), token));
  }

  Answer post(String path, String token, String json) {
    return send(
        auth(request(path), token)
            .header("Content-Type", "application/json")
            .POST(
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json)));
  }

  Answer put(String path, String token, String json) {
    return send(
        auth(request(path), token)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  Answer send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body(), response);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpClient http() {
    return http;
  }

  static String json(Map<String, ?> body) {
    return Json.write(body);
  }

  private static HttpRequest.Builder auth(HttpRequest.Builder request, String token) {
    return token == null ? request : request.header("Authorization", "Bearer " + token);
  }

  /** The session tokens of a sign-in, read from /auth/session's answer. */
  record Tokens(String access, String refresh) {}

  /**
   * Signs in the customer the way the Telegram setup bot will hand out links: the internal endpoint
   * mints a link, and its token is exchanged for a session.
   */
  Tokens signIn(java.util.UUID customerId) {
    Answer link =
        send(
            request("/internal/sign-in-links")
                .header("Authorization", "Bearer " + ApiFixture.INTERNAL_TOKEN)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        json(Map.of("customerId", customerId.toString())))));
    if (link.status() != 201) {
      throw new IllegalStateException("no link: " + link.body());
    }
    return exchange(tokenOf(link.json().path("url").asText()));
  }

  /** Exchanges a link token for session tokens. */
  Tokens exchange(String linkToken) {
    Answer session = post("/auth/session", null, json(Map.of("token", linkToken)));
    if (session.status() != 200) {
      throw new IllegalStateException("no session: " + session.body());
    }
    return new Tokens(
        session.json().path("accessToken").asText(), session.json().path("refreshToken").asText());
  }

  /** The token in a sign-in link. */
  static String tokenOf(String url) {
    int at = url.indexOf("token=");
    return url.substring(at + "token=".length());
  }
}
