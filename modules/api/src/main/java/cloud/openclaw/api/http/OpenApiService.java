package cloud.openclaw.api.http;

import static cloud.openclaw.api.http.ApiService.Route.get;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The OpenAPI document of this api ({@code GET /openapi}), kept true by OpenApiIT. */
public final class OpenApiService implements ApiService {
  public static final String RESOURCE = "api/openapi.json";

  private final byte[] document;

  public OpenApiService() {
    this.document = load();
  }

  public static byte[] load() {
    try (InputStream in = OpenApiService.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String prefix() {
    return "/openapi";
  }

  @Override
  public List<Route> routes() {
    return List.of(get("/", this::document));
  }

  private void document(ServerRequest request, ServerResponse response) {
    response.header(HeaderNames.CONTENT_TYPE, "application/json");
    response.send(document);
  }
}
